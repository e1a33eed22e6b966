"""Projector state in one shell round trip, and the pure functions that parse it.

:data:`POLL_COMMAND` prints delimited sections (``@@xg <name>``); when Android is
not awake it skips everything but ``dumpsys power``. :func:`parse_poll` turns the
output into a frozen :class:`ProjectorState`. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import enum
import re

from .families import HDMI_INPUTS, FamilyTraits

MARKER = "@@xg "

POWER_SECTION = "power"
WINDOW_SECTION = "window"
AUDIO_SECTION = "audio"
MEDIA_SECTION = "media"
END_SECTION = "end"


def section_command(sections: Mapping[str, str]) -> str:
    """Join commands into one line that prints ``@@xg <name>`` before each output."""
    parts = [f"echo '{MARKER}{name}'; {command}" for name, command in sections.items()]
    parts.append(f"echo '{MARKER}{END_SECTION}'")
    return "; ".join(parts)


_AWAKE_SECTIONS = section_command(
    {
        WINDOW_SECTION: "dumpsys window windows | grep -E 'mCurrentFocus=|mFocusedApp='",
        AUDIO_SECTION: "dumpsys audio | grep -m 1 -A 12 -e '- STREAM_MUSIC:'",
        MEDIA_SECTION: "dumpsys media_session | grep -E 'package=|state=PlaybackState'",
    }
).removesuffix(f"; echo '{MARKER}{END_SECTION}'")

POLL_COMMAND = (
    f"echo '{MARKER}{POWER_SECTION}'; "
    "P=$(dumpsys power | grep -E 'mWakefulness=|Display Power: state='); echo \"$P\"; "
    f'case "$P" in *mWakefulness=Awake*) {_AWAKE_SECTIONS};; esac; '
    f"echo '{MARKER}{END_SECTION}'"
)
"""The whole poll: one ``shell:`` stream, one round trip."""


class PowerState(enum.StrEnum):
    """What the projector is doing, as far as ADB can tell."""

    ON = "on"
    SCREEN_OFF = "screen_off"
    """Android is awake but reports its display off."""
    STANDBY = "standby"
    """Asleep (关机), or unreachable, which is what standby looks like after ~14 s."""


class Playback(enum.StrEnum):
    """The foreground media session's state."""

    IDLE = "idle"
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"


class SourceKind(enum.StrEnum):
    """What kind of thing is in the foreground."""

    LAUNCHER = "launcher"
    HDMI = "hdmi"
    APP = "app"
    SOURCE_MENU = "source_menu"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ProjectorState:
    """One observation of the projector."""

    reachable: bool
    power: PowerState
    awake: bool = False
    foreground_package: str | None = None
    foreground_activity: str | None = None
    source_kind: SourceKind = SourceKind.UNKNOWN
    hdmi_input: str | None = None
    """HDMI1/HDMI2 when an HDMI input shows and the library knows which (the one it last
    selected); None when unknown."""
    volume: int | None = None
    volume_max: int | None = None
    muted: bool | None = None
    playback: Playback = Playback.IDLE
    media_package: str | None = None

    @property
    def is_on(self) -> bool:
        return self.power is PowerState.ON

    @property
    def volume_level(self) -> float | None:
        """Volume as 0.0–1.0, or None when unknown."""
        if self.volume is None or not self.volume_max:
            return None
        return max(0.0, min(1.0, self.volume / self.volume_max))

    @property
    def source(self) -> str | None:
        """``HDMI1``/``HDMI2``/``HDMI``, ``home``, ``source_menu``, an app package, or None."""
        if self.source_kind is SourceKind.HDMI:
            return self.hdmi_input or "HDMI"
        if self.source_kind is SourceKind.LAUNCHER:
            return "home"
        if self.source_kind is SourceKind.SOURCE_MENU:
            return "source_menu"
        return self.foreground_package


UNREACHABLE = ProjectorState(reachable=False, power=PowerState.STANDBY)
"""What an unreachable projector looks like: standby, or off at the mains, or gone."""


