"""The projector's remote: Android and XGIMI keys by name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.remote import (
    ATTR_DELAY_SECS,
    ATTR_NUM_REPEATS,
    DEFAULT_DELAY_SECS,
    RemoteEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity
from .lan_entities import lan_entities
from .lan_setup import is_lan_entry
from .projector import PowerState

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the remote."""
    if is_lan_entry(entry):
        async_add_entities(lan_entities(entry.runtime_data, "remote"))
        return
    async_add_entities([XgimiRemote(entry.runtime_data)])


class XgimiRemote(XgimiEntity, RemoteEntity):
    """Sends key presses: names from the library's whitelist, checked before anything is sent."""

    _attr_translation_key = "remote"

    def __init__(self, coordinator: XgimiCoordinator) -> None:
        super().__init__(coordinator, "remote")

    @property
    def is_on(self) -> bool:
        state = self.coordinator.data.device
        return state.awake and state.power in (PowerState.ON, PowerState.DREAMING)

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_run_command(self.coordinator.projector.wake())

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_run_command(self.coordinator.projector.turn_off())

    async def async_send_command(self, command: Iterable[str], **kwargs: Any) -> None:
        # The library checks names, counts and the delay before it builds or sends anything
        # (a huge num_repeats costs nothing); its refusals become translated validation errors.
        await self.async_run_command(
            self.coordinator.projector.send_keys(
                list(command),
                repeats=int(kwargs.get(ATTR_NUM_REPEATS, 1)),
                delay_s=float(kwargs.get(ATTR_DELAY_SECS, DEFAULT_DELAY_SECS)),
            )
        )
