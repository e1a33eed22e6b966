"""``xgimi_projector.voice_command``: a Chinese sentence in, an action and a spoken reply out.

The sentence is parsed by the HA-free :mod:`.voice` (which refuses what it does not
understand, including our own replies); this module only finds the projector, runs the command
through the same library calls the entities use, and builds the reply from what actually
happened. What must never run twice (a replayed request, our own reply coming back, a record a
conversation log shows again, the virtual event ha_xiaomi_home sends again after it came back)
is decided with the HA-free :class:`.voice.VoiceMemory`; see ``docs/xiaoai.md`` §1.3 and §2.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import logging
import re
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from .const import DOMAIN
from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .projector import (
    NoPlugError,
    NotSupportedError,
    PlugUnavailableError,
    PowerError,
    PowerOffResult,
    PowerOnResult,
    Projector,
    ProjectorSnapshot,
    ProjectorState,
    ProjectorUnreachableError,
    XgimiError,
)
from .voice import (
    MAX_TEXT_LENGTH,
    Facts,
    Intent,
    Outcome,
    ParseResult,
    Refusal,
    VoiceCommand,
    VoiceMemory,
    new_sentences,
    parse,
    reply,
)
from .voice_feedback import async_listen_reply_failures, async_record

_LOGGER = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")

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

DEFAULT_VOLUME_STEPS = 2
"""音量大一点 without an amount: two steps (about 13 % on XGIMI's 0–15 scale)."""
QUICK_ANSWER_S = 3.0
"""A power-on that finishes this fast (关屏 wake, already on) is answered as done; a longer
one (a plug cycle) is answered with its progress and keeps running."""

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


@dataclass(slots=True)
class _Target:
    entry: XgimiConfigEntry
    entity_id: str | None
    names: list[str]

    @property
    def coordinator(self) -> XgimiCoordinator:
        return self.entry.runtime_data

    @property
    def spoken_name(self) -> str:
        """The first Chinese name (the reply is Chinese), else 投影仪."""
        return next((n for n in self.names if _CJK.search(n)), "投影仪")


def _targets(hass: HomeAssistant, entity_ids: list[str] | None) -> list[_Target]:
    """Loaded projectors (those named by ``entity_ids`` when given) and their spoken names."""
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    targets: list[_Target] = []
    wanted = set(entity_ids or [])
    found: set[str] = set()
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED or entry.unique_id is None:
            continue
        entity_id = entry.runtime_data.media_player_id
        if wanted and entity_id not in wanted:
            continue
        if entity_id:
            found.add(entity_id)
        names: list[str] = []
        # (Not async_get_device(identifiers=…): deprecated from Home Assistant 2026.8.)
        device = next(iter(dr.async_entries_for_config_entry(devices, entry.entry_id)), None)
        if device is not None and device.name_by_user:
            names.append(device.name_by_user)
        names.append(entry.title)
        if entity_id and (entity := entities.async_get(entity_id)) is not None:
            # The state's name is the full name on every release (from 2026.10 the registry
            # name may be only the part after the device's name).
            if (state := hass.states.get(entity_id)) is not None and entity.name:
                names.append(state.name)
            # From 2026.4 the aliases also hold a placeholder that is not a string.
            names.extend(sorted(a for a in entity.aliases if isinstance(a, str)))
        targets.append(_Target(entry, entity_id, list(dict.fromkeys(n for n in names if n))))
    if unknown := sorted(wanted - found):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="voice_unknown_target",
            translation_placeholders={"entity_id": ", ".join(unknown)},
        )
    return targets


