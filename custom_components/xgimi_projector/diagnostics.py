"""Diagnostics: redacted entry, state, probe, and raw captures to build a simulator profile."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
import time
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .projector import PowerManager, ProjectorSnapshot, XgimiError
from .redact import NAME_PROPS, SERIAL_PROPS, redact_captures

TO_REDACT = {CONF_HOST, "serial", "unique_id", "title"}
CAPTURE_REUSE_S = 600.0
"""A capture younger than this is reused: a second download runs nothing on the projector."""

CAPTURE_FORMAT = "xgimi-capture/1"
"""Format tag understood by ``python -m simulator --profile <file>``."""


async def _captures(coordinator: XgimiCoordinator) -> dict[str, str]:
    """The projector's raw captures, reused for :data:`CAPTURE_REUSE_S`."""
    now = time.monotonic()
    cached = coordinator.capture_cache
    if cached is not None and now - cached[0] < CAPTURE_REUSE_S:
        return cached[1]
    captures = await coordinator.projector.capture()
    coordinator.capture_cache = (now, captures)
    return captures


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: XgimiConfigEntry
) -> dict[str, Any]:
    """Diagnostics for one projector."""
    coordinator = entry.runtime_data
    projector = coordinator.projector
    info = coordinator.info
    secrets = {str(v) for v in (info.serial, projector.host, entry.unique_id) if v}
    secrets.update(info.props.get(key, "") for key in SERIAL_PROPS | NAME_PROPS)
    capture: dict[str, Any]
    try:
        captures = await _captures(coordinator)
    except XgimiError as err:
        capture = {"error": f"{type(err).__name__}: {err}"}
    else:
        capture = {
            "format": CAPTURE_FORMAT,
            "description": f"Captured from {info.manufacturer} {info.model} "
            f"(Android {info.android_version}, {info.family})",
            "captures": redact_captures(captures, secrets),
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
        "event_stream": _event_stream(coordinator),
        "power": _power(coordinator.power, snapshot),
        "simulator_profile": capture,
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: XgimiConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Diagnostics from the device page: an entry has one projector, so the entry's."""
    return await async_get_config_entry_diagnostics(hass, entry)


def _event_stream(coordinator: XgimiCoordinator) -> dict[str, Any] | None:
    """The event stream's health, and the poll interval it leads to (None: no stream)."""
    stream = coordinator.stream
    if stream is None:
        return None
    health = stream.health.as_dict()
    for key in ("streaming_since", "last_event_at", "next_attempt_at"):
        if (seconds := health[key]) is not None:
            health[key] = datetime.fromtimestamp(seconds, UTC).isoformat()
    interval = coordinator.update_interval
    health["poll_interval_s"] = None if interval is None else interval.total_seconds()
    health["event_polls"] = coordinator.event_refresh.polls
    return health


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
