"""``dumpsys power``: wakefulness, the display, wake locks, the last wake and sleep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..activities import package_uid
from ..power import AWAKE, DeviceState

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["power"]


def _wake_locks(device: DeviceModel) -> list[dict[str, Any]]:
    """Audio playing holds AudioMix; HDMI or a playing app in front keeps the screen bright."""
    if device.state not in AWAKE:
        return []
    profile = device.profile
    playing = device.media.playing
    base = next((a for a in reversed(device.apps.stack) if a.kind != "menu"), None)
    locks: list[dict[str, Any]] = []
    if playing:
        locks.append(
            {
                "type": "PARTIAL_WAKE_LOCK",
                "tag": "AudioMix",
                "uid": 1041,
                "ws": f" ws=WorkSource{{{package_uid(profile, playing[-1].package)}}}",
                "acq": "1m2s211ms",
                "pid": 268,
            }
        )
    keep_on = base is not None and (
        base.kind == "hdmi" or any(s.package == base.package for s in playing)
    )
    if keep_on and base is not None:
        locks.append(
            {
                "type": "SCREEN_BRIGHT_WAKE_LOCK",
                "tag": "WindowManager",
                "uid": 1000,
                "ws": f" ws=WorkSource{{{package_uid(profile, base.package)}}}",
                "acq": "4m11s87ms",
                "pid": 612,
            }
        )
    return locks


def power(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys power``: wakefulness, display, wake locks, the last wake/sleep/user activity."""
    now = device.now()
    awake = device.state in AWAKE
    wake_locks = _wake_locks(device)
    last_sleep = device.last_sleep
    last_activity = device.apps.last_activity
    summary = 0
    if awake:
        summary = (0x1 if device.media.playing else 0) | (
            0x4 if any(w["tag"] == "WindowManager" for w in wake_locks) else 0
        )
    dreaming = device.dreaming
    return {
        "wakefulness": "Dreaming" if dreaming else "Awake" if awake else "Asleep",
        "display_state": "ON" if awake else "OFF",
        "screen_on": awake,
        "interactive": awake and not dreaming,
        "light_on": device.state == DeviceState.ON,
        "screen_on_fully": awake,
        "wake_lock_count": len(wake_locks),
        "wake_locks": wake_locks,
        "wake_lock_summary": f"0x{summary:x}",
        "user_activity_summary": "0x1" if awake else "0x0",
        "holding_wake_lock_blocker": bool(wake_locks),
        "wake_blocker_refs": 1 if wake_locks else 0,
        "display_blocker_refs": 1 if awake else 0,
        "last_wake_ms": device.since_boot_ms(device.last_wake),
        "last_wake_ago_ms": int((now - device.last_wake) * 1000),
        "last_sleep_ms": device.since_boot_ms(last_sleep),
        "last_sleep_ago_ms": int(
            (now - (last_sleep if last_sleep is not None else device.boot_time)) * 1000
        ),
        "last_activity_ms": device.since_boot_ms(last_activity),
        "last_activity_ago_ms": int((now - last_activity) * 1000),
        "sleep_reason": device.sleep_reason,
        "brightness": device.brightness,
        "screen_off_timeout": device.settings["system"].get("screen_off_timeout", "2147483647"),
    }
