"""The reply: a short Chinese sentence about what actually happened, for Xiaoai to speak.

The glue describes what it saw with :class:`Facts`, typed: the power phase is a
:class:`~..projector.PowerPhase`, playback a :class:`~..projector.Playback`, the volume a
percentage. Each enum has its own table (:data:`PHASE_TEXT`, :data:`PLAYBACK_TEXT`,
:data:`ACTIONS`, :data:`REFUSAL_REPLIES`), and the tests walk every member, so a new phase
cannot go unspoken. Volumes are spoken in Chinese words: "百分之三十", steps as "五格".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import enum
from types import MappingProxyType
from typing import assert_never

from ..projector import POWERING_ON, Playback, PowerPhase
from .model import Intent, Outcome, ParseResult, Refusal, VoiceCommand
from .numbers import spoken_number

DEFAULT_NAME = "投影仪"
"""The spoken name when the projector has no Chinese one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What the glue observed, for :func:`reply`; ``None`` means not known or not relevant."""

    is_on: bool | None = None
    """Whether the light is on (a QUERY, or a TURN_ON that finished)."""
    phase: PowerPhase | None = None
    """What the power is doing (a QUERY, or a TURN_ON still under way)."""
    playback: Playback | None = None
    """The media session (a QUERY while the projector is on)."""
    volume_percent: int | None = None
    """The volume after the command, or the current one for a QUERY (0..100)."""
    source: str | None = None
    """The spoken name of the source; defaults to the command's source key."""
    possible_sources: tuple[str, ...] = ()
    """What the projector can switch to, for a source it cannot (named in the reply)."""


_NO_FACTS = Facts()

REFUSAL_REPLIES: Mapping[Refusal, str] = MappingProxyType(
    {
        Refusal.EMPTY: "抱歉，我没听清",
        Refusal.NEGATION: "好的，不操作",
        Refusal.OTHER_DEVICE: "抱歉，我没听懂，这个设备我控制不了",
        Refusal.NO_TARGET: "抱歉，我没听懂，请说出{name}的名字",
        Refusal.UNKNOWN: "抱歉，我没听懂",
        Refusal.AMBIGUOUS: "抱歉，我不确定你要做什么，请一次说一个操作",
        Refusal.OWN_REPLY: "",
    }
)
"""What to say for each refusal (``{name}``: the projector's spoken name). Our own reply coming
back is answered with silence: an answer to it could come back in turn."""

ACTIONS: Mapping[Intent, str] = MappingProxyType(
    {
        Intent.TURN_ON: "开机",
        Intent.TURN_OFF: "关机",
        Intent.VOLUME_SET: "调音量",
        Intent.VOLUME_UP: "调高音量",
        Intent.VOLUME_DOWN: "调低音量",
        Intent.MUTE: "静音",
        Intent.UNMUTE: "取消静音",
        Intent.PLAY: "播放",
        Intent.PAUSE: "暂停",
        Intent.STOP: "停止播放",
        Intent.SOURCE: "切换信号源",
        Intent.HOME: "回到主页",
        Intent.BACK: "返回",
        Intent.AUTOFOCUS: "自动对焦",
        Intent.QUERY: "查询状态",
    }
)
"""Each intent as an action, for "不支持…" and "…失败了"."""

PHASE_TEXT: Mapping[PowerPhase, str] = MappingProxyType(
    {
        PowerPhase.ON: "开着",
        PowerPhase.SCREEN_OFF: "开着，但是屏幕关了",
        PowerPhase.STANDBY: "在待机",
        PowerPhase.MAINS_OFF: "已断电",
        PowerPhase.WAKING: "正在唤醒",
        PowerPhase.WAKE_FAILED: "唤醒失败，正在通过插座开机",
        PowerPhase.CUTTING_POWER: "正在断电重启",
        PowerPhase.WAITING: "正在等待通电",
        PowerPhase.BOOTING: "正在开机",
        PowerPhase.CONNECTING: "正在连接",
        PowerPhase.SHUTTING_DOWN: "正在关机",
        PowerPhase.FAILED: "开机失败了",
        PowerPhase.UNREACHABLE: "现在连不上",
        PowerPhase.PLUG_UNAVAILABLE: "的智能插座连不上",
    }
)
"""Chinese for each power phase, said right after the projector's name."""

