"""``xgimi_projector.voice_executor``: run a parsed voice command on a projector, and say what
happened.

Shared by the voice action (:mod:`.voice_command`, Xiaoai blueprints) and the Assist intents
(:mod:`.intents`): the same library calls, the same outcomes, the same Chinese replies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import logging
import re
from types import MappingProxyType

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util.json import JsonValueType

from .const import DOMAIN
from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .projector import (
    AdbRequiredError,
    LanKeyNotSupportedError,
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
from .voice import Facts, Intent, Outcome, ParseResult, VoiceCommand, reply

_LOGGER = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")

DEFAULT_VOLUME_STEPS = 2
"""音量大一点 without an amount: two steps (about 13 % on XGIMI's 0–15 scale)."""
QUICK_ANSWER_S = 3.0
"""A power-on that finishes this fast (关屏 wake, already on) is answered as done; a longer
one (a plug cycle) is answered with its progress and keeps running."""


@dataclass(slots=True)
class Target:
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


def targets(
    hass: HomeAssistant, entity_ids: list[str] | None, *, loading: str | None = None
) -> list[Target]:
    """Loaded projectors (those named by ``entity_ids`` when given) and their spoken names;
    with ``loading``, also that entry while its platforms are still being set up."""
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    targets: list[Target] = []
    wanted = set(entity_ids or [])
    found: set[str] = set()
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.unique_id is None or not (
            entry.state is ConfigEntryState.LOADED or entry.entry_id == loading
        ):
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
        targets.append(Target(entry, entity_id, list(dict.fromkeys(n for n in names if n))))
    if unknown := sorted(wanted - found):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="voice_unknown_target",
            translation_placeholders={"entity_id": ", ".join(unknown)},
        )
    return targets


def sources(target: Target) -> dict[str, list[str]]:
    """The projector's selectable sources (display name → spoken aliases)."""
    coordinator = target.coordinator
    aliases = coordinator.options.source_aliases
    return {name: [name, *aliases.get(name, [])] for name in coordinator.sources}


_OUTCOME_BY_ERROR: Mapping[str, Outcome] = MappingProxyType(
    {
        NoPlugError.translation_key: Outcome.NO_PLUG,
        PlugUnavailableError.translation_key: Outcome.NO_PLUG,
        NotSupportedError.translation_key: Outcome.NOT_SUPPORTED,
        AdbRequiredError.translation_key: Outcome.NOT_SUPPORTED,
        LanKeyNotSupportedError.translation_key: Outcome.NOT_SUPPORTED,
        ProjectorUnreachableError.translation_key: Outcome.UNAVAILABLE,
    }
)
"""What the reply says for a library error, by the error's key (any other error: FAILED)."""


async def run(
    target: Target, result: ParseResult, context: Context | None, *, wait: bool
) -> tuple[Outcome, str]:
    """Run a parsed command on ``target``: what happened, and the Chinese reply saying so."""
    command = result.command
    assert command is not None
    if command.intent in (Intent.TURN_ON, Intent.TURN_OFF):
        # The plug's switching and the projector's state changes are logged as caused by it.
        target.coordinator.set_power_context(context)
    outcome, facts = await execute(target, command, wait=wait)
    _LOGGER.info(
        "Voice %r → %s on %s: %s", result.text, command.intent, target.entry.title, outcome
    )
    return outcome, reply(result, outcome, name=target.spoken_name, facts=facts)


def answer(
    result: ParseResult, target: Target | None, spoken: str, outcome: Outcome | None
) -> dict[str, JsonValueType]:
    """What the voice action answers (and the voice sensor records) for one sentence."""
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


async def execute(target: Target, command: VoiceCommand, *, wait: bool) -> tuple[Outcome, Facts]:
    """Run ``command``; the outcome and the facts the reply needs."""
    coordinator = target.coordinator
    if command.intent is Intent.QUERY:
        return Outcome.DONE, status_facts(coordinator.data, coordinator)
    try:
        if command.intent is Intent.TURN_ON:
            return await _turn_on(target, wait=wait)
        if command.intent is Intent.TURN_OFF:
            off = await coordinator.power.turn_off()
            done = Outcome.ALREADY if off is PowerOffResult.ALREADY_OFF else Outcome.DONE
            return done, Facts()
        if not coordinator.accepts_commands:
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
    return outcome, Facts(
        volume_percent=volume_percent(coordinator.data.device),
        source=command.source,
        possible_sources=tuple(coordinator.sources) if outcome is Outcome.NOT_SUPPORTED else (),
    )


async def _turn_on(target: Target, *, wait: bool) -> tuple[Outcome, Facts]:
    coordinator = target.coordinator
    task = coordinator.power.start_turn_on()
    done, _ = await asyncio.wait({task}, timeout=None if wait else QUICK_ANSWER_S)
    if not done:
        return Outcome.POWERING_ON, Facts(phase=coordinator.data.phase)
    result = task.result()  # raises the power error, handled by the caller
    if result is PowerOnResult.ALREADY_ON:
        return Outcome.ALREADY, Facts(is_on=True)
    return Outcome.DONE, Facts(is_on=True)


async def _run(target: Target, command: VoiceCommand) -> Outcome:
    handler = INTENT_HANDLERS.get(command.intent)
    if handler is None:  # pragma: no cover - QUERY, TURN_ON and TURN_OFF are handled before
        raise PowerError(f"unhandled intent {command.intent}")
    return await handler(target, command)


async def _volume_set(target: Target, command: VoiceCommand) -> Outcome:
    projector = target.coordinator.projector
    if command.percent is not None:
        await projector.set_volume_level(command.percent / 100)
    else:
        assert command.steps is not None
        await projector.set_volume(min(command.steps, projector.volume_max))
    return Outcome.DONE


async def _volume_step(target: Target, command: VoiceCommand) -> Outcome:
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


async def _mute(target: Target, command: VoiceCommand) -> Outcome:
    projector = target.coordinator.projector
    mute = command.intent is Intent.MUTE
    if target.coordinator.data.device.muted is mute:
        return Outcome.ALREADY
    await projector.mute(mute)
    return Outcome.DONE


async def _source(target: Target, command: VoiceCommand) -> Outcome:
    coordinator = target.coordinator
    assert command.source is not None
    library_source = coordinator.sources.get(command.source)
    if library_source is None:
        return Outcome.NOT_SUPPORTED
    await coordinator.projector.select_source(library_source)
    return Outcome.DONE


type _Handler = Callable[[Target, VoiceCommand], Awaitable[Outcome]]


def _call(action: Callable[[Projector], Awaitable[None]]) -> _Handler:
    """A handler that runs one projector call and is then done."""

    async def handler(target: Target, command: VoiceCommand) -> Outcome:
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


def volume_percent(state: ProjectorState) -> int | None:
    return round(state.volume_level * 100) if state.volume_level is not None else None


def status_facts(snapshot: ProjectorSnapshot, coordinator: XgimiCoordinator) -> Facts:
    """What a status question is answered with: the snapshot (and the source's display name)."""
    if not snapshot.is_on:
        return Facts(is_on=False, phase=snapshot.phase)
    state = snapshot.device
    return Facts(
        is_on=True,
        phase=snapshot.phase,
        playback=state.playback,
        volume_percent=volume_percent(state),
        source=coordinator.source_name(state),
    )
