"""The wake action: whatever wakes the projector from standby the way its own remote does.

A projector in standby (关机) keeps its Bluetooth receiver, and on some models its IR receiver,
alive while its network is down (``docs/xgimi.md`` §3.2, "Wake paths"). A :class:`WakeAction`
sends that wake: a BLE advertisement from an ESPHome node, an IR code from a learning remote,
any script. The Home Assistant integration wraps a ``button``, ``script`` or ``remote`` entity.
The power-on runs it before (or instead of) the plug cycle and watches ADB come up.
"""

from __future__ import annotations

import enum
from typing import Protocol

__all__ = ["PowerOnPath", "WakeAction"]


class WakeAction(Protocol):
    """Something that wakes the projector from standby without touching mains."""

    @property
    def available(self) -> bool:
        """Whether it can be run now (its device is online)."""

    async def wake(self) -> None:
        """Send the wake once (raises :class:`~..errors.WakeActionError`). Returns once it is
        sent; whether the projector heard it shows only when ADB answers."""


class PowerOnPath(enum.StrEnum):
    """How a power-on turns the projector on (what a voice reply or a dashboard says)."""

    KEY = "key"
    """Reachable over ADB (关屏, or still on the network): a wake key."""
    WAKE_ACTION = "wake_action"
    """The wake action (BLE, IR, a script), with the plug as the fallback if one is set."""
    PLUG = "plug"
    """The plug cycle (re-arming 上电自动开机), or the plug bringing mains back; also the
    fallback once a wake action has failed."""
