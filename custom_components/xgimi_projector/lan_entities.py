"""The entities of a "LAN keys only" entry (:mod:`.lan_setup`): remote, buttons, media player.

Without ADB nothing can be read from the projector. The media player's power state comes from
the plug's power reading where one is configured and calibrated; otherwise it is assumed
(``assumed_state``): on after a key was sent or the plug turned it on, off after the power-off
key. Every command goes through the library, which refuses what needs ADB before sending.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.media_player import MediaPlayerDeviceClass, MediaPlayerEntity
from homeassistant.components.media_player.const import (
    MediaPlayerEntityFeature as Feature,
    MediaPlayerState,
)
from homeassistant.components.remote import (
    ATTR_DELAY_SECS,
    ATTR_NUM_REPEATS,
    DEFAULT_DELAY_SECS,
    RemoteEntity,
)
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import callback
from homeassistant.helpers.restore_state import RestoreEntity

from .coordinator import XgimiCoordinator
from .entity import XgimiEntity, translate_error
from .lan_setup import LanCoordinator
from .projector import XgimiError


class LanEntity(XgimiEntity):
    """An entity of a LAN-keys-only projector: available while the entry runs (the protocol
    never answers, so nothing says the projector is gone)."""

    coordinator: LanCoordinator

    @property
    def available(self) -> bool:
        return self.coordinator.last_update_success

    async def async_run_command(self, awaitable: Awaitable[object]) -> None:
        """Send, then show the assumed state that follows (no poll can read it)."""
        try:
            await awaitable
        except XgimiError as err:
            raise translate_error(err, self.projector_host) from err
        self.coordinator.async_update_listeners()


# --- buttons ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LanButtonDescription(ButtonEntityDescription):
    """A button that presses one key over UDP (``key_name``), or powers off."""

    key_name: str


LAN_BUTTONS: tuple[LanButtonDescription, ...] = tuple(
    LanButtonDescription(key=key, translation_key=key, key_name=key_name)
    for key, key_name in (
        ("autofocus", "AUTOFOCUS"),
        ("gear", "GEAR"),
        ("source_menu", "SOURCE_MENU"),
        ("home", "HOME"),
        ("back", "BACK"),
        ("mute", "MUTE"),
        ("power_off", "SLEEP"),
    )
)
"""The ADB entry's buttons (each has a LAN code), plus mute (a toggle: the protocol cannot set
it) and power off (the protocol's 关机 code)."""


class LanButton(LanEntity, ButtonEntity):
    """Presses one key over XGIMI's LAN key protocol."""

    entity_description: LanButtonDescription

    def __init__(self, coordinator: LanCoordinator, description: LanButtonDescription) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        projector = self.coordinator.projector
        if self.entity_description.key == "power_off":
            await self.async_run_command(self.coordinator.async_turn_off())
            return
        await self.async_run_command(projector.press(self.entity_description.key_name))


# --- remote ----------------------------------------------------------------------------------


class LanRemote(LanEntity, RemoteEntity):
    """Sends key presses over UDP: names from the library's whitelist that have a LAN code."""

    _attr_translation_key = "remote"

    def __init__(self, coordinator: LanCoordinator) -> None:
        super().__init__(coordinator, "remote")

    @property
    def assumed_state(self) -> bool:
        return not self.coordinator.power_known

    @property
    def is_on(self) -> bool | None:
        return self.coordinator.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_run_command(self.coordinator.async_turn_on())

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_run_command(self.coordinator.async_turn_off())

    async def async_send_command(self, command: Iterable[str], **kwargs: Any) -> None:
        await self.async_run_command(
            self.coordinator.projector.send_keys(
                list(command),
                repeats=int(kwargs.get(ATTR_NUM_REPEATS, 1)),
                delay_s=float(kwargs.get(ATTR_DELAY_SECS, DEFAULT_DELAY_SECS)),
            )
        )


# --- media player ----------------------------------------------------------------------------

_FEATURES = Feature.TURN_OFF | Feature.VOLUME_STEP | Feature.SELECT_SOURCE


class LanMediaPlayer(LanEntity, MediaPlayerEntity, RestoreEntity):
    """The projector's power, volume steps and Home / source menu, without ADB."""

    _attr_device_class = MediaPlayerDeviceClass.TV
    _attr_name = None
    _attr_translation_key = "projector"

    def __init__(self, coordinator: LanCoordinator) -> None:
        super().__init__(coordinator, None)
        self._attr_source_list = list(coordinator.sources)

    async def async_added_to_hass(self) -> None:
        """An assumed state survives a restart (nothing else could tell it)."""
        await super().async_added_to_hass()
        projector = self.coordinator.projector
        last = await self.async_get_last_state()
        if (
            projector.assumed_on is None
            and last is not None
            and last.state in (STATE_ON, STATE_OFF)
        ):
            projector.assumed_on = last.state == STATE_ON

    @property
    def assumed_state(self) -> bool:
        return not self.coordinator.power_known

    @property
    def supported_features(self) -> Feature:
        power = self.coordinator.power
        if power.has_plug or power.has_wake_action:
            return _FEATURES | Feature.TURN_ON
        return _FEATURES

    @property
    def state(self) -> MediaPlayerState | None:
        is_on = self.coordinator.is_on
        if is_on is None:
            return None
        return MediaPlayerState.ON if is_on else MediaPlayerState.OFF

    @property
    def extra_state_attributes(self) -> dict[str, str]:
        """``power_phase`` as on an ADB entry, and where the state comes from."""
        return {
            "power_phase": self.coordinator.data.phase.value,
            "power_source": "plug" if self.coordinator.power_known else "assumed",
        }

    @callback
    def _handle_coordinator_update(self) -> None:
        self._attr_source_list = list(self.coordinator.sources)
        super()._handle_coordinator_update()

    async def async_turn_on(self) -> None:
        """The wake action, else the plug (上电自动开机): the protocol cannot wake a projector
        in standby."""
        await self.async_run_command(self.coordinator.async_turn_on())

    async def async_turn_off(self) -> None:
        await self.async_run_command(self.coordinator.async_turn_off())

    async def async_volume_up(self) -> None:
        await self.async_run_command(self.coordinator.projector.volume_up())

    async def async_volume_down(self) -> None:
        await self.async_run_command(self.coordinator.projector.volume_down())

    async def async_select_source(self, source: str) -> None:
        target = self.coordinator.source_target(source)
        await self.async_run_command(self.coordinator.projector.select_source(target))


def lan_entities(coordinator: XgimiCoordinator, platform: str) -> list[XgimiEntity]:
    """The LAN entry's entities of one platform (``button``, ``media_player``, ``remote``)."""
    lan = coordinator
    assert isinstance(lan, LanCoordinator)
    if platform == "button":
        return [LanButton(lan, description) for description in LAN_BUTTONS]
    if platform == "media_player":
        return [LanMediaPlayer(lan)]
    return [LanRemote(lan)]
