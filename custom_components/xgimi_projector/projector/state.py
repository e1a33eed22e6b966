"""Projector state in one shell round trip, and the pure functions that parse it.

:data:`POLL_COMMAND` prints delimited sections (``@@xg <name>``); when Android is
asleep it skips everything but ``dumpsys power``. :func:`parse_poll` turns the
output into a frozen :class:`ProjectorState`. Nothing here does I/O.

Every parser here is checked against real device output in ``tests/captures/``
(docs/adb.md §7 says what each Android version prints).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import enum
import re

from .families import HDMI_INPUTS, FamilyTraits

MARKER = "@@xg"
"""Section lines are ``@@xg:<nonce> <name>``; the nonce is the shell's PID (``$$``), which
nothing the projector prints can know, so a window title or a wake-lock tag that prints a
marker-shaped line is data, never a section boundary."""
_MARKER_LINE = re.compile(r"^@@xg:(\d+) (\S.*)$")

POWER_SECTION = "power"
WINDOW_SECTION = "window"
AUDIO_SECTION = "audio"
MEDIA_SECTION = "media"
END_SECTION = "end"


def _marker(name: str) -> str:
    return f'echo "{MARKER}:$$ {name}"'


def section_command(sections: Mapping[str, str]) -> str:
    """Join commands into one line that prints ``@@xg:<pid> <name>`` before each output."""
    parts = [f"{_marker(name)}; {command}" for name, command in sections.items()]
    parts.append(_marker(END_SECTION))
    return "; ".join(parts)


# ``dumpsys window`` without a section: from Android 10 on, ``dumpsys window windows`` no
# longer prints mCurrentFocus/mFocusedApp (they moved to the display dump); the whole dump
# has them on every version, and grep keeps what crosses the wire to two or three lines.
_RUNNING_SECTIONS = section_command(
    {
        WINDOW_SECTION: "dumpsys window | grep -E 'mCurrentFocus=|mFocusedApp='",
        AUDIO_SECTION: "dumpsys audio | grep -m 1 -A 12 -e '- STREAM_MUSIC:'",
        MEDIA_SECTION: "dumpsys media_session | grep -E '^ *(package|active)=|state=PlaybackState'",
    }
).removesuffix(f"; {_marker(END_SECTION)}")

POLL_COMMAND = (
    f"{_marker(POWER_SECTION)}; "
    "P=$(dumpsys power | grep -E "
    "'mWakefulness=|Display Power: |mHoldingDisplaySuspendBlocker='); echo \"$P\"; "
    'case "$P" in *mWakefulness=Awake*|*mWakefulness=Dreaming*|*mWakefulness=Dozing*) '
    f"{_RUNNING_SECTIONS};; esac; "
    f"{_marker(END_SECTION)}"
)
"""The whole poll: one ``shell:`` stream, one round trip, a few dozen lines at most."""


class PowerState(enum.StrEnum):
    """What the projector is doing, as far as ADB can tell."""

    ON = "on"
    SCREEN_OFF = "screen_off"
    """Android is awake but reports its display off."""
    DREAMING = "dreaming"
    """Screensaver: ``mWakefulness=Dreaming`` (or ``Dozing``). Android runs and the light
    is on; a key or the wake key ends it. Not standby."""
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
    """Android runs (Awake, or a screensaver: Dreaming/Dozing); False when asleep."""
    display_on: bool | None = None
    """What Android says of its display: ``Display Power: state=`` (up to Android 13) or
    ``mHoldingDisplaySuspendBlocker`` (every version). None when it says neither."""
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
        """Android runs with its picture on (a screensaver counts: the light is on)."""
        return self.power in (PowerState.ON, PowerState.DREAMING)

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


class PollTruncatedError(PollParseError):
    """The poll output stops before its end marker: the command was cut off (the projector
    went to standby or dropped the session mid-command), or something truncates it."""


def split_sections(output: str) -> dict[str, str]:
    """Split ``@@xg:<nonce> <name>``-delimited output; raise if the end marker is missing.

    The first marker line sets the nonce; a line that looks like a marker with another nonce,
    or a section named twice, is data of the section it stands in.
    """
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    nonce: str | None = None
    for line in output.splitlines():
        marker = _MARKER_LINE.match(line)
        if marker is not None and (nonce is None or marker.group(1) == nonce):
            name = marker.group(2).strip()
            if name not in sections:
                nonce = marker.group(1)
                current = sections[name] = []
                continue
        if current is not None:
            current.append(line)
    if END_SECTION not in sections:
        raise PollTruncatedError("output ends before the end marker")
    return {name: "\n".join(lines) for name, lines in sections.items() if name != END_SECTION}


# Each field from its own line (a wake-lock tag can contain "Display Power: state=OFF").
_WAKEFULNESS = re.compile(r"^[ \t]*mWakefulness=(\w+)\b", re.MULTILINE)
_DISPLAY_POWER = re.compile(r"^[ \t]*Display Power: state=(\w+)\b", re.MULTILINE)
_DISPLAY_BLOCKER = re.compile(r"^[ \t]*mHoldingDisplaySuspendBlocker=(true|false)\b", re.MULTILINE)
_SCREENSAVER = frozenset({"Dreaming", "Dozing"})


def parse_display(text: str) -> bool | None:
    """Whether Android reports its display on, from ``dumpsys power``; None when unknown.

    ``Display Power: state=ON|OFF|DOZE…`` up to Android 13; Android 14 prints an object
    there instead (``Display Power: com.android.server.power.PowerManagerService$1@…``),
    so ``mHoldingDisplaySuspendBlocker`` (held while the display is on) is the fallback.
    """
    display = _DISPLAY_POWER.search(text)
    if display is not None:
        return display.group(1) != "OFF"
    blocker = _DISPLAY_BLOCKER.search(text)
    if blocker is not None:
        return blocker.group(1) == "true"
    return None


def parse_power(text: str) -> tuple[bool, PowerState]:
    """``(awake, power)`` from ``dumpsys power`` (or its grepped lines).

    ``awake`` means Android runs: Awake, or the screensaver (Dreaming/Dozing, which is
    :attr:`PowerState.DREAMING`, not standby). An awake Android with its display reported
    off is :attr:`PowerState.SCREEN_OFF`; with no display line at all it is
    :attr:`PowerState.ON`, since AOSP keeps the display bright or dim while Awake (the
    unknown is kept in :attr:`ProjectorState.display_on`).
    """
    wake = _WAKEFULNESS.search(text)
    if wake is None:
        raise PollParseError("no mWakefulness in dumpsys power")
    wakefulness = wake.group(1)
    if wakefulness in _SCREENSAVER:
        return True, PowerState.DREAMING
    if wakefulness != "Awake":
        return False, PowerState.STANDBY
    if parse_display(text) is False:
        return True, PowerState.SCREEN_OFF
    return True, PowerState.ON


# mCurrentFocus=Window{6b3c0e1 u0 com.xgimi.home/com.xgimi.home.ui.MainActivity}
# mFocusedApp=AppWindowToken{… token=Token{… ActivityRecord{… u0 pkg/.Act t12}}}
# mFocusedApp=ActivityRecord{8a5e2f3 u0 pkg/.Act t12}
# mCurrentFocus=Window{c52eaa8 u0 com.sony.dtv.sonysystemservice}   (a window, no activity)
_COMPONENT = re.compile(r"\bu\d+ ([A-Za-z][\w.]*)/([\w.$]+)")
# A window titled by its package; a title whose last part is capitalised is a class name
# (``com.android.systemui.ImageWallpaper``), not a package.
_WINDOW_PACKAGE = re.compile(r"\bu\d+ ([A-Za-z]\w*(?:\.\w+)*\.[a-z_]\w*)[}\s]")
_FOCUS_LINE = re.compile(r"^[ \t]*(mCurrentFocus|mFocusedApp)=(.*)$")
_FOCUS_KEYS = ("mCurrentFocus", "mFocusedApp")


def parse_foreground(text: str) -> tuple[str | None, str | None]:
    """``(package, activity)`` of the focused window, from ``dumpsys window``.

    A line naming an activity wins, ``mCurrentFocus`` before ``mFocusedApp`` (the latter is
    the app under a non-activity overlay). When neither names one, a focus window that
    names only its package (``Window{… u0 com.pkg}``) still gives the package, with no
    activity. Activities are returned fully qualified.
    """
    components: dict[str, tuple[str, str]] = {}
    packages: dict[str, str] = {}
    for line in text.splitlines():
        focus = _FOCUS_LINE.search(line)
        if focus is None:
            continue
        key, value = focus.group(1), focus.group(2)
        component = _COMPONENT.search(value)
        if component is not None:
            components.setdefault(key, (component.group(1), component.group(2)))
            continue
        window = _WINDOW_PACKAGE.search(value + " ")
        if window is not None:
            packages.setdefault(key, window.group(1))
    focused_app = components.get("mFocusedApp")
    current = components.get("mCurrentFocus")
    if current is not None and focused_app is not None and current[0] != focused_app[0]:
        # A window title is the app's to choose: one shaped like another app's activity
        # does not outrank the activity record the system keeps.
        current = None
    for found in (current, focused_app):
        if found is not None:
            package, activity = found
            if activity.startswith("."):
                activity = package + activity
            return package, activity
    for key in _FOCUS_KEYS:
        if key in packages:
            return packages[key], None
    return None, None


_MUTED = re.compile(r"^[ \t]*Muted: (true|false)", re.MULTILINE)
_MAX = re.compile(r"^[ \t]*Max: (\d+)", re.MULTILINE)
_STREAM_VOLUME = re.compile(r"^[ \t]*streamVolume:\s*(\d+)", re.MULTILINE)
_CURRENT = re.compile(r"^[ \t]*Current: (.*)$", re.MULTILINE)
_CURRENT_ENTRY = re.compile(r"[0-9a-fx]+ \(([\w\s-]+)\): (\d+)")
_DEVICES = re.compile(r"^[ \t]*Devices: ?(\S*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Volume:
    """STREAM_MUSIC volume."""

    level: int | None
    maximum: int | None
    muted: bool | None


_STREAM_MUSIC = "- STREAM_MUSIC:"


def music_block(text: str) -> str:
    """The ``- STREAM_MUSIC:`` block of ``dumpsys audio`` alone, up to the next ``- …`` line
    (the next stream) or a blank line, so no field is read from another stream.

    Text without the header is taken as the block itself.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == _STREAM_MUSIC), None)
    if start is None:
        return text
    block: list[str] = []
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if not stripped or stripped.startswith("- "):
            break
        block.append(line)
    return "\n".join(block)


