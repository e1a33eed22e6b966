"""Stand-ins for the integrations the Xiaoai blueprints listen to and answer through.

They follow the real integrations as read (``docs/xiaoai.md``), not earlier assumptions:

* Xiaomi Home (``ha_xiaomi_home`` v0.4.7): the hub's virtual event is a real Home Assistant
  ``EventEntity``, so its state is the time the event *arrived* (HA sets it), ``unknown`` before
  its first event, the old event restored after a reload or restart, and ``unavailable`` while
  the device is offline. The event argument is an attribute named in the language chosen in the
  integration's own settings (§2.1). Speaker actions with inputs are notify entities that read
  the message as YAML and need exactly as many values as the action has inputs; "execute text
  directive" has two, and given one text it only logs "invalid action params" (§2.2).
* Xiaomi Miot Auto (``hass-xiaomi-miot`` v1.1.4): each poll fetches the newest three records of
  the speaker's cloud log; the newest is the state, ``content`` and ``timestamp``, the older
  ones are ``history`` (their queries only, newest first, no times). A failed poll keeps the
  state and clears the attributes (§1.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import logging
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.components.event import EventEntity
from homeassistant.components.media_player import (
    MediaPlayerEntity,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.components.notify import NotifyEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util, yaml as yaml_util

_LOGGER = logging.getLogger(__name__)

EVENT_ENTITY = "event.xiaomi_cn_123_hub1_virtual_event_e_4_1"
PLAY_TEXT = "notify.xiaomi_cn_789_lx06_play_text_a_5_1"
EXECUTE_TEXT = "notify.xiaomi_cn_789_lx06_execute_text_directive_a_5_5"
CONVERSATION = "sensor.xiaomi_lx06_dea6_conversation"
SPEAKER = "media_player.xiaomi_lx06_dea6_play_control"
SHANGHAI = ZoneInfo("Asia/Shanghai")

VIRTUAL_EVENT_NAMES = {
    "zh-Hans": ("虚拟事件发生", "事件名称"),
    "zh-Hant": ("虛擬事件發生", "事件名稱"),
    "en": ("Virtual Event Occurred", "Event Name"),
    "de": ("Virtuelles Ereignis aufgetreten", "Ereignisname"),
}
"""The hub's event 4.1 and its argument 4.1 in some of Xiaomi Home's integration languages."""


class HubVirtualEvent(EventEntity):
    """The central hub's "Virtual Event Occurred" entity."""

    _attr_should_poll = False

    def __init__(self, language: str) -> None:
        event_type, argument = VIRTUAL_EVENT_NAMES[language]
        self.entity_id = EVENT_ENTITY
        self._attr_unique_id = EVENT_ENTITY
        self._attr_name = f"中枢网关 {event_type}"
        self._attr_event_types = [event_type]
        self._argument = argument

    @callback
    def emit(self, name: str) -> None:
        """The hub sent a virtual event (a new one, or its last one again)."""
        self._trigger_event(self._attr_event_types[0], {self._argument: name})
        self.async_write_ha_state()

    @callback
    def set_online(self, online: bool) -> None:
        if online != self._attr_available:
            self._attr_available = online
            self.async_write_ha_state()


class SpeakerTextAction(NotifyEntity):
    """A Xiaoai speaker action with inputs (play text: one; execute text directive: two)."""

    _attr_should_poll = False

    def __init__(self, entity_id: str, inputs: list[tuple[str, type]]) -> None:
        self.entity_id = entity_id
        self._attr_unique_id = entity_id
        self._inputs = inputs
        params = ", ".join(f"{name}({kind.__name__})" for name, kind in inputs)
        self._attr_extra_state_attributes = {"action params": f"[{params}]"}
        self.sent: list[list[Any]] = []
        """The values of every action that ran."""

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        try:
            values = yaml_util.parse_yaml(message)
        except HomeAssistantError:
            _LOGGER.error("action exec failed, %s, invalid action params format", self.entity_id)
            return
        if len(self._inputs) == 1 and not isinstance(values, list):
            values = [values]
        if not isinstance(values, list) or len(values) != len(self._inputs):
            _LOGGER.error(
                "action exec failed, %s, invalid action params, %s", self.entity_id, message
            )
            return
        converted: list[Any] = []
        for value, (_, kind) in zip(values, self._inputs, strict=True):
            if kind is str and isinstance(value, bool | int | float | str):
                converted.append(str(value))
            elif kind is bool and isinstance(value, bool | int):
                converted.append(bool(value))
            else:
                _LOGGER.error("action exec failed, %s, invalid params item", self.entity_id)
                return
        self.sent.append(converted)


def play_text_entity() -> SpeakerTextAction:
    return SpeakerTextAction(PLAY_TEXT, [("Text Content", str)])


def execute_text_entity() -> SpeakerTextAction:
    return SpeakerTextAction(EXECUTE_TEXT, [("Text Content", str), ("Silent Execution", bool)])


class FakeXiaoaiSpeaker(MediaPlayerEntity):
    """hass-xiaomi-miot's speaker media_player, as far as the blueprint uses it."""

    _attr_name = "Xiaomi LX06 dea6 Play Control"
    _attr_unique_id = "lx06_dea6_play_control"
    _attr_supported_features = MediaPlayerEntityFeature.PAUSE | MediaPlayerEntityFeature.PLAY
    _attr_state = MediaPlayerState.PLAYING

    def __init__(self) -> None:
        self.pauses = 0

    async def async_media_pause(self) -> None:
        self.pauses += 1
        self._attr_state = MediaPlayerState.PAUSED
        self.async_write_ha_state()


@dataclass
class ConversationLog:
    """A speaker's cloud conversation log and Xiaomi Miot Auto's sensor that polls it."""

    hass: HomeAssistant
    entity_id: str = CONVERSATION
    limit: int = 3
    records: list[tuple[datetime, str | None]] = field(default_factory=list)

    def say(self, query: str | None, at: datetime | None = None) -> datetime:
        """Something is said to the speaker (seen by the sensor at its next poll)."""
        when = at or dt_util.utcnow()
        self.records.append((when, query))
        return when

    def poll(self, *, upto: datetime | None = None) -> None:
        """A successful poll: the newest ``limit`` records, newest first. With ``upto`` the
        cloud answers with an old window (only the records said until then): a replay."""
        said = [record for record in self.records if upto is None or record[0] <= upto]
        window = sorted(said, key=lambda record: record[0], reverse=True)[: self.limit]
        current = self.hass.states.get(self.entity_id)
        state = current.state if current is not None else "unknown"
        if state == "unavailable":
            state = "unknown"
        when, query = window[0] if window else (None, None)
        self._write(
            query or state,
            {
                "content": query,
                "answers": [{"type": "TTS", "tts": {"text": "好的"}}] if query else [],
                "history": [older for _, older in window[1:]],
                "timestamp": when.astimezone(SHANGHAI) if when else None,
            },
        )

    def fail(self) -> None:
        """A failed poll: the state (the last query) stays, the attributes are cleared."""
        current = self.hass.states.get(self.entity_id)
        state = current.state if current is not None else "unknown"
        self._write(state, {"content": None, "answers": [], "history": [], "timestamp": None})

    def unavailable(self) -> None:
        self.hass.states.async_set(self.entity_id, "unavailable", {})

    def _write(self, state: str, attributes: dict[str, Any]) -> None:
        self.hass.states.async_set(
            self.entity_id,
            state,
            {
                **attributes,
                "icon": "mdi:account-voice",
                "friendly_name": "Xiaomi LX06 dea6 Conversation",
            },
        )