def _sources(target: _Target) -> dict[str, list[str]]:
    """The projector's selectable sources (display name → spoken aliases)."""
    coordinator = target.coordinator
    aliases = coordinator.options.source_aliases
    return {name: [name, *aliases.get(name, [])] for name in coordinator.sources}


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
    candidates = _targets(hass, data.get(ATTR_ENTITY_ID))
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
    candidates: list[_Target],
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
        answer = _response(result, None, spoken, None)
        if result.refusal is not Refusal.OWN_REPLY:  # silence is not news
            async_record(call.hass, [c.coordinator for c in candidates], answer, call.context)
        return answer
    if result.command.intent in (Intent.TURN_ON, Intent.TURN_OFF):
        # The plug's switching and the projector's state changes are logged as caused by it.
        target.coordinator.set_power_context(call.context)
    outcome, facts = await _execute(target, result.command, wait=call.data[ATTR_WAIT])
    spoken = reply(result, outcome, name=target.spoken_name, facts=facts)
    memory.remember_reply(target.entry.entry_id, spoken)
    _LOGGER.info(
        "Voice %r → %s on %s: %s", text, result.command.intent, target.entry.title, outcome
    )
    answer = _response(result, target, spoken, outcome)
    async_record(call.hass, [target.coordinator], answer, call.context)
    return answer


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
    candidates: list[_Target], text: str, *, require_name: bool
) -> tuple[ParseResult, _Target | None]:
    """Parse with each projector's own source names; keep the reading that names it (or the
    only projector's). Two projectors may give the same alias to different inputs."""
    targets = {c.entry.entry_id: c.names for c in candidates}
    fallback: ParseResult | None = None
    for candidate in candidates:
        result = parse(
            text, targets=targets, sources=_sources(candidate), require_name=require_name
        )
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


def _response(
    result: ParseResult, target: _Target | None, spoken: str, outcome: Outcome | None
) -> dict[str, JsonValueType]:
    command = result.command
    return {
        "matched": command is not None and target is not None,
        "intent": command.intent.value if command is not None else None,
        "target": target.entity_id if target is not None else None,
        "reply": spoken,
        "outcome": outcome.value if outcome is not None else None,
        "refusal": result.refusal.value if result.refusal is not None else None,
        "text": result.text,
    }


_OUTCOME_BY_ERROR: Mapping[str, Outcome] = MappingProxyType(
    {
        NoPlugError.translation_key: Outcome.NO_PLUG,
        PlugUnavailableError.translation_key: Outcome.NO_PLUG,
        NotSupportedError.translation_key: Outcome.NOT_SUPPORTED,
        ProjectorUnreachableError.translation_key: Outcome.UNAVAILABLE,
    }
)
"""What the reply says for a library error, by the error's key (any other error: FAILED)."""


async def _execute(target: _Target, command: VoiceCommand, *, wait: bool) -> tuple[Outcome, Facts]:
    """Run ``command``; the outcome and the facts the reply needs."""
    coordinator = target.coordinator
    if command.intent is Intent.QUERY:
        return Outcome.DONE, _status_facts(coordinator.data, coordinator)
    try:
        if command.intent is Intent.TURN_ON:
            return await _turn_on(target, wait=wait)
        if command.intent is Intent.TURN_OFF:
            off = await coordinator.power.turn_off()
            done = Outcome.ALREADY if off is PowerOffResult.ALREADY_OFF else Outcome.DONE
            return done, Facts()
        if not coordinator.data.reachable or not coordinator.data.is_on:
            return Outcome.UNAVAILABLE, Facts()
        outcome = await _run(target, command)
    except XgimiError as err:
        outcome = _OUTCOME_BY_ERROR.get(err.translation_key, Outcome.FAILED)
        if outcome is not Outcome.FAILED:
            return outcome, Facts()
        _LOGGER.warning(
            "Voice command %s on %s failed: %s", command.intent, target.entry.title, err
        )
        return outcome, Facts(phase=coordinator.data.phase)
    finally:
        # One poll, now (not debounced): the state the reply reports, and the entities'.
        await coordinator.async_refresh()
    volume_percent = _volume_percent(coordinator.data.device)
    return outcome, Facts(
        volume_percent=volume_percent,
        source=command.source,
        possible_sources=tuple(coordinator.sources) if outcome is Outcome.NOT_SUPPORTED else (),
    )


async def _turn_on(target: _Target, *, wait: bool) -> tuple[Outcome, Facts]:
    coordinator = target.coordinator
    task = coordinator.power.start_turn_on()
    done, _ = await asyncio.wait({task}, timeout=None if wait else QUICK_ANSWER_S)
    if not done:
        return Outcome.POWERING_ON, Facts(phase=coordinator.data.phase)
    result = task.result()  # raises the power error, handled by the caller
    if result is PowerOnResult.ALREADY_ON:
        return Outcome.ALREADY, Facts(is_on=True)
    return Outcome.DONE, Facts(is_on=True)