class PollParseError(ValueError):
    """The poll output is truncated or not in the expected form."""


def split_sections(output: str) -> dict[str, str]:
    """Split ``@@xg <name>``-delimited output; raise if the end marker is missing."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if line.startswith(MARKER):
            name = line[len(MARKER) :].strip()
            current = sections.setdefault(name, [])
            continue
        if current is not None:
            current.append(line)
    if END_SECTION not in sections:
        raise PollParseError("output ends before the end marker")
    return {name: "\n".join(lines) for name, lines in sections.items() if name != END_SECTION}


_WAKEFULNESS = re.compile(r"mWakefulness=(\w+)")
_DISPLAY_POWER = re.compile(r"Display Power: state=(\w+)")


def parse_power(text: str) -> tuple[bool, PowerState]:
    """``(awake, power)`` from ``dumpsys power`` (or its grepped lines)."""
    wake = _WAKEFULNESS.search(text)
    if wake is None:
        raise PollParseError("no mWakefulness in dumpsys power")
    awake = wake.group(1) == "Awake"
    if not awake:
        return False, PowerState.STANDBY
    display = _DISPLAY_POWER.search(text)
    if display is not None and display.group(1) == "OFF":
        return True, PowerState.SCREEN_OFF
    return True, PowerState.ON


# mCurrentFocus=Window{6b3c0e1 u0 com.xgimi.home/com.xgimi.home.ui.MainActivity}
# mFocusedApp=AppWindowToken{… token=Token{… ActivityRecord{… u0 pkg/.Act t12}}}
# mFocusedApp=ActivityRecord{8a5e2f3 u0 pkg/.Act t12}
_COMPONENT = re.compile(r"\bu\d+ ([A-Za-z][\w.]*)/([\w.$]+)")
_FOCUS_LINE = re.compile(r"(mCurrentFocus|mFocusedApp)=(.*)")


def parse_foreground(text: str) -> tuple[str | None, str | None]:
    """``(package, activity)`` of the focused window, from ``dumpsys window windows``.

    ``mCurrentFocus`` wins; ``mFocusedApp`` is the fallback (e.g. while a
    non-activity overlay has focus). Activities are returned fully qualified.
    """
    found: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        focus = _FOCUS_LINE.search(line)
        if focus is None:
            continue
        component = _COMPONENT.search(focus.group(2))
        if component is not None:
            found.setdefault(focus.group(1), (component.group(1), component.group(2)))
    for key in ("mCurrentFocus", "mFocusedApp"):
        if key in found:
            package, activity = found[key]
            if activity.startswith("."):
                activity = package + activity
            return package, activity
    return None, None


_MUTED = re.compile(r"^\s*Muted: (true|false)", re.MULTILINE)
_MAX = re.compile(r"^\s*Max: (\d+)", re.MULTILINE)
_STREAM_VOLUME = re.compile(r"^\s*streamVolume:\s*(\d+)", re.MULTILINE)
_CURRENT = re.compile(r"^\s*Current: (.*)$", re.MULTILINE)
_CURRENT_ENTRY = re.compile(r"[0-9a-fx]+ \(([\w\s-]+)\): (\d+)")
_DEVICES = re.compile(r"^\s*Devices: ?(\S*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Volume:
    """STREAM_MUSIC volume."""

    level: int | None
    maximum: int | None
    muted: bool | None


def parse_audio(text: str) -> Volume:
    """Volume, max and mute of STREAM_MUSIC from the ``- STREAM_MUSIC:`` block of ``dumpsys audio``.

    Android 11+ prints ``streamVolume:``; older versions only ``Current:`` per output
    device, where the value for the active device (``Devices:``) is taken.
    """
    muted_match = _MUTED.search(text)
    max_match = _MAX.search(text)
    muted = None if muted_match is None else muted_match.group(1) == "true"
    maximum = None if max_match is None else int(max_match.group(1))
    stream = _STREAM_VOLUME.search(text)
    if stream is not None:
        return Volume(int(stream.group(1)), maximum, muted)
    current = _CURRENT.search(text)
    level: int | None = None
    if current is not None:
        entries = {
            name.strip(): int(value) for name, value in _CURRENT_ENTRY.findall(current.group(1))
        }
        devices = _DEVICES.search(text)
        active = devices.group(1) if devices is not None else ""
        if active in entries:
            level = entries[active]
        elif "default" in entries:
            level = entries["default"]
        elif entries:
            level = next(iter(entries.values()))
    return Volume(level, maximum, muted)


_SESSION_PACKAGE = re.compile(r"^\s*package=([\w.]+)")
_PLAYBACK_STATE = re.compile(r"state=PlaybackState \{state=(\d+)")
_PLAYBACK_MAP: Mapping[int, Playback] = {
    1: Playback.STOPPED,
    2: Playback.PAUSED,
    3: Playback.PLAYING,
    4: Playback.PLAYING,  # fast-forwarding
    5: Playback.PLAYING,  # rewinding
    6: Playback.PLAYING,  # buffering
}


@dataclass(frozen=True, slots=True)
class MediaSession:
    """One media session from ``dumpsys media_session``."""

    package: str
    state: int


def parse_media_sessions(text: str) -> list[MediaSession]:
    """Sessions in stack order (most recent first), each with its PlaybackState code."""
    sessions: list[MediaSession] = []
    package: str | None = None
    for line in text.splitlines():
        pkg = _SESSION_PACKAGE.match(line)
        if pkg is not None:
            package = pkg.group(1)
            continue
        state = _PLAYBACK_STATE.search(line)
        if state is not None and package is not None:
            sessions.append(MediaSession(package, int(state.group(1))))
            package = None
    return sessions


def playback_for(
    sessions: list[MediaSession], foreground: str | None
) -> tuple[Playback, str | None]:
    """The playback state that matters: the foreground app's session, else the first playing one."""
    chosen: MediaSession | None = None
    for session in sessions:
        if session.package == foreground:
            chosen = session
            break
    if chosen is None:
        chosen = next((s for s in sessions if s.state == 3), None)
    if chosen is None:
        return Playback.IDLE, None
    return _PLAYBACK_MAP.get(chosen.state, Playback.IDLE), chosen.package


