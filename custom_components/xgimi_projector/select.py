"""The input source as a select entity (HDMI inputs this family can switch to, and apps)."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity, command

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the source select when there is something to select."""
    coordinator = entry.runtime_data
    if coordinator.sources:
        async_add_entities([XgimiSourceSelect(coordinator)])


class XgimiSourceSelect(XgimiEntity, SelectEntity):
    """Selects the input source."""

    _attr_translation_key = "source"

    def __init__(self, coordinator: XgimiCoordinator) -> None:
        super().__init__(coordinator, "source")
        self._attr_options = list(coordinator.sources)

    @property
    def current_option(self) -> str | None:
        name = self.coordinator.source_name(self.coordinator.data.device)
        return name if name in self._attr_options else None

    @command
    async def async_select_option(self, option: str) -> None:
        # Home Assistant has already checked that ``option`` is one of ``options``.
        await self.coordinator.projector.select_source(self.coordinator.sources[option])