_PHASE_ADVICE: Mapping[PowerPhase, str] = MappingProxyType(
    {
        **dict.fromkeys(POWERING_ON, "，请稍等"),
        PowerPhase.MAINS_OFF: "，现在是关着的",
        PowerPhase.FAILED: "，请检查插座和网络",
        PowerPhase.UNREACHABLE: "，请检查网络",
        PowerPhase.PLUG_UNAVAILABLE: "，请检查插座",
    }
)
"""What a QUERY answer adds after :data:`PHASE_TEXT`, for the phases that need it."""

PLAYBACK_TEXT: Mapping[Playback, str | None] = MappingProxyType(
    {
        Playback.PLAYING: "正在播放",
        Playback.PAUSED: "已暂停",
        Playback.IDLE: None,
        Playback.STOPPED: None,
    }
)
"""Chinese for each playback state; ``None``: nothing worth adding to "开着"."""


def _known[E: enum.Enum](kind: type[E], value: E | None) -> E | None:
    """``value`` if it is a member of ``kind``: anything else (a caller past the type checker)
    is ignored, never spoken."""
    return value if isinstance(value, kind) else None


def _runs(phase: PowerPhase) -> bool:
    """Whether Android is up, so that playback, source and volume are worth saying."""
    match phase:
        case PowerPhase.ON | PowerPhase.SCREEN_OFF:
            return True
        case (
            PowerPhase.STANDBY
            | PowerPhase.MAINS_OFF
            | PowerPhase.WAKING
            | PowerPhase.WAKE_FAILED
            | PowerPhase.CUTTING_POWER
            | PowerPhase.WAITING
            | PowerPhase.BOOTING
            | PowerPhase.CONNECTING
            | PowerPhase.SHUTTING_DOWN
            | PowerPhase.FAILED
            | PowerPhase.UNREACHABLE
            | PowerPhase.PLUG_UNAVAILABLE
        ):
            return False
        case _:  # pragma: no cover - mypy checks that every phase is listed
            assert_never(phase)


def _percent_text(percent: int) -> str:
    return "百分之" + spoken_number(percent)


def _steps_text(steps: int) -> str:
    return ("两" if steps == 2 else spoken_number(steps)) + "格"


def _volume_text(command: VoiceCommand, volume_percent: int | None) -> str | None:
    if volume_percent is not None:
        return _percent_text(volume_percent)
    if command.percent is not None:
        return _percent_text(command.percent)
    if command.steps is not None:
        return _steps_text(command.steps)
    return None


def _status(
    name: str, facts: Facts, phase: PowerPhase | None, playback: Playback | None, source: str | None
) -> str:
    """Spoken answer to a QUERY."""
    playing = PLAYBACK_TEXT[playback] if playback is not None else None
    if phase is not None:
        opening = f"{name}{PHASE_TEXT[phase]}{_PHASE_ADVICE.get(phase, '')}"
        if not _runs(phase):
            return opening
    elif facts.is_on is False:
        return f"{name}现在是关着的"
    elif facts.is_on or playing:
        opening = f"{name}{PHASE_TEXT[PowerPhase.ON]}"
    else:
        return f"暂时不知道{name}的状态"
    parts = [opening]
    if playing:
        parts.append(playing)
    if source:
        parts.append(f"信号源是{source}")
    if facts.volume_percent is not None:
        parts.append(f"音量{_percent_text(facts.volume_percent)}")
    return "，".join(parts)


def _failure(outcome: Outcome | None, name: str, action: str) -> str | None:
    """The reply when the command did not (yet) do its job; ``None`` for DONE and ALREADY."""
    match outcome:
        case Outcome.UNAVAILABLE:
            return f"{name}现在连不上，请检查网络"
        case Outcome.NO_PLUG:
            return f"没有配置智能插座，{name}待机时无法开机"
        case Outcome.NOT_SUPPORTED:
            return f"抱歉，{name}不支持{action}"
        case Outcome.FAILED:
            return f"抱歉，{name}{action}失败了"
        case Outcome.POWERING_ON:
            return f"好的，{name}正在开机，大约一分钟"
        case Outcome.DONE | Outcome.ALREADY | None:
            return None
        case _:  # pragma: no cover - mypy checks that every outcome is listed
            assert_never(outcome)


