"""Diagnostics: redacted entry, state, probe, and raw captures to build a simulator profile."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .coordinator import XgimiConfigEntry
from .projector import PowerManager, ProjectorSnapshot, XgimiError

REDACTED = "**REDACTED**"
TO_REDACT = {CONF_HOST, "serial", "unique_id", "title"}
SERIAL_PROPS = ("ro.serialno", "ro.boot.serialno", "ro.serial", "persist.sys.serialno")

CAPTURE_FORMAT = "xgimi-capture/1"
"""Format tag understood by ``python -m simulator --profile <file>``."""


def _redact_captures(captures: dict[str, str], secrets: set[str]) -> dict[str, str]:
    redacted = {}
    for name, text in captures.items():
        clean = text
        for secret in secrets:
            if secret:
                clean = clean.replace(secret, REDACTED)
        redacted[name] = clean
    return redacted


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: XgimiConfigEntry
) -> dict[str, Any]:
    """Diagnostics for one projector."""
    coordinator = entry.runtime_data
    projector = coordinator.projector
    info = coordinator.info
    secrets = {str(v) for v in (info.serial, projector.host, entry.unique_id) if v}
    secrets.update(info.props.get(key, "") for key in SERIAL_PROPS)
    capture: dict[str, Any]
    try:
        captures = await projector.capture()
    except XgimiError as err:
        capture = {"error": f"{type(err).__name__}: {err}"}
    else:
        capture = {
            "format": CAPTURE_FORMAT,
            "description": f"Captured from {info.manufacturer} {info.model} "
            f"(Android {info.android_version}, {info.family})",
            "captures": _redact_captures(captures, secrets),
        }
    snapshot = coordinator.data
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "device": async_redact_data(info.as_dict(), TO_REDACT),
        "state": None if snapshot is None else asdict(snapshot.device),
        "connection": {
            "connected": projector.connection.connected,
            "failures": projector.connection.failures,
        },
        "power": _power(coordinator.power, snapshot),
        "simulator_profile": capture,
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: XgimiConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Diagnostics from the device page: an entry has one projector, so the entry's."""
    return await async_get_config_entry_diagnostics(hass, entry)


def _power(power: PowerManager, snapshot: ProjectorSnapshot) -> dict[str, Any]:
    """The power path: phase, last failure, plug readings and the thresholds in use."""
    settings = power.settings
    thresholds = settings.thresholds
    plug = power.plug
    return {
        "phase": snapshot.phase.value,
        "last_error": None if snapshot.last_error is None else repr(snapshot.last_error),
        "plug": None
        if plug is None
        else {
            "available": plug.available,
            "is_on": plug.is_on,
            "watts": plug.power_w(),
            "draw_level": None if snapshot.draw_level is None else snapshot.draw_level.value,
        },
        "thresholds_w": None
        if thresholds is None
        else {"standby_max": thresholds.standby_max_w, "on_min": thresholds.on_min_w},
        "rearm_off_s": settings.rearm_off_s,
        "boot_timeout_s": settings.boot_timeout_s,
        "cut_mains_after_off": settings.cut_mains_after_off,
    }
