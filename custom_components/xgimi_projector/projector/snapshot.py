"""One frozen view of a projector and its power, built by the library for a dashboard.

The Home Assistant coordinator keeps the latest :class:`ProjectorSnapshot` as its data;
entities and the voice action read only that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import PowerError
from .state import ProjectorState

if TYPE_CHECKING:
    from .errors import WakeActionError, WakeTimeoutError
    from .power.draw import DrawLevel
    from .power.phase import PowerPhase
    from .power.wake import PowerOnPath

__all__ = ["ProjectorSnapshot"]


@dataclass(frozen=True, slots=True)
class ProjectorSnapshot:
    """The projector and its power at one moment (see ``PowerManager.snapshot``)."""

    device: ProjectorState
    """The last poll (:data:`~.state.UNREACHABLE` while ADB does not answer)."""
    phase: PowerPhase
    """What the power is doing, running sequences included."""
    is_on: bool
    """Light on: what ``media_player`` calls on (关屏 and every power-on phase are off). Also
    while ADB is unreachable but the plug's draw is at the in-use level: then ``device`` is
    :data:`~.state.UNREACHABLE` and ``phase`` says why nothing more is known."""
    draw_level: DrawLevel | None
    """The settled draw level (None: no power sensor, or no reading)."""
    watts: float | None
    last_error: PowerError | None
    """Why the last power-on failed (cleared once the projector is on)."""
    can_power_on: bool
    """Reachable, a usable plug, or a usable wake action."""
    has_plug: bool
    powering_on: bool
    """A power-on sequence runs."""
    has_wake_action: bool = False
    """A wake action (BLE, IR, a script) is set up: with or without a plug, the projector can
    be turned on from standby."""
    power_on_path: PowerOnPath | None = None
    """How the running power-on turns the projector on: a key over ADB, the wake action, or
    the plug (also once the wake action failed and the plug took over). Known as soon as the
    power-on starts, before the phase shows it. None while no power-on runs."""
    wake_error: WakeActionError | WakeTimeoutError | None = None
    """The last wake action did not work and the plug turned the projector on instead (or
    tried to); cleared when a wake action works."""

    @property
    def has_standby_path(self) -> bool:
        """Something can turn it on from standby (a plug or a wake action): unreachable is
        then what standby looks like, not a failure."""
        return self.has_plug or self.has_wake_action

    @property
    def reachable(self) -> bool:
        return self.device.reachable
