"""What the projector's power is doing, and the results of the power sequences."""

from __future__ import annotations

import enum

from ..state import PowerState, ProjectorState
from .draw import DrawLevel
from .plug import Plug

__all__ = ["POWERING_ON", "PowerOffResult", "PowerOnResult", "PowerPhase", "observed_phase"]


class PowerPhase(enum.StrEnum):
    """What the projector's power is doing, for a dashboard or a voice reply."""

    ON = "on"
    """Android runs with the light on, its screensaver included (``PowerState.DREAMING``)."""
    SCREEN_OFF = "screen_off"
    """关屏: Android awake, light off (told apart from on by the power draw only)."""
    STANDBY = "standby"
    """关机: asleep, network down; mains on."""
    MAINS_OFF = "mains_off"
    WAKING = "waking"
    """Power-on: the wake action (BLE, IR, a script) was sent; waiting for ADB to answer."""
    WAKE_FAILED = "wake_failed"
    """Power-on: the wake action did not bring it up; falling back to the plug (switching it
    off to re-arm 上电自动开机)."""
    CUTTING_POWER = "cutting_power"
    """Power-on: switching the plug off to re-arm 上电自动开机."""
    WAITING = "waiting"
    """Power-on: the plug is off for the re-arm time."""
    BOOTING = "booting"
    """Mains is back; waiting for ADB."""
    CONNECTING = "connecting"
    """ADB answers; waiting for Android to be awake, then selecting the source."""
    SHUTTING_DOWN = "shutting_down"
    """Soft power-off sent; waiting for standby (and, if enabled, to cut mains)."""
    FAILED = "failed"
    """The last power-on failed (see :attr:`PowerManager.last_error`)."""
    UNREACHABLE = "unreachable"
    """ADB unreachable and nothing tells standby from a network problem (or the draw says the
    projector runs)."""
    PLUG_UNAVAILABLE = "plug_unavailable"
    """ADB unreachable and the plug is unavailable: neither state nor power-on is possible."""


POWERING_ON = frozenset(
    {
        PowerPhase.WAKING,
        PowerPhase.WAKE_FAILED,
        PowerPhase.CUTTING_POWER,
        PowerPhase.WAITING,
        PowerPhase.BOOTING,
        PowerPhase.CONNECTING,
    }
)


class PowerOnResult(enum.StrEnum):
    ALREADY_ON = "already_on"
    WOKE = "woke"
    """It was reachable (关屏, or asleep but still on the network); a wake key brought it back."""
    BOOTED = "booted"
    """It came up through the plug (cold boot)."""
    WAKE_ACTION = "wake_action"
    """The wake action (BLE, IR, a script) brought it out of standby."""


class PowerOffResult(enum.StrEnum):
    SENT = "sent"
    """The soft power-off was sent and Android went to sleep."""
    ALREADY_OFF = "already_off"
    CANCELLED = "cancelled"
    """A power-on was cancelled before mains returned; mains is left off."""
    SUPERSEDED = "superseded"
    """A turn-on arrived while the power-off ran; the turn-on wins."""
    DEFERRED = "deferred"
    """A power-on was cancelled after mains returned, or after the wake action was sent: the
    projector may be coming up, and will be powered off softly as soon as ADB answers (mains is
    never cut during a boot)."""


def observed_phase(
    state: ProjectorState,
    plug: Plug | None,
    level: DrawLevel | None,
    *,
    on_grace: bool,
    wake_action: bool = False,
) -> PowerPhase:
    """The phase a poll, the plug and the settled draw level show (no sequence running).

    ``on_grace``: a power-on just succeeded, so "awake" means on even while a slow sensor
    still shows the old, lower draw. A screensaver (Dreaming/Dozing) is awake: it reads as
    on, never as standby, so nothing ever cycles mains under it. ``wake_action``: one is set
    up; without a plug, unreachable then reads as standby (as with a plug without a sensor:
    the entry is set up to be woken from there).
    """
    if state.reachable:
        if not state.awake:
            return PowerPhase.STANDBY
        if state.power is PowerState.SCREEN_OFF:
            return PowerPhase.SCREEN_OFF
        if level in (DrawLevel.STANDBY, DrawLevel.IDLE) and not on_grace:
            return PowerPhase.SCREEN_OFF
        return PowerPhase.ON
    if plug is None:
        return PowerPhase.STANDBY if wake_action else PowerPhase.UNREACHABLE
    if not plug.available:
        return PowerPhase.PLUG_UNAVAILABLE
    if plug.is_on is False:
        return PowerPhase.MAINS_OFF
    if level is DrawLevel.ACTIVE:
        return PowerPhase.UNREACHABLE
    if level is DrawLevel.IDLE:
        return PowerPhase.BOOTING
    return PowerPhase.STANDBY
