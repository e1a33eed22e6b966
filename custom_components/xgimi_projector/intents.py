"""Assist intents: what Home Assistant's own intents do not cover on the projector.

Source, relative volume, mute and unmute, autofocus, and absolute volume said in Chinese
(三十, 百分之三十, 五格). Each handler has a description and a slot schema, so LLM agents can call
it as a tool too; the Chinese sentences of :mod:`.sentences` lead to the same handlers.

A handler finds the projector like Home Assistant's media player intents do (``name``,
``area``, ``floor``, the speaking device's area; without any, the only projector), reads the
slot with the voice parser (the grammar Xiaoai's sentences go through), and runs it with
:func:`.voice_executor.run`: the same library calls, refusals and Chinese replies as the voice
action. A slot the parser refuses, or a source the projector does not have, is answered with
the refusal and sends nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from homeassistant.components.media_player.const import DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers import config_validation as cv, intent
import voluptuous as vol

from .sentences import GENERIC_TARGETS
from .voice import Facts, Intent, Outcome, ParseResult, Refusal, VoiceCommand, parse, reply
from .voice_executor import Target, answer, run, sources, targets
from .voice_feedback import async_record

INTENT_SET_VOLUME = "XgimiSetVolume"
INTENT_VOLUME_RELATIVE = "XgimiVolumeRelative"
INTENT_MUTE = "XgimiMute"
INTENT_UNMUTE = "XgimiUnmute"
INTENT_SELECT_SOURCE = "XgimiSelectSource"
INTENT_AUTOFOCUS = "XgimiAutofocus"

SLOT_VOLUME = "volume"
SLOT_DIRECTION = "direction"
SLOT_AMOUNT = "amount"
SLOT_SOURCE = "source"

_SLOT_TEXT = vol.All(cv.string, vol.Length(min=1, max=40))
_TARGET_SLOTS: dict[Any, Any] = {
    vol.Optional("name"): cv.string,
    vol.Optional("area"): cv.string,
    vol.Optional("floor"): cv.string,
    vol.Optional("preferred_area_id"): cv.string,
    vol.Optional("preferred_floor_id"): cv.string,
}
"""Which projector: as Home Assistant's media player intents take it."""

_GENERIC = frozenset(GENERIC_TARGETS)
"""投影仪, 投影, 极米…: the projector, without choosing one."""
_DONE = frozenset({Outcome.DONE, Outcome.ALREADY, Outcome.POWERING_ON})


@callback
def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the projector's intents (once, when the integration is set up)."""
    for handler in (
        SetVolumeHandler(),
        VolumeRelativeHandler(),
        MuteHandler(INTENT_MUTE, Intent.MUTE, "Mutes an XGIMI projector"),
        MuteHandler(INTENT_UNMUTE, Intent.UNMUTE, "Unmutes an XGIMI projector"),
        SelectSourceHandler(),
        AutofocusHandler(),
    ):
        intent.async_register(hass, handler)


class XgimiIntentHandler(intent.IntentHandler):
    """Find the projector, read the slots into a command, run it, and say what happened."""

    extra_slots: ClassVar[dict[Any, Any]] = {}

    def __init__(self) -> None:
        self.platforms = {MEDIA_PLAYER_DOMAIN}  # what it acts on (LLM tools: exposed domains)

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The intent's own slots and the target slots."""
        return {**self.extra_slots, **_TARGET_SLOTS}

    def command(self, slots: dict[str, Any], target: Target) -> ParseResult:
        """The command the slots ask for on ``target``, or the parser's refusal."""
        raise NotImplementedError

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Run the command on the matched projector."""
        slots = self.async_validate_slots(intent_obj.slots)
        found = _match(intent_obj, slots)
        response = intent_obj.create_response()
        if isinstance(found, Refusal):
            return _refuse(response, ParseResult(intent_obj.text_input or "", None, found))
        target, state = found
        response.async_set_states([state])
        result = self.command(slots, target)
        if result.command is None:
            return _refuse(response, result)
        if result.command.intent is Intent.SOURCE and result.command.source not in sources(target):
            return _unknown_source(response, result, target)
        outcome, spoken = await run(target, result, intent_obj.context, wait=False)
        async_record(
            intent_obj.hass,
            [target.coordinator],
            answer(result, target, spoken, outcome),
            intent_obj.context,
        )
        if outcome in _DONE:
            response.async_set_speech(spoken)
        else:
            response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, spoken)
        return response


def _match(intent_obj: intent.Intent, slots: dict[str, Any]) -> tuple[Target, State] | Refusal:
    """The one projector the slots name (or the only one); an error when none matches."""
    hass = intent_obj.hass
    ours = {t.entity_id: t for t in targets(hass, None) if t.entity_id is not None}
    states = [state for entity_id in ours if (state := hass.states.get(entity_id)) is not None]

    def value(name: str) -> str | None:
        slot: dict[str, Any] = slots.get(name, {})
        return slot.get("value")

    name = value("name")
    if name is not None:
        # One of a projector's names (its device's, its entry's, an alias), or 投影仪 (any).
        named = [s for s in states if _is_name_of(name, ours[s.entity_id])]
        if named or name.strip().casefold() in _GENERIC:
            states, name = named or states, None
    constraints = intent.MatchTargetsConstraints(
        name=name,
        area_name=value("area"),
        floor_name=value("floor"),
        domains={MEDIA_PLAYER_DOMAIN},
        assistant=intent_obj.assistant,
        single_target=True,
    )
    preferences = intent.MatchTargetsPreferences(
        area_id=value("preferred_area_id"), floor_id=value("preferred_floor_id")
    )
    if not states:
        raise intent.MatchFailedError(
            result=intent.MatchTargetsResult(False, intent.MatchFailedReason.DOMAIN),
            constraints=constraints,
            preferences=preferences,
        )
    result = intent.async_match_targets(hass, constraints, preferences, states)
    if not result.is_match:
        if result.no_match_reason is intent.MatchFailedReason.MULTIPLE_TARGETS:
            return Refusal.AMBIGUOUS  # which projector? (as the voice action says it)
        raise intent.MatchFailedError(
            result=result, constraints=constraints, preferences=preferences
        )
    state = result.states[0]
    return ours[state.entity_id], state


def _is_name_of(name: str, target: Target) -> bool:
    wanted = name.strip().casefold()
    return any(wanted == n.strip().casefold() for n in target.names)


def _refuse(response: intent.IntentResponse, result: ParseResult) -> intent.IntentResponse:
    """The parser's refusal, spoken; nothing was sent."""
    response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, reply(result))
    return response


