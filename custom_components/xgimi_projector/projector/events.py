"""Android's event log as a change trigger: which tags to follow, how, and how to read a line.

The library follows ``logcat -b events`` on its own ADB stream, filtered on the projector to a
few tags that Android writes when the foreground activity, the screen, the power state or the
music volume changes (docs/events.md has the tags per Android version and their sources). A
line is only a *trigger*: the one-round-trip poll stays the ground truth. Nothing here does
I/O; every function is pure and bounded.

The stream is one process on the projector (``exec logcat …``) that carries a *marker*, a
silenced filter spec ``xgimi_<8 hex>:S`` derived from our ADB key: it changes nothing in what
logcat prints, and it lets :func:`kill_command` find and end every stream this host ever
started, on reconnect, without touching anybody else's logcat.
"""

from __future__ import annotations

from dataclasses import dataclass
import enum
import hashlib
import re
from typing import Final

__all__ = [
    "EVENT_LINE_MAX",
    "DeviceEvent",
    "EventKind",
    "event_tags",
    "kill_command",
    "make_marker",
    "parse_event_line",
    "stream_command",
]

EVENT_LINE_MAX: Final = 1024
"""Longest line (bytes, without its line ending) that is parsed at all; a longer one is dropped
unparsed. Our tags print well under 300 bytes; logd caps an entry at about 4 KiB."""


class EventKind(enum.StrEnum):
    """What changed on the projector, as far as one event-log line tells."""

    ACTIVITY = "activity"
    """An activity was resumed or got focus (another app, the launcher, an HDMI input)."""
    SCREEN = "screen"
    """The display went on or off (``screen_toggled``, ``power_screen_state``)."""
    POWER = "power"
    """Android was asked to go to sleep (``power_sleep_requested``: power key, sleep timer)."""
    VOLUME = "volume"
    """A stream's volume index changed (``volume_changed``; a mute does not log one)."""


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """One line of one of our tags."""

    kind: EventKind
    tag: str
    body: str
    """The text after ``tag: ``, stripped (``[0,com.xgimi.home/.MainActivity,…]``, ``1``)."""


# --- the tags -------------------------------------------------------------------------------

_SCREEN_TAGS: Final = ("screen_toggled", "power_screen_state")
_POWER_TAGS: Final = ("power_sleep_requested",)
_VOLUME_TAGS: Final = ("volume_changed",)

_ACTIVITY_AM: Final = (
    "am_focused_activity",  # Android 8 (gone in 9)
    "am_set_resumed_activity",  # Android 9 (wm_ from 10)
    "am_resume_activity",  # Android 8–9 (wm_ from 10)
    "am_on_resume_called",  # app side, Android 8–10 (wm_ from 11)
)
_ACTIVITY_WM: Final = (
    "wm_set_resumed_activity",
    "wm_resume_activity",
    "wm_on_resume_called",
)
_ACTIVITY_TAGS: Final = frozenset(_ACTIVITY_AM + _ACTIVITY_WM)
_FIRST_WM_SDK: Final = 29
"""Android 10 moved the activity tags of system_server from ``am_`` to ``wm_``."""
_LAST_AM_APP_SDK: Final = 29
"""The app-side ``am_on_resume_called`` became ``wm_on_resume_called`` in Android 11 (30)."""

_KINDS: Final[dict[str, EventKind]] = {
    **dict.fromkeys(_ACTIVITY_TAGS, EventKind.ACTIVITY),
    **dict.fromkeys(_SCREEN_TAGS, EventKind.SCREEN),
    **dict.fromkeys(_POWER_TAGS, EventKind.POWER),
    **dict.fromkeys(_VOLUME_TAGS, EventKind.VOLUME),
}


def event_tags(sdk: int) -> tuple[str, ...]:
    """The event-log tags to follow on a projector running Android ``sdk``.

    Unknown tags are harmless to logcat (they just never match), so a version boundary we
    are not sure of keeps both names (the app-side resume tag on SDK 29–30).
    """
    if sdk < _FIRST_WM_SDK:
        activity: tuple[str, ...] = _ACTIVITY_AM
    else:
        activity = _ACTIVITY_WM
        if sdk <= _LAST_AM_APP_SDK + 1:
            activity += ("am_on_resume_called",)
    return activity + _SCREEN_TAGS + _POWER_TAGS + _VOLUME_TAGS


