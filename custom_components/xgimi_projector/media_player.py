"""The projector as a media player (named after the device)."""

from __future__ import annotations

from homeassistant.components.media_player import MediaPlayerDeviceClass, MediaPlayerEntity
from homeassistant.components.media_player.const import (
    MediaPlayerEntityFeature as Feature,
    MediaPlayerState,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .entity import XgimiEntity, command
from .lan_entities import lan_entities
from .lan_setup import is_lan_entry
from .projector import POWERING_ON, Playback, SourceKind

PARALLEL_UPDATES = 0
"""The library queues commands itself, and turn_off must be able to cancel a running turn_on."""

_BASE_FEATURES = (
    Feature.TURN_ON
    | Feature.TURN_OFF
    | Feature.VOLUME_STEP
    | Feature.VOLUME_SET
    | Feature.VOLUME_MUTE
    | Feature.PLAY
    | Feature.PAUSE
    | Feature.STOP
    | Feature.NEXT_TRACK
    | Feature.PREVIOUS_TRACK
)

_PLAYBACK_STATE = {
    Playback.PLAYING: MediaPlayerState.PLAYING,
    Playback.PAUSED: MediaPlayerState.PAUSED,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the media player."""
    if is_lan_entry(entry):
        async_add_entities(lan_entities(entry.runtime_data, "media_player"))
        return
    async_add_entities([XgimiMediaPlayer(entry.runtime_data)])


class XgimiMediaPlayer(XgimiEntity, MediaPlayerEntity):
    """An XGIMI projector."""

    _attr_device_class = MediaPlayerDeviceClass.TV
    _attr_name = None
    _attr_translation_key = "projector"

    def __init__(self, coordinator: XgimiCoordinator) -> None:
        super().__init__(coordinator, None)
        self._update_attrs()

    @property
    def available(self) -> bool:
        """Off (not unavailable) in standby or mains-off while a plug can turn it on."""
        if not self.coordinator.last_update_success:
            return False
        return self.coordinator.data.can_power_on

    @property
    def extra_state_attributes(self) -> dict[str, str]:
        """``power_phase``: what the power is doing (booting… while the state is still off),
        so blueprints and voice replies need no second entity."""
        return {"power_phase": self.coordinator.data.phase.value}

    @property
    def supported_features(self) -> Feature:
        features = _BASE_FEATURES
        if self.coordinator.sources:
            features |= Feature.SELECT_SOURCE
        return features

    @callback
    def _handle_coordinator_update(self) -> None:
        self._update_attrs()
        super()._handle_coordinator_update()

    def _update_attrs(self) -> None:
        snapshot = self.coordinator.data
        self._attr_source_list = list(self.coordinator.sources)
        self._attr_media_title = None
        if snapshot is None or not snapshot.is_on or not snapshot.reachable:
            # Nothing shows, or nothing is known of what does. A power-on takes 20–90 s: show
            # that it is starting, and its phase in Home Assistant's (system) language, where
            # the user pressed (state "off" would hide everything). With ADB silent but the
            # plug's draw at the in-use level the lamp is on: on (power_phase: unreachable).
            if snapshot is not None and snapshot.is_on:
                self._attr_state = MediaPlayerState.ON
            elif snapshot is not None and snapshot.powering_on:
                self._attr_state = MediaPlayerState.BUFFERING
                self._attr_media_title = (
                    self.coordinator.phase_text(snapshot.phase)
                    if snapshot.phase in POWERING_ON
                    # Before mains is touched: making sure it is standby, not a Wi-Fi blip
                    # (up to 30 s after it last answered).
                    else self.coordinator.text(
                        "media_player.projector.state_attributes.media_title.state.starting",
                        "Starting: confirming standby",
                    )
                )
            else:
                self._attr_state = MediaPlayerState.OFF
            self._attr_source = None
            self._attr_app_id = None
            self._attr_app_name = None
            self._attr_volume_level = None
            self._attr_is_volume_muted = None
            return
        state = snapshot.device
        if state.volume_max:
            # One volume key press (HA's volume_up/down and relative-volume intents).
            self._attr_volume_step = 1 / state.volume_max
        if state.playback in _PLAYBACK_STATE:
            self._attr_state = _PLAYBACK_STATE[state.playback]
        elif state.source_kind is SourceKind.LAUNCHER:
            self._attr_state = MediaPlayerState.IDLE
        else:
            self._attr_state = MediaPlayerState.ON
        self._attr_source = self.coordinator.source_name(state)
        self._attr_app_id = state.foreground_package
        self._attr_app_name = self.coordinator.app_name(state.foreground_package)
        self._attr_volume_level = state.volume_level
        self._attr_is_volume_muted = state.muted

    async def async_turn_on(self) -> None:
        """Wake from 关屏, or power on through the plug (coalesced; see the power module)."""
        await self.async_run_power(self.coordinator.power.turn_on())

    async def async_turn_off(self) -> None:
        """Soft power-off; cancels a running power-on."""
        await self.async_run_power(self.coordinator.power.turn_off())

    @command
    async def async_volume_up(self) -> None:
        """One step of the projector's scale (``volume_step``), as its remote's key."""
        await self.coordinator.projector.volume_up()

    @command
    async def async_volume_down(self) -> None:
        """One step of the projector's scale (``volume_step``), as its remote's key."""
        await self.coordinator.projector.volume_down()

    @command
    async def async_set_volume_level(self, volume: float) -> None:
        await self.coordinator.projector.set_volume_level(volume)

    @command
    async def async_mute_volume(self, mute: bool) -> None:
        await self.coordinator.projector.mute(mute)

    @command
    async def async_media_play(self) -> None:
        await self.coordinator.projector.play()

    @command
    async def async_media_pause(self) -> None:
        await self.coordinator.projector.pause()

    @command
    async def async_media_stop(self) -> None:
        await self.coordinator.projector.stop()

    @command
    async def async_media_next_track(self) -> None:
        await self.coordinator.projector.next_track()

    @command
    async def async_media_previous_track(self) -> None:
        await self.coordinator.projector.previous_track()

    @command
    async def async_select_source(self, source: str) -> None:
        await self.coordinator.projector.select_source(self.coordinator.source_target(source))
