"""A power-on that must outlive its owner: what to keep so that a restart can finish it.

A power-on through the plug cuts mains, waits, restores it and waits for the boot: a minute or
two during which the process that runs it may stop (Home Assistant restarts, or crashes). The
:class:`~.manager.PowerManager` reports such a power-on as a :class:`PendingPowerOn` from the
moment it reaches the plug until it ends; its owner persists that, and after a restart calls
:meth:`~.manager.PowerManager.resume_turn_on`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PendingPowerOn"]


@dataclass(frozen=True, slots=True)
class PendingPowerOn:
    """A power-on under way that a restart must not forget.

    Reported (``on_pending``) when a power-on reaches the plug, and when
    :meth:`~.manager.PowerManager.close` interrupts one in any phase. It ends (None is reported)
    when the power-on succeeds, fails, or is cancelled by a turn-off. A close, or a cancellation
    from outside (its owner going away), leaves it pending.
    """

    boot_started: bool
    """Mains is on for this power-on (switched back on by it or by ``close``, or it found the
    projector booting): the projector boots by itself from then on. A restart waits for that
    boot instead of cutting mains again under it."""
