"""``xgimi_projector.voice_command``: a Chinese sentence in, an action and a spoken reply out.

The sentence is parsed by the HA-free :mod:`.voice` (which refuses what it does not
understand, including our own replies); this module only finds the projector, runs the command
through the same library calls the entities use, and builds the reply from what actually
happened. What must never run twice (a replayed request, our own reply coming back, a record a
conversation log shows again, the virtual event ha_xiaomi_home sends again after it came back)
is decided with the HA-free :class:`.voice.VoiceMemory`; see ``docs/xiaoai.md`` §1.3 and §2.1.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from .const import DOMAIN
from .voice import (
    MAX_TEXT_LENGTH,
    ParseResult,
    Refusal,
    VoiceMemory,
    new_sentences,
    parse,
    reply,
)
from .voice_executor import Target, answer, run, sources, targets
from .voice_feedback import async_listen_reply_failures, async_record

_LOGGER = logging.getLogger(__name__)

ATTR_TEXT = "text"
ATTR_REQUIRE_NAME = "require_name"
ATTR_WAIT = "wait"
ATTR_REQUEST_ID = "request_id"
ATTR_SOURCE = "source"
ATTR_RECORD_TIME = "record_time"
ATTR_HISTORY = "history"
ATTR_PREVIOUS = "previous"
ATTR_REPLAY_OF = "replay_of"
ATTR_REPLAY_WINDOW = "replay_window"

SKIP_DUPLICATE = "duplicate"
"""``refusal`` of a request id or a record already handled."""
SKIP_ECHO = "echo"
"""``refusal`` of a sentence equal to one of our last replies."""
SKIP_REPLAY = "replay"
"""``refusal`` of the sentence a source sent again after it came back."""

_SENTENCE = vol.All(vol.Any(None, cv.string), lambda value: (value or "").strip())
_SENTENCES = vol.All(cv.ensure_list, vol.Length(max=10), [_SENTENCE])


def _source_given(data: dict[str, Any]) -> dict[str, Any]:
    """``record_time`` and ``replay_of`` are remembered per ``source``: they need one."""
    if ATTR_SOURCE not in data and (ATTR_RECORD_TIME in data or ATTR_REPLAY_OF in data):
        raise vol.Invalid(f"{ATTR_RECORD_TIME} and {ATTR_REPLAY_OF} need {ATTR_SOURCE}")
    return data


VOICE_COMMAND_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Required(ATTR_TEXT): vol.All(cv.string, vol.Length(max=MAX_TEXT_LENGTH)),
            vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
            vol.Optional(ATTR_REQUIRE_NAME, default=True): cv.boolean,
            vol.Optional(ATTR_WAIT, default=False): cv.boolean,
            vol.Optional(ATTR_REQUEST_ID): vol.All(cv.string, vol.Length(max=200)),
            vol.Optional(ATTR_SOURCE): vol.All(cv.string, vol.Length(min=1, max=200)),
            vol.Optional(ATTR_RECORD_TIME): vol.Coerce(float),
            vol.Optional(ATTR_HISTORY, default=list): _SENTENCES,
            vol.Optional(ATTR_PREVIOUS, default=list): _SENTENCES,
            vol.Optional(ATTR_REPLAY_OF): _SENTENCE,
            vol.Optional(ATTR_REPLAY_WINDOW, default=600): vol.All(
                vol.Coerce(float), vol.Range(min=0, max=86400)
            ),
        },
        extra=vol.PREVENT_EXTRA,
    ),
    _source_given,
)


_MEMORY: HassKey[VoiceMemory] = HassKey(f"{DOMAIN}_voice_memory")


async def async_voice_command(call: ServiceCall) -> ServiceResponse:
    """Parse the sentence, run it, and answer ``{matched, intent, target, reply, …, records}``.

    ``records`` has one answer per sentence run, oldest first: with ``history`` a conversation
    log may bring sentences said before ``text`` that were not handled yet. The other keys
    answer ``text`` itself.
    """
    hass = call.hass
    data = call.data
    text: str = data[ATTR_TEXT]
    memory = hass.data.get(_MEMORY)
    if memory is None:
        memory = hass.data[_MEMORY] = VoiceMemory()
        # A blueprint that cannot speak a reply says so; the record of that reply shows it.
        async_listen_reply_failures(hass)
    request_id: str | None = data.get(ATTR_REQUEST_ID)
    if request_id is not None and not memory.first_time(request_id):
        _LOGGER.debug("Voice request %s was handled already: ignored", request_id)
        return {**_skipped(text, SKIP_DUPLICATE), "records": []}
    candidates = targets(hass, data.get(ATTR_ENTITY_ID))
    source: str | None = data.get(ATTR_SOURCE)
    record_time: float | None = data.get(ATTR_RECORD_TIME)
    history: list[str] = data[ATTR_HISTORY]
    if source is not None and record_time is not None and memory.is_old(source, record_time):
        _LOGGER.debug("Voice record of %s at %s was handled already: ignored", source, record_time)
        return {**_skipped(text, SKIP_DUPLICATE), "records": []}
    handled: tuple[str, ...] = ()
    if source is not None:
        if (replay_of := data.get(ATTR_REPLAY_OF)) and data[ATTR_REPLAY_WINDOW] > 0:
            memory.expect_replay(source, replay_of, data[ATTR_REPLAY_WINDOW])
        handled = memory.window(source)
        memory.handled(source, record_time, [text, *history])
    sentences = new_sentences(text, history, data[ATTR_PREVIOUS], handled)
    records: list[JsonValueType] = [
        await _handle(call, memory, candidates, sentence, source)
        for sentence in sentences[:-1]
        if sentence
    ]
    newest = await _handle(call, memory, candidates, text, source)
    records.append(newest)
    return {**newest, "records": records}


async def _handle(
    call: ServiceCall,
    memory: VoiceMemory,
    candidates: list[Target],
    text: str,
    source: str | None,
) -> dict[str, JsonValueType]:
    """One sentence: dropped if it is a replay or our own reply, else parsed and run."""
    if source is not None and memory.is_replay(source, text):
        _LOGGER.info("Voice %r from %s is the replay of its last one: ignored", text, source)
        return _skipped(text, SKIP_REPLAY)
    if memory.is_echo(text):
        _LOGGER.debug("Voice %r is our own reply coming back: ignored", text)
        return _skipped(text, SKIP_ECHO)
    result, target = _parse_for(candidates, text, require_name=call.data[ATTR_REQUIRE_NAME])
    if result.command is None or target is None:
        if result.command is not None:  # understood, but which projector?
            result = ParseResult(result.text, None, Refusal.AMBIGUOUS)
        _LOGGER.debug("Voice text %r not handled: %s", text, result.refusal)
        spoken = reply(result)
        memory.remember_reply("", spoken)
        response = answer(result, None, spoken, None)
        if result.refusal is not Refusal.OWN_REPLY:  # silence is not news
            async_record(call.hass, [c.coordinator for c in candidates], response, call.context)
        return response
    outcome, spoken = await run(target, result, call.context, wait=call.data[ATTR_WAIT])
    memory.remember_reply(target.entry.entry_id, spoken)
    response = answer(result, target, spoken, outcome)
    async_record(call.hass, [target.coordinator], response, call.context)
    return response


def _skipped(text: str, why: str) -> dict[str, JsonValueType]:
    """The answer for a sentence that is not even parsed: nothing runs, nothing is said."""
    return {
        "matched": False,
        "intent": None,
        "target": None,
        "reply": "",
        "outcome": None,
        "refusal": why,
        "text": text,
    }


def _parse_for(
    candidates: list[Target], text: str, *, require_name: bool
) -> tuple[ParseResult, Target | None]:
    """Parse with each projector's own source names; keep the reading that names it (or the
    only projector's). Two projectors may give the same alias to different inputs."""
    names = {c.entry.entry_id: c.names for c in candidates}
    fallback: ParseResult | None = None
    for candidate in candidates:
        result = parse(text, targets=names, sources=sources(candidate), require_name=require_name)
        command = result.command
        if command is not None and (
            command.target == candidate.entry.entry_id
            or (command.target is None and len(candidates) == 1)
        ):
            return result, candidate
        if fallback is None or (fallback.command is None and command is not None):
            fallback = result
    if fallback is None:  # no projector loaded
        fallback = parse(text, require_name=require_name)
    return fallback, None
