"""Logbook entries for voice: what was said to which projector, and what it answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_CONTEXT_ID,
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.components.logbook.models import LazyEventPartialState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .voice_feedback import EVENT_VOICE_COMMAND, EVENT_VOICE_REPLY_FAILED


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[LazyEventPartialState], dict[str, Any]]], None
    ],
) -> None:
    """Describe the voice events (the text stays as said; the reply is ours, in Chinese)."""

    @callback
    def _voice(event: LazyEventPartialState) -> dict[str, Any]:
        data = event.data
        reply = data.get("reply") or ""
        outcome = data.get("outcome") or data.get("refusal") or ""
        message = f"“{data.get('text', '')}” → {outcome}" + (f": {reply}" if reply else "")
        return {
            LOGBOOK_ENTRY_NAME: data.get("name") or DOMAIN,
            LOGBOOK_ENTRY_MESSAGE: message,
            LOGBOOK_ENTRY_ENTITY_ID: data.get(ATTR_ENTITY_ID),
            LOGBOOK_ENTRY_CONTEXT_ID: event.context_id,
        }

    @callback
    def _reply_failed(event: LazyEventPartialState) -> dict[str, Any]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: "Voice reply",
            LOGBOOK_ENTRY_MESSAGE: f"could not be spoken ({data.get('reason', 'unknown')}): "
            f"{data.get('reply', '')}",
            LOGBOOK_ENTRY_CONTEXT_ID: event.context_id,
        }

    async_describe_event(DOMAIN, EVENT_VOICE_COMMAND, _voice)
    async_describe_event(DOMAIN, EVENT_VOICE_REPLY_FAILED, _reply_failed)