def parse_audio(text: str) -> Volume:
    """Volume, max and mute of STREAM_MUSIC from ``dumpsys audio`` (whole or grepped).

    Only the STREAM_MUSIC block is read (:func:`music_block`). Android 10+ prints
    ``streamVolume:``; older versions only ``Current:`` per output device, where the value
    for the active device (``Devices:``) is taken. Any field the block lacks is None: the
    maximum differs between devices (15, 25, 60 and 100 are all seen), so none is assumed.
    """
    block = music_block(text)
    muted_match = _MUTED.search(block)
    max_match = _MAX.search(block)
    muted = None if muted_match is None else muted_match.group(1) == "true"
    maximum = None if max_match is None else int(max_match.group(1))
    stream = _STREAM_VOLUME.search(block)
    if stream is not None:
        return Volume(int(stream.group(1)), maximum, muted)
    current = _CURRENT.search(block)
    level: int | None = None
    if current is not None:
        entries = {
            name.strip(): int(value) for name, value in _CURRENT_ENTRY.findall(current.group(1))
        }
        devices = _DEVICES.search(block)
        active = devices.group(1) if devices is not None else ""
        if active in entries:
            level = entries[active]
        elif "default" in entries:
            level = entries["default"]
        elif entries:
            level = next(iter(entries.values()))
    return Volume(level, maximum, muted)