# --- the commands ---------------------------------------------------------------------------

MARKER_PREFIX: Final = "xgimi_"
_MARKER: Final = re.compile(r"^xgimi_[0-9a-f]{8}$")


def make_marker(seed: bytes) -> str:
    """``xgimi_`` and 8 lowercase hex digits of SHA-256(``seed``) (our ADB public key)."""
    return MARKER_PREFIX + hashlib.sha256(seed).hexdigest()[:8]


def _checked(marker: str) -> str:
    if not _MARKER.match(marker):
        raise ValueError(f"not a stream marker: {marker!r}")
    return marker


def stream_command(sdk: int, marker: str) -> str:
    """The shell line of the event stream: one ``logcat`` process (``exec``) that prints the
    newest buffered entry (``-T 1``, so no backlog) and then follows, filtered to our tags;
    the marker rides along as a silenced filter spec so that :func:`kill_command` finds it."""
    tags = " ".join(event_tags(sdk))
    return f"exec logcat -b events -v threadtime -T 1 -s {tags} {_checked(marker)}:S"


def kill_command(marker: str) -> str:
    """Ends every process whose command line holds ``marker`` (toybox ``pkill -f``, a regular
    expression); exit 0 when there is none. The pattern's first letter is a character class
    (``[x]gimi_…``), which matches the stream's ``xgimi_…`` but not this command line itself,
    so the shell running it never kills itself."""
    checked = _checked(marker)
    return f"pkill -f '[{checked[0]}]{checked[1:]}' || true"


# --- the parser -----------------------------------------------------------------------------

_LINE: Final = re.compile(
    rb"(?:\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}|\d{1,12}\.\d{3})"  # threadtime, or -v epoch
    rb" +(?:[A-Za-z0-9_]{1,32} +)?"  # -v uid
    rb"\d{1,10} +\d{1,10} [VDIWEF] "
    rb"([a-z][a-z0-9_]{0,63}) *: "
    rb"(\S(?:[ -~]*\S)?)"
)
"""``MM-DD HH:MM:SS.mmm [uid] PID TID L tag: body`` (logcat pads a tag to 8 characters)."""
_INT: Final = re.compile(r"-?\d{1,10}")
_LIST: Final = re.compile(r"\[[ -Z\\^-~]*\]")
"""A bracketed list without nested ``[`` (``]`` only as the last character)."""
_COMPONENT: Final = re.compile(r"[A-Za-z_][\w.$]*(?:/[\w.$]+)?")


def _body_ok(kind: EventKind, tag: str, body: str) -> bool:
    if tag in ("screen_toggled", "power_sleep_requested"):
        return _INT.fullmatch(body) is not None
    if _LIST.fullmatch(body) is None:
        return False
    if kind is EventKind.ACTIVITY:
        # Plain ``[0,pkg/.Cls,reason]`` or ``-v descriptive`` ``[Token=1,Component Name=…]``.
        fields = [field.rpartition("=")[2] for field in body[1:-1].split(",")]
        return any("." in field and _COMPONENT.fullmatch(field) for field in fields)
    fields = body[1:-1].split(",")
    if tag == "power_screen_state":
        return len(fields) >= 2 and all(_INT.fullmatch(f.rpartition("=")[2]) for f in fields)
    # volume_changed: [stream,prev_level,level,max_level,caller]
    return len(fields) >= 4 and all(_INT.fullmatch(f.rpartition("=")[2]) for f in fields[:4])


def parse_event_line(line: bytes) -> DeviceEvent | None:
    """One logcat line → the event it reports, or ``None``: not one of our tags, not a
    well-formed threadtime line, not text, or longer than :data:`EVENT_LINE_MAX`. Never
    raises; the work is bounded by :data:`EVENT_LINE_MAX`."""
    try:
        raw = bytes(line[: EVENT_LINE_MAX + 3])
    except TypeError:  # not bytes-like (a str): not a line from the wire
        return None
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if len(raw) > EVENT_LINE_MAX or len(line) > EVENT_LINE_MAX + 2:
        return None
    match = _LINE.fullmatch(raw)
    if match is None:
        return None
    tag = match.group(1).decode("ascii")
    kind = _KINDS.get(tag)
    if kind is None:
        return None
    body = match.group(2).decode("ascii")
    if not _body_ok(kind, tag, body):
        return None
    return DeviceEvent(kind, tag, body)