async def _run(target: _Target, command: VoiceCommand) -> Outcome:
    handler = INTENT_HANDLERS.get(command.intent)
    if handler is None:  # pragma: no cover - QUERY, TURN_ON and TURN_OFF are handled before
        raise PowerError(f"unhandled intent {command.intent}")
    return await handler(target, command)


async def _volume_set(target: _Target, command: VoiceCommand) -> Outcome:
    projector = target.coordinator.projector
    if command.percent is not None:
        await projector.set_volume_level(command.percent / 100)
    else:
        assert command.steps is not None
        await projector.set_volume(min(command.steps, projector.volume_max))
    return Outcome.DONE


async def _volume_step(target: _Target, command: VoiceCommand) -> Outcome:
    projector = target.coordinator.projector
    up = command.intent is Intent.VOLUME_UP
    level = target.coordinator.data.device.volume_level
    if (level is not None and level >= 1.0 and up) or (level is not None and level <= 0 and not up):
        return Outcome.ALREADY
    if command.percent is not None and level is not None:
        new = (
            min(1.0, level + command.percent / 100)
            if up
            else max(0.0, level - command.percent / 100)
        )
        await projector.set_volume_level(new)
    else:
        steps = command.steps or DEFAULT_VOLUME_STEPS
        await (projector.volume_up(steps) if up else projector.volume_down(steps))
    return Outcome.DONE


async def _mute(target: _Target, command: VoiceCommand) -> Outcome:
    projector = target.coordinator.projector
    mute = command.intent is Intent.MUTE
    if target.coordinator.data.device.muted is mute:
        return Outcome.ALREADY
    await projector.mute(mute)
    return Outcome.DONE


async def _source(target: _Target, command: VoiceCommand) -> Outcome:
    coordinator = target.coordinator
    assert command.source is not None
    library_source = coordinator.sources.get(command.source)
    if library_source is None:
        return Outcome.NOT_SUPPORTED
    await coordinator.projector.select_source(library_source)
    return Outcome.DONE


type _Handler = Callable[[_Target, VoiceCommand], Awaitable[Outcome]]


def _call(action: Callable[[Projector], Awaitable[None]]) -> _Handler:
    """A handler that runs one projector call and is then done."""

    async def handler(target: _Target, command: VoiceCommand) -> Outcome:
        await action(target.coordinator.projector)
        return Outcome.DONE

    return handler


HANDLED_FIRST = frozenset({Intent.QUERY, Intent.TURN_ON, Intent.TURN_OFF})
"""Intents :func:`_execute` runs itself (they need no reachable, awake projector)."""

INTENT_HANDLERS: Mapping[Intent, _Handler] = MappingProxyType(
    {
        Intent.VOLUME_SET: _volume_set,
        Intent.VOLUME_UP: _volume_step,
        Intent.VOLUME_DOWN: _volume_step,
        Intent.MUTE: _mute,
        Intent.UNMUTE: _mute,
        Intent.PLAY: _call(lambda projector: projector.play()),
        Intent.PAUSE: _call(lambda projector: projector.pause()),
        Intent.STOP: _call(lambda projector: projector.stop()),
        Intent.SOURCE: _source,
        Intent.HOME: _call(lambda projector: projector.press("HOME")),
        Intent.BACK: _call(lambda projector: projector.press("BACK")),
        Intent.AUTOFOCUS: _call(lambda projector: projector.press("autofocus")),
    }
)
"""Intent → the library calls that carry it out (every intent not in HANDLED_FIRST)."""


def _volume_percent(state: ProjectorState) -> int | None:
    return round(state.volume_level * 100) if state.volume_level is not None else None


def _status_facts(snapshot: ProjectorSnapshot, coordinator: XgimiCoordinator) -> Facts:
    """What a status question is answered with: the snapshot (and the source's display name)."""
    if not snapshot.is_on:
        return Facts(is_on=False, phase=snapshot.phase)
    state = snapshot.device
    return Facts(
        is_on=True,
        phase=snapshot.phase,
        playback=state.playback,
        volume_percent=_volume_percent(state),
        source=coordinator.source_name(state),
    )
