"""Where a person sees what voice did: the last command per projector, and the logbook.

Each sentence the voice action parses is recorded on the projector it was for (or, when it was
not understood, on every projector it could have been for): the ``last voice command`` sensor
shows its reply, with the text, intent, outcome and refusal as attributes, and an event puts it
in the logbook. A blueprint that could not speak the reply (a notify entity that takes two
inputs, a speaker offline) fires :data:`EVENT_VOICE_REPLY_FAILED`; the record of that reply is
then marked failed with the reason, so the failure shows where the reply would have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import XgimiCoordinator

EVENT_VOICE_COMMAND = f"{DOMAIN}_voice_command"
"""Fired for every parsed sentence (logbook: "投影仪 语音：…")."""
EVENT_VOICE_REPLY_FAILED = f"{DOMAIN}_voice_reply_failed"
"""Fired by our blueprints when the reply could not be spoken (reason, reply)."""

REPLY_NONE = "none"
"""Nothing to say (a skipped or silent sentence)."""
REPLY_RETURNED = "returned"
"""The reply went back to the caller (a blueprint speaks it; only it knows whether it did)."""
REPLY_FAILED = "failed"
"""A blueprint reported that it could not speak the reply."""


@dataclass(frozen=True, slots=True)
class VoiceRecord:
    """One sentence as the voice action handled it."""

    text: str
    intent: str | None
    outcome: str | None
    refusal: str | None
    reply: str
    time: datetime
    reply_status: str = REPLY_NONE
    reply_error: str | None = None

    @property
    def attributes(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "outcome": self.outcome,
            "refusal": self.refusal,
            "reply": self.reply,
            "reply_status": self.reply_status,
            "reply_error": self.reply_error,
            "time": self.time.isoformat(),
        }


@callback
def async_record(
    hass: HomeAssistant,
    coordinators: Iterable[XgimiCoordinator],
    answer: Mapping[str, Any],
    context: Context | None,
) -> None:
    """Record one answer of the voice action on these projectors and in the logbook."""
    record = VoiceRecord(
        text=str(answer.get("text") or ""),
        intent=answer.get("intent"),
        outcome=answer.get("outcome"),
        refusal=answer.get("refusal"),
        reply=str(answer.get("reply") or ""),
        time=dt_util.utcnow(),
        reply_status=REPLY_RETURNED if answer.get("reply") else REPLY_NONE,
    )
    for coordinator in coordinators:
        coordinator.last_voice = record
        coordinator.async_update_listeners()
        hass.bus.async_fire(
            EVENT_VOICE_COMMAND,
            {
                ATTR_ENTITY_ID: coordinator.media_player_id,
                "name": coordinator.config_entry.title,
                **{k: v for k, v in record.attributes.items() if k != "time"},
            },
            context=context,
        )


@callback
def async_listen_reply_failures(hass: HomeAssistant) -> CALLBACK_TYPE:
    """Mark the record whose reply a blueprint could not speak (matched by the reply text)."""

    @callback
    def _failed(event: Event) -> None:
        reply = str(event.data.get("reply") or "")
        reason = str(event.data.get("reason") or "unknown")
        for entry in hass.config_entries.async_loaded_entries(DOMAIN):
            coordinator: XgimiCoordinator = entry.runtime_data
            last = coordinator.last_voice
            if last is not None and last.reply and last.reply in reply:
                coordinator.last_voice = replace(
                    last, reply_status=REPLY_FAILED, reply_error=reason
                )
                coordinator.async_update_listeners()

    return hass.bus.async_listen(EVENT_VOICE_REPLY_FAILED, _failed)
