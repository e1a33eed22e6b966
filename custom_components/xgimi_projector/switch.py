"""The projector's power as a plain on/off switch: the entity voice bridges publish into Mi Home.

Bemfa's Home Assistant integration (bemfa_cloud_ha) publishes a ``media_player`` as a Mi Home TV
that is "on" only while the media player is ``playing``: an idle projector on its home screen,
or one that is starting, would look off. A ``switch`` is published as on exactly when its state
is ``on``. This switch is on while the light is on and while a power-on runs (what the user
asked for), and off otherwise; turning it on or off runs the same power sequences as the media
player.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchDeviceClass, SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity

PARALLEL_UPDATES = 0
"""A turn-off must be able to cancel a running turn-on."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the power switch."""
    async_add_entities([XgimiPowerSwitch(entry.runtime_data)])


class XgimiPowerSwitch(XgimiEntity, SwitchEntity):
    """On while the projector's light is on (by ADB, or by the plug's draw while ADB is silent)
    or a power-on runs."""

    _attr_device_class = SwitchDeviceClass.SWITCH
    _attr_translation_key = "power"

    def __init__(self, coordinator: XgimiCoordinator) -> None:
        super().__init__(coordinator, "power")

    @property
    def available(self) -> bool:
        """Like the media player: off, not unavailable, while a plug can turn it on."""
        return self.coordinator.last_update_success and self.coordinator.data.can_power_on

    @property
    def is_on(self) -> bool:
        snapshot = self.coordinator.data
        return snapshot.is_on or snapshot.powering_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_run_power(self.coordinator.power.turn_on())

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_run_power(self.coordinator.power.turn_off())
