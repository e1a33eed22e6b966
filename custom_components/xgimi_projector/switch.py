"""The projector's power as a plain on/off switch: the entity voice bridges publish into Mi Home.

Bemfa's Home Assistant integration (bemfa_cloud_ha) publishes a ``media_player`` as a Mi Home TV
that is "on" only while the media player is ``playing``: an idle projector on its home screen,
or one that is starting, would look off. A ``switch`` is published as on exactly when its state
is ``on``. This switch is on while the light is on and while a power-on runs (what the user
asked for), and off otherwise; turning it on or off runs the same power sequences as the media
player.

The "Chinese Assist sentences" switch (a setting) writes the Chinese sentences of
:mod:`.sentences` where Home Assistant's conversation agent reads them, and removes them.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.components.switch import SwitchDeviceClass, SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity
from .sentences import (
    FileState,
    NotOursError,
    file_state,
    remove_sentences,
    sentences_path,
    sentences_yaml,
    write_sentences,
)
from .voice_executor import targets

_LOGGER = logging.getLogger(__name__)

SIGNAL_SENTENCES_CHANGED = f"{DOMAIN}_assist_sentences_changed"
"""Every projector's switch shows the one file: each reads it again after a change."""

PARALLEL_UPDATES = 0
"""A turn-off must be able to cancel a running turn-on."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the power switch and the Chinese Assist sentences switch."""
    async_add_entities(
        [XgimiPowerSwitch(entry.runtime_data), XgimiAssistSentencesSwitch(entry.runtime_data)]
    )


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


class XgimiAssistSentencesSwitch(XgimiEntity, SwitchEntity):
    """On while our Chinese sentences file is in ``custom_sentences/zh-cn``.

    Turning it on writes the file (with the names of the projectors loaded now) and reloads
    conversation; off removes it. A file of the same name that someone else wrote is never
    overwritten or removed. While on, the file is written again when Home Assistant starts, so
    it follows renamed projectors and new releases.
    """

    _attr_entity_category = EntityCategory.CONFIG
    _attr_translation_key = "assist_sentences"
    _attr_is_on = False

    def __init__(self, coordinator: XgimiCoordinator) -> None:
        super().__init__(coordinator, "assist_sentences")

    @property
    def available(self) -> bool:
        """A file on the Home Assistant host: there whether the projector answers or not."""
        return True

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, SIGNAL_SENTENCES_CHANGED, self._async_read)
        )
        if await self._async_file_state() is FileState.OURS:
            try:
                await self._async_write()
            except HomeAssistantError as err:
                _LOGGER.warning("Could not update the Chinese Assist sentences: %s", err)
        self._attr_is_on = await self._async_file_state() is FileState.OURS

    async def _async_file_state(self) -> FileState:
        path = sentences_path(self.hass.config.config_dir)
        return await self.hass.async_add_executor_job(file_state, path)

    async def _async_read(self) -> None:
        self._attr_is_on = await self._async_file_state() is FileState.OURS
        self.async_write_ha_state()

    async def _async_write(self) -> None:
        """Write the file for the projectors loaded now; reload conversation if it changed."""
        hass = self.hass
        loading = self.coordinator.config_entry.entry_id
        names = [n for target in targets(hass, None, loading=loading) for n in target.names]
        path = sentences_path(hass.config.config_dir)
        try:
            changed = await hass.async_add_executor_job(
                write_sentences, path, sentences_yaml(names)
            )
        except NotOursError as err:
            raise _foreign(path) from err
        except OSError as err:
            raise _failed(path, err) from err
        if changed:
            await _async_reload_conversation(hass)

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_write()
        self._attr_is_on = True
        self.async_write_ha_state()
        async_dispatcher_send(self.hass, SIGNAL_SENTENCES_CHANGED)

    async def async_turn_off(self, **kwargs: Any) -> None:
        hass = self.hass
        path = sentences_path(hass.config.config_dir)
        try:
            removed = await hass.async_add_executor_job(remove_sentences, path)
        except NotOursError as err:
            raise _foreign(path) from err
        except OSError as err:
            raise _failed(path, err) from err
        if removed:
            await _async_reload_conversation(hass)
        self._attr_is_on = False
        self.async_write_ha_state()
        async_dispatcher_send(hass, SIGNAL_SENTENCES_CHANGED)


def _foreign(path: object) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="assist_sentences_foreign",
        translation_placeholders={"path": str(path)},
    )


def _failed(path: object, err: OSError) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="assist_sentences_failed",
        translation_placeholders={"path": str(path), "error": err.strerror or str(err)},
    )


async def async_remove_sentences_with_last_entry(hass: HomeAssistant, entry_id: str) -> None:
    """The last projector is being removed: our sentences file goes with it (a file that is not
    ours stays; nothing to say to anyone, the entry is going)."""
    if any(e.entry_id != entry_id for e in hass.config_entries.async_entries(DOMAIN)):
        return
    path = sentences_path(hass.config.config_dir)
    try:
        removed = await hass.async_add_executor_job(remove_sentences, path)
    except (NotOursError, OSError) as err:
        _LOGGER.debug("Leaving %s in place: %s", path, err)
        return
    if removed:
        await _async_reload_conversation(hass)


async def _async_reload_conversation(hass: HomeAssistant) -> None:
    """Make the conversation agent read its sentences again (when conversation is loaded)."""
    if hass.services.has_service("conversation", "reload"):
        await hass.services.async_call("conversation", "reload", {}, blocking=True)
