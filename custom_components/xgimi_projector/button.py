"""One-press buttons: autofocus, the gear panel, the source menu, home and back."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity, command
from .lan_entities import lan_entities
from .lan_setup import is_lan_entry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class XgimiButtonDescription(ButtonEntityDescription):
    """A button that presses one key."""

    key_name: str


BUTTONS: tuple[XgimiButtonDescription, ...] = (
    XgimiButtonDescription(key="autofocus", translation_key="autofocus", key_name="AUTOFOCUS"),
    XgimiButtonDescription(key="gear", translation_key="gear", key_name="GEAR"),
    XgimiButtonDescription(
        key="source_menu", translation_key="source_menu", key_name="SOURCE_MENU"
    ),
    XgimiButtonDescription(key="home", translation_key="home", key_name="HOME"),
    XgimiButtonDescription(key="back", translation_key="back", key_name="BACK"),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons."""
    coordinator = entry.runtime_data
    if is_lan_entry(entry):
        async_add_entities(lan_entities(coordinator, "button"))
        return
    async_add_entities(XgimiButton(coordinator, description) for description in BUTTONS)


class XgimiButton(XgimiEntity, ButtonEntity):
    """Presses one projector key."""

    entity_description: XgimiButtonDescription

    def __init__(self, coordinator: XgimiCoordinator, description: XgimiButtonDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @command
    async def async_press(self) -> None:
        await self.coordinator.projector.press(self.entity_description.key_name)