def _already(
    command: VoiceCommand, name: str, volume: str | None, source: str | None
) -> str | None:
    """Reply when nothing had to be done; ``None`` when that reads like DONE."""
    texts: dict[Intent, str] = {
        Intent.TURN_ON: f"{name}已经开着了",
        Intent.TURN_OFF: f"{name}已经关了",
        Intent.VOLUME_SET: f"{name}音量已经是{volume}了" if volume else f"{name}音量没有变化",
        Intent.VOLUME_UP: f"{name}音量已经最大了",
        Intent.VOLUME_DOWN: f"{name}音量已经最小了",
        Intent.MUTE: f"{name}已经是静音了",
        Intent.UNMUTE: f"{name}没有静音",
        Intent.PLAY: f"{name}已经在播放了",
        Intent.PAUSE: f"{name}已经暂停了",
        Intent.STOP: f"{name}已经停止播放了",
        Intent.SOURCE: f"{name}已经是{source}了" if source else f"{name}已经是这个信号源了",
        Intent.HOME: f"{name}已经在主页了",
    }
    return texts.get(command.intent)


def _done(
    command: VoiceCommand,
    name: str,
    volume: str | None,
    volume_percent: int | None,
    phase: PowerPhase | None,
    source: str | None,
) -> str:
    now = f"，现在是{_percent_text(volume_percent)}" if volume_percent is not None else ""
    starting = None
    if phase is not None and phase in POWERING_ON:
        starting = f"好的，{name}{PHASE_TEXT[phase]}"
    texts: dict[Intent, str] = {
        Intent.TURN_ON: starting or f"好的，{name}已开机",
        Intent.TURN_OFF: f"好的，{name}已关机",
        Intent.VOLUME_SET: f"好的，{name}音量调到{volume}" if volume else f"好的，{name}音量已调整",
        Intent.VOLUME_UP: f"好的，{name}音量调高了{now}",
        Intent.VOLUME_DOWN: f"好的，{name}音量调低了{now}",
        Intent.MUTE: f"好的，{name}已静音",
        Intent.UNMUTE: f"好的，{name}已取消静音",
        Intent.PLAY: f"好的，{name}继续播放",
        Intent.PAUSE: f"好的，{name}已暂停",
        Intent.STOP: f"好的，{name}已停止播放",
        Intent.SOURCE: f"好的，已切换到{source}" if source else "好的，已切换信号源",
        Intent.HOME: f"好的，{name}已回到主页",
        Intent.BACK: "好的，已返回",
        Intent.AUTOFOCUS: f"好的，{name}正在自动对焦",
    }
    return texts.get(command.intent, "好的")


def reply(
    result: ParseResult,
    outcome: Outcome | None = None,
    *,
    name: str = DEFAULT_NAME,
    facts: Facts = _NO_FACTS,
) -> str:
    """A short Chinese sentence for Xiaoai to speak about what actually happened.

    ``outcome`` is what the glue observed (``None`` means DONE). ``name`` is the spoken
    device name. ``facts`` is what the glue saw after the command (see :class:`Facts`); a
    phase or playback that is not a member of its enum is ignored, never spoken.
    """
    name = name.strip() or DEFAULT_NAME
    command = result.command
    if command is None:
        return REFUSAL_REPLIES[result.refusal or Refusal.UNKNOWN].format(name=name)
    source = facts.source or command.source
    if outcome is Outcome.NOT_SUPPORTED and command.intent is Intent.SOURCE and source:
        # Say what is possible instead (e.g. the source menu where HDMI can't be switched).
        possible = "、".join(s for s in facts.possible_sources if s != source)
        if possible:
            return f"抱歉，{name}不能直接切换到{source}，可以切换到{possible}"
    if (failure := _failure(outcome, name, ACTIONS[command.intent])) is not None:
        return failure
    phase = _known(PowerPhase, facts.phase)
    if command.intent is Intent.QUERY:
        playback = _known(Playback, facts.playback)
        return _status(name, facts, phase, playback, source)
    volume = _volume_text(command, facts.volume_percent)
    if outcome is Outcome.ALREADY and (text := _already(command, name, volume, source)):
        return text
    return _done(command, name, volume, facts.volume_percent, phase, source)
