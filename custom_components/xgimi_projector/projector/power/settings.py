"""How the power sequences behave: the user's options, then the internal timings."""

from __future__ import annotations

from dataclasses import dataclass

from .draw import PowerThresholds

__all__ = ["PowerSettings"]


@dataclass(frozen=True, slots=True)
class PowerSettings:
    """How the sequences behave. The first group is user options; the rest are internals."""

    rearm_off_s: float = 10.0
    boot_timeout_s: float = 90.0
    power_on_source: str | None = None
    cut_mains_after_off: bool = False
    cut_mains_cooldown_s: float = 60.0
    thresholds: PowerThresholds | None = None
    wake_wait_s: float = 30.0
    """After the wake action: how long ADB may take to answer before the plug takes over (or,
    without a plug, the power-on fails). Resuming from standby takes seconds, not a boot."""

    connect_interval_s: float = 3.0
    """Between connect attempts while the projector boots."""
    auto_power_on_grace_s: float = 20.0
    """After mains returns, a draw still at standby level this long means 上电自动开机 is off."""
    standby_unreachable_s: float = 30.0
    """ADB must have been unreachable this long before mains may be cut."""
    soft_off_confirm_s: float = 10.0
    """How long Android may take to fall asleep after the soft power-off."""
    wake_confirm_s: float = 3.0
    state_poll_s: float = 0.5
    """Between polls while waiting for a state change (awake/asleep)."""
    standby_poll_s: float = 5.0
    """Between checks while waiting to cut mains."""
    standby_watch_max_s: float = 900.0
    draw_dwell_s: float = 5.0
    sensor_grace_s: float = 60.0
    """After a successful power-on, ADB's "awake" means on for this long even if the plug's
    (slowly reporting) sensor still shows the old, lower draw."""
