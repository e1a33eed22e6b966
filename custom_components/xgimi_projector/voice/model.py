"""The values the parser produces and the reply builder consumes."""

from __future__ import annotations

from dataclasses import dataclass
import enum


class Intent(enum.StrEnum):
    """What the user asked the projector to do."""

    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    VOLUME_SET = "volume_set"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    MUTE = "mute"
    UNMUTE = "unmute"
    PLAY = "play"
    """Also 继续 / 继续播放 / 取消暂停."""
    PAUSE = "pause"
    STOP = "stop"
    SOURCE = "source"
    HOME = "home"
    BACK = "back"
    AUTOFOCUS = "autofocus"
    QUERY = "query"
    """A question about the projector's state (开着吗, 音量多少, 在干嘛, 状态)."""


class Refusal(enum.StrEnum):
    """Why a text was not turned into a command."""

    EMPTY = "empty"
    NEGATION = "negation"
    OTHER_DEVICE = "other_device"
    NO_TARGET = "no_target"
    """A complete command, but no projector name while ``require_name=True``."""
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    """Contradictory or several commands, or two different projectors named."""
    OWN_REPLY = "own_reply"
    """The text reads like one of the replies spoken back (好的，…; 投影仪已静音; 投影仪正在开机):
    a speaker that logs its own answer must not turn it into the next command. Answered with
    silence."""


class Outcome(enum.StrEnum):
    """What happened when the glue executed a command (input of :func:`.reply.reply`)."""

    DONE = "done"
    ALREADY = "already"
    """Nothing to do: already on, already off, already muted…"""
    POWERING_ON = "powering_on"
    """A smart-plug power cycle started; the projector needs about a minute."""
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    NO_PLUG = "no_plug"
    NOT_SUPPORTED = "not_supported"


@dataclass(frozen=True, slots=True)
class VoiceCommand:
    """One parsed command.

    ``percent`` and ``steps`` are never both set. For VOLUME_UP/DOWN both ``None``
    means "the default step" (音量大一点).
    """

    intent: Intent
    target: str | None = None
    """Key of the matched projector in ``targets``; ``None`` for a generic name or none."""
    percent: int | None = None
    """VOLUME_SET: 0..100. VOLUME_UP/DOWN: relative amount in percent, 1..100."""
    steps: int | None = None
    """VOLUME_SET: raw volume steps 0..100 (音量调到5格). VOLUME_UP/DOWN: 1..100 steps."""
    source: str | None = None
    """SOURCE: "HDMI1", "HDMI2" or a key of ``sources``; never raw user text."""


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Outcome of :func:`.parse.parse`: exactly one of ``command`` and ``refusal`` is set."""

    text: str
    """The normalized text that was matched."""
    command: VoiceCommand | None
    refusal: Refusal | None

    def __post_init__(self) -> None:
        """Enforce that exactly one of command/refusal is set."""
        if (self.command is None) == (self.refusal is None):
            raise ValueError("exactly one of command and refusal must be set")

    @property
    def matched(self) -> bool:
        """Whether the text is a command."""
        return self.command is not None