_SESSION_PACKAGE = re.compile(r"^[ \t]*package=([\w.]+)")
_SESSION_ACTIVE = re.compile(r"^[ \t]*active=(true|false)")
# state=PlaybackState {state=3, …}; newer Android prints the name too: {state=PLAYING(3), …}
_PLAYBACK_STATE = re.compile(r"state=PlaybackState \{state=(?:[A-Z_]+\()?(\d+)")
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
    active: bool = True
    """False when the session says ``active=false``: its state may be stale (YouTube left
    ``state=3`` on a Fire TV that was switched off)."""


def parse_media_sessions(text: str) -> list[MediaSession]:
    """Sessions in stack order (most recent first), each with its PlaybackState code."""
    sessions: list[MediaSession] = []
    package: str | None = None
    active = True
    for line in text.splitlines():
        pkg = _SESSION_PACKAGE.match(line)
        if pkg is not None:
            package, active = pkg.group(1), True
            continue
        flag = _SESSION_ACTIVE.match(line)
        if flag is not None:
            active = flag.group(1) == "true"
            continue
        state = _PLAYBACK_STATE.search(line)
        if state is not None and package is not None:
            sessions.append(MediaSession(package, int(state.group(1)), active))
            package = None
    return sessions


def playback_for(
    sessions: list[MediaSession], foreground: str | None
) -> tuple[Playback, str | None]:
    """The playback state that matters: the foreground app's session, else the first playing
    one. Inactive sessions are ignored."""
    live = [session for session in sessions if session.active]
    chosen: MediaSession | None = None
    for session in live:
        if session.package == foreground:
            chosen = session
            break
    if chosen is None:
        chosen = next((s for s in live if s.state == 3), None)
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
    power_text = sections[POWER_SECTION]
    awake, power = parse_power(power_text)
    display_on = parse_display(power_text)
    if not awake:
        return ProjectorState(reachable=True, power=power, awake=False, display_on=display_on)
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
        display_on=display_on,
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