def _unknown_source(
    response: intent.IntentResponse, result: ParseResult, target: Target
) -> intent.IntentResponse:
    """A source the projector does not have: say what it has instead; nothing was sent."""
    assert result.command is not None
    spoken = reply(
        result,
        Outcome.NOT_SUPPORTED,
        name=target.spoken_name,
        facts=Facts(possible_sources=tuple(target.coordinator.sources)),
    )
    response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, spoken)
    return response


def _slot(slots: dict[str, Any], name: str) -> str:
    value: Any = slots.get(name, {}).get("value", "")
    return str(value).strip()


def _expect(result: ParseResult, *intents: Intent) -> ParseResult:
    """``result`` when the parser read the phrase as one of ``intents``, else a refusal."""
    if result.command is not None and result.command.intent not in intents:
        return ParseResult(result.text, None, Refusal.UNKNOWN)
    return result


class SetVolumeHandler(XgimiIntentHandler):
    """音量调到三十 / 百分之三十 / 30% / 五格 / 最大."""

    intent_type = INTENT_SET_VOLUME
    description = (
        "Sets the volume of an XGIMI projector. The volume is a percentage (30, 30%, "
        "三十, 百分之三十), a number of volume steps (5格), or 最大/最小/一半"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {vol.Required(SLOT_VOLUME): _SLOT_TEXT}

    def command(self, slots: dict[str, Any], target: Target) -> ParseResult:
        said = _slot(slots, SLOT_VOLUME)
        return _expect(parse(f"音量调到{said}", require_name=False), Intent.VOLUME_SET)


class VolumeRelativeHandler(XgimiIntentHandler):
    """音量调高 / 调低 (by two steps, or by an amount: 百分之十, 三格)."""

    intent_type = INTENT_VOLUME_RELATIVE
    description = (
        "Turns the volume of an XGIMI projector up or down: by two steps, or by an amount "
        "(a percentage like 10 or 百分之十, or steps like 3格)"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        vol.Required(SLOT_DIRECTION): vol.In(["up", "down"]),
        vol.Optional(SLOT_AMOUNT): vol.All(cv.string, vol.Length(max=40)),
    }

    def command(self, slots: dict[str, Any], target: Target) -> ParseResult:
        up = _slot(slots, SLOT_DIRECTION) == "up"
        said = _slot(slots, SLOT_AMOUNT)
        result = parse(f"音量调{'高' if up else '低'}{said}", require_name=False)
        return _expect(result, Intent.VOLUME_UP if up else Intent.VOLUME_DOWN)


class MuteHandler(XgimiIntentHandler):
    """静音 / 取消静音."""

    def __init__(self, intent_type: str, command: Intent, description: str) -> None:
        super().__init__()
        self.intent_type = intent_type
        self.description = description
        self._command = command

    def command(self, slots: dict[str, Any], target: Target) -> ParseResult:
        text = "静音" if self._command is Intent.MUTE else "取消静音"
        return ParseResult(text, VoiceCommand(self._command), None)


class AutofocusHandler(XgimiIntentHandler):
    """自动对焦."""

    intent_type = INTENT_AUTOFOCUS
    description = "Starts the autofocus of an XGIMI projector"

    def command(self, slots: dict[str, Any], target: Target) -> ParseResult:
        return ParseResult("自动对焦", VoiceCommand(Intent.AUTOFOCUS), None)


class SelectSourceHandler(XgimiIntentHandler):
    """切换到HDMI1 (or a source's name or spoken alias)."""

    intent_type = INTENT_SELECT_SOURCE
    description = (
        "Switches an XGIMI projector to an input or app: HDMI1, HDMI2, or the name of one of "
        "the projector's sources (its media player's source list) or of a spoken alias"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {vol.Required(SLOT_SOURCE): _SLOT_TEXT}

    def command(self, slots: dict[str, Any], target: Target) -> ParseResult:
        said = _slot(slots, SLOT_SOURCE)
        result = parse(f"切换到{said}", sources=sources(target), require_name=False)
        if result.command is None or result.command.intent is not Intent.SOURCE:
            # Not one of its sources: answered with what it has (see _unknown_source).
            return ParseResult(said, VoiceCommand(Intent.SOURCE, source=said), None)
        return result
