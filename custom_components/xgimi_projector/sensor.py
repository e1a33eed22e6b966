"""Sensors: the power phase, the foreground app, and diagnostics (firmware family, Android)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity
from .projector import Family, PowerPhase

PARALLEL_UPDATES = 0
MAX_STATE_LENGTH = 255


@dataclass(frozen=True, kw_only=True)
class XgimiSensorDescription(SensorEntityDescription):
    """A sensor computed from the coordinator."""

    value_fn: Callable[[XgimiCoordinator], str | None]
    """Reads the coordinator's snapshot (and the probe, for the diagnostic sensors)."""
    needs_adb: bool = True
    """Unavailable while the projector does not answer (standby, mains off)."""
    attrs_fn: Callable[[XgimiCoordinator], dict[str, Any]] | None = None


def _foreground_app(coordinator: XgimiCoordinator) -> str | None:
    state = coordinator.data.device
    if not state.awake:
        return None
    return coordinator.app_name(state.foreground_package)


def _foreground_package(coordinator: XgimiCoordinator) -> dict[str, Any]:
    """The package stays available (automations match on it; the name is for people)."""
    state = coordinator.data.device
    return {"package": state.foreground_package if state.awake else None}


def _last_voice(coordinator: XgimiCoordinator) -> str | None:
    """The reply (what the person hears), else what happened; None before any voice."""
    last = coordinator.last_voice
    if last is None:
        return None
    shown = last.reply or last.refusal or last.outcome or last.text
    return shown[:MAX_STATE_LENGTH]


def _last_voice_attributes(coordinator: XgimiCoordinator) -> dict[str, Any]:
    last = coordinator.last_voice
    return last.attributes if last is not None else {}


SENSORS: tuple[XgimiSensorDescription, ...] = (
    XgimiSensorDescription(
        key="power_phase",
        translation_key="power_phase",
        device_class=SensorDeviceClass.ENUM,
        options=[phase.value for phase in PowerPhase],
        needs_adb=False,
        value_fn=lambda coordinator: coordinator.data.phase.value,
    ),
    XgimiSensorDescription(
        key="last_voice_command",
        translation_key="last_voice_command",
        needs_adb=False,
        value_fn=_last_voice,
        attrs_fn=_last_voice_attributes,
    ),
    XgimiSensorDescription(
        key="foreground_app",
        translation_key="foreground_app",
        value_fn=_foreground_app,
        attrs_fn=_foreground_package,
    ),
    XgimiSensorDescription(
        key="firmware_family",
        translation_key="firmware_family",
        device_class=SensorDeviceClass.ENUM,
        options=[family.value for family in Family],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.info.family.value,
        needs_adb=False,
    ),
    XgimiSensorDescription(
        key="android_version",
        translation_key="android_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda coordinator: coordinator.info.android_version or None,
        needs_adb=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors."""
    coordinator = entry.runtime_data
    async_add_entities(XgimiSensor(coordinator, description) for description in SENSORS)


class XgimiSensor(XgimiEntity, SensorEntity):
    """A projector sensor."""

    entity_description: XgimiSensorDescription

    def __init__(self, coordinator: XgimiCoordinator, description: XgimiSensorDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        if self.entity_description.needs_adb:
            return super().available
        return self.coordinator.last_update_success

    @property
    def native_value(self) -> str | None:
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        attrs_fn = self.entity_description.attrs_fn
        return attrs_fn(self.coordinator) if attrs_fn is not None else None