def classify_source(package: str | None, traits: FamilyTraits) -> SourceKind:
    """What kind of thing the foreground package is on this family."""
    if package is None:
        return SourceKind.UNKNOWN
    if package in traits.hdmi_packages:
        return SourceKind.HDMI
    if package in traits.launcher_packages:
        return SourceKind.LAUNCHER
    if package in traits.source_menu_packages:
        return SourceKind.SOURCE_MENU
    return SourceKind.APP


@dataclass(frozen=True, slots=True)
class PollContext:
    """What the parser needs to know beyond the output."""

    traits: FamilyTraits
    last_hdmi: str | None = None


def parse_poll(output: str, context: PollContext) -> ProjectorState:
    """Parse the output of :data:`POLL_COMMAND`."""
    sections = split_sections(output)
    if POWER_SECTION not in sections:
        raise PollParseError("no power section")
    awake, power = parse_power(sections[POWER_SECTION])
    if not awake:
        return ProjectorState(reachable=True, power=power, awake=False)
    package, activity = parse_foreground(sections.get(WINDOW_SECTION, ""))
    volume = parse_audio(sections.get(AUDIO_SECTION, ""))
    playback, media_package = playback_for(
        parse_media_sessions(sections.get(MEDIA_SECTION, "")), package
    )
    kind = classify_source(package, context.traits)
    hdmi = (
        context.last_hdmi if kind is SourceKind.HDMI and context.last_hdmi in HDMI_INPUTS else None
    )
    return ProjectorState(
        reachable=True,
        power=power,
        awake=True,
        foreground_package=package,
        foreground_activity=activity,
        source_kind=kind,
        hdmi_input=hdmi,
        volume=volume.level,
        volume_max=volume.maximum,
        muted=volume.muted,
        playback=playback,
        media_package=media_package,
    )
