"""The simulated XGIMI projector: power states, apps, inputs, volume, media, Android commands.

``DeviceModel`` implements :class:`simulator.backend.DeviceBackend` for the ADB daemon. What it
prints comes from its firmware profile (``simulator/profiles``); what it *does* is modelled here.

Power states (xgimi.md §3.1, §2.3)::

    MAINS_OFF --mains on, auto power-on--> BOOTING --boot_s--> ON <--2100--> SCREEN_OFF (关屏)
    MAINS_OFF --mains on, no auto power-on--> STANDBY (network down)
    ON / SCREEN_OFF --POWER / SLEEP--> STANDBY (关机): Asleep; reachable for network_drop_s
    STANDBY --(nothing but a mains cycle with auto power-on)--> BOOTING

Behaviour marked *inferred* is not confirmed by any source in ``xgimi.md``:

* in 关屏 any key other than SLEEP wakes the light and is consumed (§3.1 "remote/any key");
* 2101 toggles the quick-settings overlay; BACK/HOME close it;
* the source menu's highlight starts on its first item (profile ``start``), DOWN/UP move it,
  OK/ENTER select, BACK closes; it is modelled as an activity even where the firmware shows an
  overlay service;
* apps pause their playing media session when the projector enters standby; a media key on an
  app without a session gives it one;
* the HDMI player started with unrecognised extras comes to the front without changing input;
* ``persist.sys.hdmi.bootsource=HDMI1|HDMI2`` makes the boot land on that input (§2.5);
* the shell's ``reboot -p`` leaves the projector in standby with the network down.

Timers (boot, network drop, autofocus) run on the running event loop (``loop.call_later``);
:meth:`DeviceModel.fast_forward` completes them at once. A model used without a running loop
only changes state on :meth:`~DeviceModel.fast_forward`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator, Sequence
import contextlib
from dataclasses import dataclass, field
import enum
import logging
import random
import shlex
import struct
import time
from typing import Any
from urllib.parse import unquote
import zlib

from .backend import ShellResult
from .profiles import (
    ActivitySpec,
    IntentSpec,
    Profile,
    flatten_component,
    load_profile,
    normalize_component,
)
from .shell import ANDROID_COMMANDS, Shell

__all__ = [
    "KEYCODES",
    "DeviceModel",
    "DeviceState",
    "Intent",
    "KeyEvent",
    "MediaSession",
    "PlaybackState",
    "keycode",
]

_LOGGER = logging.getLogger(__name__)


class DeviceState(enum.StrEnum):
    """Power state of the projector."""

    MAINS_OFF = "mains_off"
    BOOTING = "booting"
    ON = "on"
    SCREEN_OFF = "screen_off"
    """关屏: the light engine is off; Android is awake and thinks the display is on."""
    STANDBY = "standby"
    """关机: suspend-to-RAM; the network drops ``network_drop_s`` after entering."""


class PlaybackState(enum.IntEnum):
    """``PlaybackState.state`` values as androidtv reads them."""

    NONE = 0
    STOPPED = 1
    PAUSED = 2
    PLAYING = 3


# Android KeyEvent.KEYCODE_* names (the subset a TV remote, HA and the integration use).
KEYCODES: dict[str, int] = {
    "UNKNOWN": 0,
    "SOFT_LEFT": 1,
    "SOFT_RIGHT": 2,
    "HOME": 3,
    "BACK": 4,
    "CALL": 5,
    "ENDCALL": 6,
    **{str(d): 7 + d for d in range(10)},
    "STAR": 17,
    "POUND": 18,
    "DPAD_UP": 19,
    "DPAD_DOWN": 20,
    "DPAD_LEFT": 21,
    "DPAD_RIGHT": 22,
    "DPAD_CENTER": 23,
    "VOLUME_UP": 24,
    "VOLUME_DOWN": 25,
    "POWER": 26,
    "CAMERA": 27,
    "CLEAR": 28,
    **{chr(ord("A") + i): 29 + i for i in range(26)},
    "COMMA": 55,
    "PERIOD": 56,
    "TAB": 61,
    "SPACE": 62,
    "ENTER": 66,
    "DEL": 67,
    "MENU": 82,
    "NOTIFICATION": 83,
    "SEARCH": 84,
    "MEDIA_PLAY_PAUSE": 85,
    "MEDIA_STOP": 86,
    "MEDIA_NEXT": 87,
    "MEDIA_PREVIOUS": 88,
    "MEDIA_REWIND": 89,
    "MEDIA_FAST_FORWARD": 90,
    "MUTE": 91,
    "PAGE_UP": 92,
    "PAGE_DOWN": 93,
    "BUTTON_A": 96,
    "BUTTON_B": 97,
    "ESCAPE": 111,
    "FORWARD_DEL": 112,
    "MOVE_HOME": 122,
    "MOVE_END": 123,
    "MEDIA_PLAY": 126,
    "MEDIA_PAUSE": 127,
    **{f"F{i}": 130 + i for i in range(1, 13)},
    "NUMPAD_ENTER": 160,
    "VOLUME_MUTE": 164,
    "INFO": 165,
    "CHANNEL_UP": 166,
    "CHANNEL_DOWN": 167,
    "ZOOM_IN": 168,
    "ZOOM_OUT": 169,
    "TV": 170,
    "WINDOW": 171,
    "GUIDE": 172,
    "DVR": 173,
    "BOOKMARK": 174,
    "CAPTIONS": 175,
    "SETTINGS": 176,
    "TV_POWER": 177,
    "TV_INPUT": 178,
    "PROG_RED": 183,
    "PROG_GREEN": 184,
    "PROG_YELLOW": 185,
    "PROG_BLUE": 186,
    "APP_SWITCH": 187,
    "LANGUAGE_SWITCH": 204,
    "MANNER_MODE": 205,
    "3D_MODE": 206,
    "CONTACTS": 207,
    "CALENDAR": 208,
    "MUSIC": 209,
    "ASSIST": 219,
    "BRIGHTNESS_DOWN": 220,
    "BRIGHTNESS_UP": 221,
    "MEDIA_AUDIO_TRACK": 222,
    "SLEEP": 223,
    "WAKEUP": 224,
    "PAIRING": 225,
    "MEDIA_TOP_MENU": 226,
    "LAST_CHANNEL": 229,
    "TV_INPUT_COMPONENT_1": 249,
    "TV_INPUT_COMPONENT_2": 250,
    "TV_INPUT_COMPOSITE_1": 247,
    "TV_INPUT_COMPOSITE_2": 248,
    "TV_INPUT_HDMI_1": 243,
    "TV_INPUT_HDMI_2": 244,
    "TV_INPUT_HDMI_3": 245,
    "TV_INPUT_HDMI_4": 246,
    "TV_INPUT_VGA_1": 251,
    "VOICE_ASSIST": 231,
    "HELP": 259,
    "NAVIGATE_PREVIOUS": 260,
    "NAVIGATE_NEXT": 261,
    "SOFT_SLEEP": 276,
    "ALL_APPS": 284,
}
_KEYNAMES = {code: name for name, code in KEYCODES.items()}


def keycode(key: int | str) -> int | None:
    """``26``, ``"26"``, ``"POWER"`` or ``"KEYCODE_POWER"`` → 26; ``None`` if unknown."""
    if isinstance(key, int):
        return key
    text = key.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    name = text.upper()
    name = name.removeprefix("KEYCODE_")
    return KEYCODES.get(name)


def _keyname(code: int) -> str:
    return f"KEYCODE_{_KEYNAMES[code]}" if code in _KEYNAMES else str(code)


# --------------------------------------------------------------------------------------------
# Intents
# --------------------------------------------------------------------------------------------

FLAG_ACTIVITY_NEW_TASK = 0x10000000

_INTENT_FLAG_OPTIONS = {
    "--grant-read-uri-permission": 0x00000001,
    "--grant-write-uri-permission": 0x00000002,
    "--grant-persistable-uri-permission": 0x00000040,
    "--grant-prefix-uri-permission": 0x00000080,
    "--debug-log-resolution": 0x00000008,
    "--exclude-stopped-packages": 0x00000010,
    "--include-stopped-packages": 0x00000020,
    "--activity-brought-to-front": 0x00400000,
    "--activity-clear-top": 0x04000000,
    "--activity-clear-when-task-reset": 0x00080000,
    "--activity-exclude-from-recents": 0x00800000,
    "--activity-launched-from-history": 0x00100000,
    "--activity-multiple-task": 0x08000000,
    "--activity-no-animation": 0x00010000,
    "--activity-no-history": 0x40000000,
    "--activity-no-user-action": 0x00040000,
    "--activity-previous-is-top": 0x01000000,
    "--activity-reorder-to-front": 0x00020000,
    "--activity-reset-task-if-needed": 0x00200000,
    "--activity-single-top": 0x20000000,
    "--activity-clear-task": 0x00008000,
    "--activity-task-on-home": 0x00004000,
    "--activity-match-external": 0x00000800,
    "--activity-launch-adjacent": 0x00001000,
    "--activity-new-task": FLAG_ACTIVITY_NEW_TASK,
    "--receiver-registered-only": 0x40000000,
    "--receiver-replace-pending": 0x20000000,
    "--receiver-foreground": 0x10000000,
    "--receiver-no-abort": 0x08000000,
    "--receiver-include-background": 0x01000000,
}

_AM_START_OPTIONS_NOARG = {
    "-D",
    "-N",
    "-W",
    "-S",
    "--streaming",
    "--track-allocation",
    "--task-overlay",
    "--lock-task",
}
_AM_START_OPTIONS_ARG = {
    "-P",
    "--start-profiler",
    "--sampling",
    "--attach-agent",
    "--attach-agent-bind",
    "-R",
    "--user",
    "--stack",
    "--windowingMode",
    "--activityType",
    "--display",
    "--task",
    "--receiver-permission",
}


class UsageError(Exception):
    """A bad command line: message for stderr and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(slots=True)
class Intent:
    """An intent as ``am`` builds it from its command line."""

    action: str | None = None
    data: str | None = None
    mime: str | None = None
    categories: list[str] = field(default_factory=list)
    component: str | None = None  # normalized pkg/pkg.Cls
    package: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    flags: int = 0
    kind: str = "activity"  # activity | service | broadcast | monkey
    options: dict[str, str | bool] = field(default_factory=dict)

    @property
    def target_package(self) -> str | None:
        if self.component:
            return self.component.partition("/")[0]
        return self.package

    def short_string(self, *, flags: int | None = None) -> str:
        """``Intent.toShortString`` as ``am`` prints it inside ``Intent { … }``."""
        parts: list[str] = []
        if self.action:
            parts.append(f"act={self.action}")
        if self.categories:
            parts.append("cat=[" + ",".join(self.categories) + "]")
        if self.data:
            parts.append(f"dat={self.data}")
        if self.mime:
            parts.append(f"typ={self.mime}")
        shown_flags = self.flags if flags is None else flags
        if shown_flags:
            parts.append(f"flg=0x{shown_flags:x}")
        if self.package:
            parts.append(f"pkg={self.package}")
        if self.component:
            parts.append(f"cmp={flatten_component(self.component)}")
        if self.extras:
            parts.append("(has extras)")
        return " ".join(parts)

    def describe(self, *, flags: int | None = None) -> str:
        return "Intent { " + self.short_string(flags=flags) + " }"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "action": self.action,
            "data": self.data,
            "categories": list(self.categories),
            "component": self.component,
            "package": self.package,
            "extras": dict(self.extras),
            "flags": self.flags,
        }


def _split_array(value: str) -> list[str]:
    # ``--esa k a,b\,c`` → ["a", "b,c"]
    out, cur, escape = [], "", False
    for ch in value:
        if escape:
            cur += ch
            escape = False
        elif ch == "\\":
            escape = True
        elif ch == ",":
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def parse_intent(
    args: Sequence[str], *, kind: str = "activity", start_options: bool = True
) -> Intent:
    """Parse ``am``'s intent arguments (and ``am start``'s own options when ``start_options``)."""
    intent = Intent(kind=kind)
    i = 0

    def take(opt: str) -> str:
        nonlocal i
        if i + 1 >= len(args):
            raise UsageError(f"Error: No argument given after {opt}")
        i += 1
        return args[i]

    def number(opt: str, text: str, conv: Callable[[str], Any]) -> Any:
        try:
            return conv(text)
        except ValueError as err:
            raise UsageError(
                "Exception occurred while executing:\n"
                f'java.lang.NumberFormatException: For input string: "{text}"',
                255,
            ) from err

    while i < len(args):
        arg = args[i]
        if arg == "-a":
            intent.action = take(arg)
        elif arg == "-d":
            intent.data = take(arg)
        elif arg == "-t":
            intent.mime = take(arg)
        elif arg == "-c":
            intent.categories.append(take(arg))
        elif arg == "-n":
            value = take(arg)
            try:
                intent.component = normalize_component(value)
            except ValueError as err:
                raise UsageError(f"Error: Bad component name: {value}") from err
        elif arg == "-p":
            intent.package = take(arg)
        elif arg == "-f":
            intent.flags |= number(arg, take(arg), lambda s: int(s, 0))
        elif arg in ("-e", "--es"):
            key = take(arg)
            intent.extras[key] = take(arg)
        elif arg == "--esn":
            intent.extras[take(arg)] = None
        elif arg == "--ez":
            key = take(arg)
            value = take(arg).lower()
            intent.extras[key] = value in ("true", "t", "1") or (
                value.isdigit() and int(value) != 0
            )
        elif arg in {"--ei", "--el"}:
            key = take(arg)
            intent.extras[key] = number(arg, take(arg), int)
        elif arg in ("--ef", "--ed"):
            key = take(arg)
            intent.extras[key] = number(arg, take(arg), float)
        elif arg in ("--eu", "--ecn"):
            key = take(arg)
            intent.extras[key] = take(arg)
        elif arg in ("--eia", "--eial", "--ela", "--elal"):
            key = take(arg)
            intent.extras[key] = [number(arg, v, int) for v in take(arg).split(",")]
        elif arg in ("--efa", "--efal"):
            key = take(arg)
            intent.extras[key] = [number(arg, v, float) for v in take(arg).split(",")]
        elif arg in ("--esa", "--esal"):
            key = take(arg)
            intent.extras[key] = _split_array(take(arg))
        elif arg in _INTENT_FLAG_OPTIONS:
            intent.flags |= _INTENT_FLAG_OPTIONS[arg]
        elif arg == "--selector":
            pass
        elif start_options and arg in _AM_START_OPTIONS_NOARG:
            intent.options[arg] = True
        elif start_options and arg in _AM_START_OPTIONS_ARG:
            intent.options[arg] = take(arg)
        elif arg.startswith("-") and len(arg) > 1:
            raise UsageError(f"Error: Unknown option: {arg}")
        elif ":" in arg:
            intent.data = arg
        elif "/" in arg:
            try:
                intent.component = normalize_component(arg)
            except ValueError as err:
                raise UsageError(f"Error: Bad component name: {arg}") from err
        else:
            intent.package = arg
        i += 1
    return intent


def _norm_data(value: str | None) -> str | None:
    return unquote(value) if value is not None else None


def intent_matches(spec: IntentSpec, intent: Intent) -> bool:
    """Whether ``intent`` is one the firmware treats specially (HDMI switch, source menu…)."""
    if spec.kind != intent.kind:
        return False
    if spec.action is not None and spec.action != intent.action:
        return False
    if spec.component is not None and spec.component != intent.component:
        return False
    if spec.package is not None and spec.package != intent.target_package:
        return False
    if spec.data is not None and _norm_data(spec.data) != _norm_data(intent.data):
        return False
    for key, value in spec.extras.items():
        if key not in intent.extras or str(intent.extras[key]) != value:
            return False
    return True


# --------------------------------------------------------------------------------------------
# Runtime records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyEvent:
    """One key the projector received, as logged in :attr:`DeviceModel.key_log`."""

    code: int
    name: str
    action: str
    """What the profile maps the key to (``power``, ``source_menu``, ``none``…)."""
    state: str
    """The power state when it arrived."""
    handled: bool
    """False when the key was ignored (standby, booting) or only woke the light (关屏)."""
    longpress: bool = False
    time: float = 0.0


class _Completed:
    """What :meth:`DeviceModel.fast_forward` returns: already done; awaitable for convenience."""

    __slots__ = ()

    def __await__(self) -> Generator[Any]:
        return (yield from asyncio.sleep(0).__await__())


@dataclass(slots=True)
class _Activity:
    spec: ActivitySpec
    kind: str  # home | app | hdmi | menu
    task_id: int
    hash: str
    window_hash: str
    token_hash: str
    token2_hash: str
    task_hash: str
    intent: Intent
    started_ms: int
    source: str | None = None

    @property
    def package(self) -> str:
        return self.spec.package

    @property
    def record(self) -> str:
        return f"ActivityRecord{{{self.hash} u0 {self.spec.short} t{self.task_id}}}"

    @property
    def window(self) -> str:
        return f"Window{{{self.window_hash} u0 {self.spec.component}}}"


@dataclass(slots=True)
class MediaSession:
    """One app's MediaSession as ``dumpsys media_session`` lists it."""

    package: str
    tag: str
    state: PlaybackState
    position_ms: int
    updated_ms: int
    piid: int
    active: bool = True

    @property
    def speed(self) -> float:
        return 1.0 if self.state == PlaybackState.PLAYING else 0.0


@dataclass(slots=True)
class _Timer:
    due: float
    callback: Callable[[], None]
    handle: asyncio.TimerHandle | None = None


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _not_found(name: str) -> ShellResult:
    return ShellResult(b"", f"/system/bin/sh: {name}: not found\n".encode(), 127)


def _ok(text: str = "") -> ShellResult:
    return ShellResult(text.encode())


def _err(text: str, code: int = 1, stdout: str = "") -> ShellResult:
    if text and not text.endswith("\n"):
        text += "\n"
    return ShellResult(stdout.encode(), text.encode(), code)


_TEMPLATED_FIRST = frozenset({"dumpsys", "ps", "id", "uptime", "wm", "ip", "service"})

_SYSTEM_PROCESSES: tuple[tuple[str, int, int, int, int, str, str], ...] = (
    # user, pid, ppid, vsz, rss, wchan, name
    ("root", 1, 0, 22304, 2876, "SyS_epoll_wait", "init"),
    ("root", 2, 0, 0, 0, "kthreadd", "[kthreadd]"),
    ("logd", 215, 1, 28620, 6156, "SyS_rt_sigsuspend", "logd"),
    ("system", 226, 1, 13360, 2100, "binder_ioctl", "servicemanager"),
    ("system", 227, 1, 15760, 3804, "binder_ioctl", "hwservicemanager"),
    ("system", 245, 1, 103620, 12344, "SyS_epoll_wait", "surfaceflinger"),
    ("root", 262, 1, 1136612, 86624, "poll_schedule_timeout", "zygote"),
    ("audioserver", 268, 1, 64248, 11300, "binder_ioctl", "audioserver"),
    ("media", 274, 1, 44648, 9024, "binder_ioctl", "mediaserver"),
    ("shell", 301, 1, 14400, 2700, "poll_schedule_timeout", "adbd"),
    ("system", 612, 262, 1491236, 178320, "SyS_epoll_wait", "system_server"),
)


class DeviceModel:
    """The simulated projector. Implements :class:`~simulator.backend.DeviceBackend`."""

    def __init__(
        self,
        profile: str | Profile = "gmui_android9",
        *,
        state: DeviceState | str = DeviceState.ON,
        boot_s: float | None = None,
        network_drop_s: float | None = None,
        auto_power_on: bool = True,
        focus_s: float = 2.0,
        reboot_delay_s: float = 0.1,
        shell_timeout_s: float | None = 300.0,
    ) -> None:
        self.profile: Profile = profile if isinstance(profile, Profile) else load_profile(profile)
        self.boot_s = float(self.profile.boot_s if boot_s is None else boot_s)
        self.network_drop_s = float(
            self.profile.network_drop_s if network_drop_s is None else network_drop_s
        )
        self.focus_s = focus_s
        self.reboot_delay_s = reboot_delay_s
        self._auto_power_on = auto_power_on

        self.key_log: list[KeyEvent] = []
        """Every key received (``input keyevent``, :meth:`press`) in order, ignored ones too."""
        self.shell_log: list[str] = []
        """Every command line received by :meth:`run_shell`, in order."""
        self.command_log: list[str] = []
        """Every Android command run through the shell (argv, shell-quoted), in order."""
        self.intent_log: list[Intent] = []
        """Every intent received (``am start``/``startservice``/``broadcast``, ``monkey``)."""
        self.text_log: list[str] = []
        self.focus_motor_log: list[int] = []
        self.autofocus_count = 0
        self.last_focus: float | None = None
        self.focusing = False
        self.prompt_visible = False
        self.prompt_fingerprint: str | None = None
        self.prompt_count = 0

        self._rng = random.Random(self.profile.serial or self.profile.name)
        self._skew = 0.0
        self._timers: dict[str, _Timer] = {}
        self._reach_listeners: list[Callable[[bool], None]] = []
        self._state_listeners: list[Callable[[DeviceState], None]] = []
        self._state = DeviceState.MAINS_OFF
        self._state_since = self._clock()
        self._network_up = False
        self._mains = False
        self._closed = False

        self._volume = max(0, min(self.profile.volume_default, self.profile.volume_max))
        self._muted = False
        self._brightness = 102
        self._persist_props: dict[str, str] = {}
        self._prop_overrides: dict[str, str] = {}
        self._settings: dict[str, dict[str, str]] = {
            ns: dict(values) for ns, values in self.profile.settings.items()
        }
        for ns in ("system", "secure", "global"):
            self._settings.setdefault(ns, {})
        self._reset_runtime()
        self._shell = Shell(self._execute, commands=ANDROID_COMMANDS, timeout_s=shell_timeout_s)

        initial = DeviceState(state)
        if initial != DeviceState.MAINS_OFF:
            self._mains = True
            if initial == DeviceState.BOOTING:
                self._start_boot()
            else:
                self._boot_done()
                if initial == DeviceState.SCREEN_OFF:
                    self.screen_off()
                elif initial == DeviceState.STANDBY:
                    self.standby()

    # ------------------------------------------------------------------ runtime reset / clock

    def _reset_runtime(self) -> None:
        self._boot_time = self._clock()
        self._props: dict[str, str] = dict(self.profile.props)
        self._props.update(self._persist_props)
        self._props.update(self._prop_overrides)
        self._stack: list[_Activity] = []
        self._processes: dict[str, int] = {}
        self._sessions: dict[str, MediaSession] = {}
        self._session_order: list[str] = []
        self._player_events: list[tuple[float, int, str]] = []
        self._next_pid = 1500
        self._next_task = 1
        self._next_piid = 15
        self._quick_panel = False
        self._menu_highlight = 0
        self._hdmi_source: str | None = None
        self._last_start: tuple[Intent, _Activity] | None = None
        self._last_wake = self._clock()
        self._last_sleep: float | None = None
        self._sleep_reason = "unknown"
        self._last_activity = self._clock()

    def _clock(self) -> float:
        return time.monotonic() + self._skew

    def _ms(self, t: float | None) -> int:
        if t is None:
            return 0
        return max(0, int((t - self._boot_time) * 1000))

    def _hash(self) -> str:
        return f"{self._rng.getrandbits(28):07x}"

    # ------------------------------------------------------------------ timers

    def _schedule(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        self._cancel(name)
        timer = _Timer(self._clock() + max(0.0, delay), callback)
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            timer.handle = loop.call_later(max(0.0, delay), self._fire, name)
        self._timers[name] = timer

    def _cancel(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer and timer.handle:
            timer.handle.cancel()

    def _fire(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            if timer.handle:
                timer.handle.cancel()
            timer.callback()

    @property
    def pending_timers(self) -> dict[str, float]:
        """Pending transitions (``boot``, ``network_drop``, ``focus``, ``reboot``) → seconds."""
        now = self._clock()
        return {name: max(0.0, t.due - now) for name, t in self._timers.items()}

    def fast_forward(self, seconds: float | None = None) -> Awaitable[None]:
        """Skip the clock: complete pending transitions now.

        With ``seconds=None`` every pending timer fires (in due order, including timers the fired
        ones schedule, e.g. a reboot's boot). Otherwise the model's clock moves ``seconds``
        ahead and only the timers due by then fire; the rest keep their remaining delay.

        The work is done before this returns; the result may be awaited (``await
        device.fast_forward()``) to also give the event loop one turn.
        """
        self._fast_forward(seconds)
        return _Completed()

    def _fast_forward(self, seconds: float | None) -> None:
        if seconds is None:
            for _ in range(100):
                if not self._timers:
                    break
                name, timer = min(self._timers.items(), key=lambda kv: kv[1].due)
                self._skew += max(0.0, timer.due - self._clock())
                self._fire(name)
            return
        target = self._clock() + seconds
        for _ in range(100):
            due = [(t.due, n) for n, t in self._timers.items() if t.due <= target]
            if not due:
                break
            when, name = min(due)
            self._skew += max(0.0, when - self._clock())
            self._fire(name)
        self._skew += max(0.0, target - self._clock())
        for name, timer in list(self._timers.items()):
            self._schedule(name, timer.due - self._clock(), timer.callback)

    async def advance(self, seconds: float | None = None) -> None:
        """:meth:`fast_forward`, then let listeners scheduled on the loop run."""
        self._fast_forward(seconds)
        await asyncio.sleep(0)

    # ------------------------------------------------------------------ DeviceBackend

    @property
    def reachable(self) -> bool:
        if self._state in (DeviceState.ON, DeviceState.SCREEN_OFF):
            return True
        return self._state == DeviceState.STANDBY and self._network_up

    @property
    def adb_secure(self) -> bool:
        return self._props.get("ro.adb.secure", "1") == "1"

    @property
    def protocol_version(self) -> int:
        return self.profile.protocol_version

    @property
    def max_payload(self) -> int:
        return self.profile.max_payload

    @property
    def features(self) -> frozenset[str]:
        return frozenset(self.profile.features)

    def banner(self) -> bytes:
        props = self._props
        parts = [
            f"ro.product.name={props.get('ro.product.name', '')}",
            f"ro.product.model={props.get('ro.product.model', '')}",
            f"ro.product.device={props.get('ro.product.device', '')}",
            "features=" + ",".join(self.profile.features),
        ]
        return ("device::" + ";".join(parts)).encode()

    async def run_shell(self, command: str) -> ShellResult:
        self.shell_log.append(command)
        if not self.reachable:
            return ShellResult(b"", b"error: device offline\n", 1)
        return await self._shell.run(command)

    def add_reachability_listener(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        self._reach_listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._reach_listeners.remove(callback)

        return remove

    def add_state_listener(self, callback: Callable[[DeviceState], None]) -> Callable[[], None]:
        """Call ``callback(state)`` on every power-state change; returns a remover."""
        self._state_listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._state_listeners.remove(callback)

        return remove

    def show_prompt(self, fingerprint: str) -> None:
        self.prompt_visible = True
        self.prompt_fingerprint = fingerprint
        self.prompt_count += 1
        _LOGGER.info("'Allow USB debugging?' shown on screen for key %s", fingerprint)

    def hide_prompt(self) -> None:
        if self.prompt_visible:
            _LOGGER.info("'Allow USB debugging?' dialog closed")
        self.prompt_visible = False

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Cancel timers and kill running shells (does not wait for them)."""
        self._closed = True
        for name in list(self._timers):
            self._cancel(name)
        self._shell.close()

    async def aclose(self) -> None:
        """Cancel timers, kill running shells and wait for them."""
        self._closed = True
        for name in list(self._timers):
            self._cancel(name)
        await self._shell.aclose()

    # ------------------------------------------------------------------ properties

    @property
    def props(self) -> dict[str, str]:
        """The live ``getprop`` map."""
        return dict(self._props)

    def set_prop(self, name: str, value: str) -> None:
        """Change a property as a firmware change would (``ro.*`` too; survives reboots)."""
        self._prop_overrides[name] = value
        self._props[name] = value

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> DeviceState:
        return self._state

    @property
    def mains(self) -> bool:
        """Whether the smart plug feeds the projector."""
        return self._mains

    @property
    def auto_power_on(self) -> bool:
        """上电自动开机: boot when mains power returns."""
        return self._auto_power_on

    def set_auto_power_on(self, enabled: bool) -> None:
        self._auto_power_on = bool(enabled)
        _LOGGER.info("auto power-on (上电自动开机) %s", "enabled" if enabled else "disabled")

    @property
    def power_w(self) -> float:
        """What a power-metering plug would read, per state (from the profile)."""
        return float(self.profile.power_w.get(self._state.value, 0.0))

    @property
    def volume(self) -> int:
        return self._volume

    @property
    def volume_max(self) -> int:
        return self.profile.volume_max

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def foreground(self) -> str | None:
        """The resumed activity, ``pkg/.Cls`` (the source menu counts), or ``None``."""
        return self._stack[-1].spec.short if self._stack else None

    @property
    def foreground_package(self) -> str | None:
        return self._stack[-1].package if self._stack else None

    @property
    def back_stack(self) -> list[str]:
        """Activities from bottom (launcher) to top."""
        return [a.spec.short for a in self._stack]

    @property
    def source(self) -> str | None:
        """``"launcher"``, ``"HDMI1"``/``"HDMI2"``, an app's package, or ``None`` when off."""
        for activity in reversed(self._stack):
            if activity.kind == "menu":
                continue
            if activity.kind == "home":
                return "launcher"
            if activity.kind == "hdmi":
                return activity.source or activity.package
            return activity.package
        return None

    @property
    def hdmi_input(self) -> str | None:
        """The HDMI input shown (``HDMI1``/``HDMI2``) when the source is HDMI."""
        src = self.source
        return src if src and src.startswith("HDMI") else None

    @property
    def source_menu_open(self) -> bool:
        return bool(self._stack) and self._stack[-1].kind == "menu"

    @property
    def source_menu_highlight(self) -> str | None:
        if not self.source_menu_open:
            return None
        return self.profile.source_menu.items[self._menu_highlight]

    @property
    def quick_settings_open(self) -> bool:
        return self._quick_panel

    @property
    def media_session(self) -> MediaSession | None:
        """The session media keys go to: the most recently active one."""
        return self._sessions[self._session_order[-1]] if self._session_order else None

    @property
    def playback(self) -> PlaybackState:
        session = self.media_session
        return session.state if session else PlaybackState.NONE

    @property
    def sessions(self) -> dict[str, MediaSession]:
        return dict(self._sessions)

    @property
    def running_packages(self) -> list[str]:
        return list(self._processes)

    @property
    def uptime_s(self) -> float:
        return (
            max(0.0, self._clock() - self._boot_time)
            if self._state != DeviceState.MAINS_OFF
            else 0.0
        )

    def _set_state(self, new: DeviceState) -> None:
        old_reach = self.reachable
        if new != self._state:
            _LOGGER.info(
                "projector %s → %s (%.1f W)",
                self._state.value,
                new.value,
                self.profile.power_w.get(new.value, 0.0),
            )
            self._state = new
            self._state_since = self._clock()
            for callback in list(self._state_listeners):
                try:
                    callback(new)
                except Exception:
                    _LOGGER.exception("state listener failed")
        self._notify_reach(old_reach)

    def _notify_reach(self, old: bool) -> None:
        new = self.reachable
        if new == old:
            return
        _LOGGER.info("network/adbd %s", "up" if new else "down")
        for callback in list(self._reach_listeners):
            try:
                callback(new)
            except Exception:
                _LOGGER.exception("reachability listener failed")

    # ------------------------------------------------------------------ power knobs

    def mains_on(self) -> None:
        """Plug on. Boots when 上电自动开机 is on; otherwise stays in standby, network down."""
        if self._mains:
            _LOGGER.info("mains already on: nothing happens (the re-arm problem, xgimi.md §3.3)")
            return
        self._mains = True
        _LOGGER.info("mains on")
        if self._auto_power_on:
            self._start_boot()
        else:
            self._reset_runtime()
            self._network_up = False
            self._set_state(DeviceState.STANDBY)

    def mains_off(self) -> None:
        """Plug off: everything stops at once (a hard power cut)."""
        if not self._mains:
            return
        self._mains = False
        _LOGGER.info("mains off")
        for name in list(self._timers):
            self._cancel(name)
        self._network_up = False
        self.focusing = False
        self.hide_prompt()
        self._reset_runtime()
        self._set_state(DeviceState.MAINS_OFF)

    def _start_boot(self) -> None:
        for name in list(self._timers):
            self._cancel(name)
        self._network_up = False
        self.focusing = False
        self._reset_runtime()
        self._set_state(DeviceState.BOOTING)
        self._schedule("boot", self.boot_s, self._boot_done)

    def _boot_done(self) -> None:
        self._boot_time = self._clock() - (
            self.boot_s if self._state == DeviceState.BOOTING else 0.0
        )
        self._props["sys.boot_completed"] = "1"
        self._props["dev.bootcomplete"] = "1"
        self._props["init.svc.adbd"] = "running"
        for pkg in self.profile.persistent:
            if pkg in self.profile.packages:
                self._spawn(pkg)
        launcher = self.profile.activity(self.profile.launcher)
        if launcher is not None:
            self._stack = [
                self._new_activity(
                    launcher,
                    "home",
                    Intent(
                        action="android.intent.action.MAIN",
                        categories=["android.intent.category.HOME"],
                    ),
                )
            ]
            self._spawn(launcher.package)
        self._last_wake = self._clock()
        self._last_activity = self._clock()
        self._network_up = True
        self._set_state(DeviceState.ON)
        boot_source = self._props.get("persist.sys.hdmi.bootsource", "")
        if (
            boot_source in self.profile.source_menu.items
        ):  # inferred: boot straight into HDMI (§2.5)
            self._switch_hdmi(boot_source, Intent(kind="activity"))

    def standby(self, reason: str = "power_button") -> None:
        """关机: Android goes to sleep at once; the network follows ``network_drop_s`` later."""
        if self._state not in (DeviceState.ON, DeviceState.SCREEN_OFF):
            return
        self._last_sleep = self._clock()
        self._sleep_reason = reason
        self._quick_panel = False
        self.focusing = False
        self._cancel("focus")
        for session in self._sessions.values():  # inferred: apps pause when the SoC suspends
            if session.state == PlaybackState.PLAYING:
                self._set_session_state(session, PlaybackState.PAUSED)
        self._network_up = True
        self._set_state(DeviceState.STANDBY)
        self._schedule("network_drop", self.network_drop_s, self._network_drop)

    def _network_drop(self) -> None:
        if self._state != DeviceState.STANDBY:
            return
        old = self.reachable
        self._network_up = False
        _LOGGER.info("standby: Wi-Fi down, SoC suspended")
        self._notify_reach(old)

    def screen_off(self) -> None:
        """关屏: light engine off; Android stays Awake and reachable, audio keeps playing."""
        if self._state == DeviceState.ON:
            self._quick_panel = False
            self._set_state(DeviceState.SCREEN_OFF)

    def screen_on(self) -> None:
        """Light engine back on (from 关屏)."""
        if self._state == DeviceState.SCREEN_OFF:
            self._last_wake = self._clock()
            self._set_state(DeviceState.ON)

    def reboot(self, *, delay_s: float = 0.0, power_off: bool = False) -> None:
        """Reboot now (or after ``delay_s``): connections drop, it boots again (``boot_s``).

        ``power_off`` (``reboot -p``) shuts Android down instead: standby with the network down
        until a mains cycle. The shell's ``reboot`` waits ``reboot_delay_s`` so that its (empty)
        answer still reaches the host, as on a real device.
        """
        if self._state in (DeviceState.MAINS_OFF, DeviceState.BOOTING):
            return
        delay = delay_s

        def go() -> None:
            if power_off:
                for name in list(self._timers):
                    self._cancel(name)
                self._reset_runtime()
                self._network_up = False
                self._set_state(DeviceState.STANDBY)
            else:
                _LOGGER.info("rebooting")
                self._start_boot()

        if delay <= 0:
            go()
        else:
            self._schedule("reboot", delay, go)

    # ------------------------------------------------------------------ processes / activities

    def _spawn(self, pkg: str) -> int:
        if pkg not in self._processes:
            self._processes[pkg] = self._next_pid
            self._next_pid += self._rng.randint(3, 40)
        return self._processes[pkg]

    def _new_activity(
        self, spec: ActivitySpec, kind: str, intent: Intent, source: str | None = None
    ) -> _Activity:
        task_id = self._next_task
        self._next_task += 1
        return _Activity(
            spec=spec,
            kind=kind,
            task_id=task_id,
            hash=self._hash(),
            window_hash=self._hash(),
            token_hash=self._hash(),
            token2_hash=self._hash(),
            task_hash=self._hash(),
            intent=intent,
            started_ms=self._ms(self._clock()),
            source=source,
        )

    def _kind_of(self, spec: ActivitySpec) -> str:
        if spec.component == self.profile.launcher:
            return "home"
        if spec.component == self.profile.hdmi.player:
            return "hdmi"
        if spec.component == self.profile.source_menu.component:
            return "menu"
        return "app"

    def _launch(self, spec: ActivitySpec, intent: Intent, source: str | None = None) -> str:
        """Bring ``spec`` to the front. Returns ``started``, ``front`` or ``delivered``."""
        kind = self._kind_of(spec)
        self._last_activity = self._clock()
        if kind == "home":
            result = "delivered" if len(self._stack) == 1 else "front"
            self._go_home()
            return result
        self._spawn(spec.package)
        if kind == "menu":
            self._menu_highlight = self._menu_start_index()
        top = self._stack[-1] if self._stack else None
        if top is not None and top.spec.component == spec.component:
            if kind == "hdmi":
                top.source = source
            self._last_start = (intent, top)
            return "delivered"
        existing = next(
            (a for a in self._stack if a.package == spec.package and a.kind == kind), None
        )
        if existing is not None and kind != "menu":
            self._stack.remove(existing)
            if existing.spec.component != spec.component:
                existing = self._new_activity(spec, kind, intent, source)
            existing.source = source
            self._stack.append(existing)
            self._last_start = (intent, existing)
            return "front"
        activity = self._new_activity(spec, kind, intent, source)
        self._stack.append(activity)
        self._last_start = (intent, activity)
        return "started"

    def _go_home(self) -> None:
        self._quick_panel = False
        launcher = next((a for a in self._stack if a.kind == "home"), None)
        if launcher is None:
            spec = self.profile.activity(self.profile.launcher)
            if spec is None:
                self._stack = []
                return
            launcher = self._new_activity(spec, "home", Intent(action="android.intent.action.MAIN"))
        self._stack = [launcher]
        self._spawn(launcher.package)

    def _back(self) -> None:
        if self._quick_panel:
            self._quick_panel = False
            return
        if len(self._stack) > 1:
            self._stack.pop()

    def _menu_start_index(self) -> int:
        items = self.profile.source_menu.items
        if self.profile.source_menu.start == "current":
            src = self.source
            if src in items:
                return items.index(src)
        return 0

    def _open_source_menu(self) -> None:
        if self.source_menu_open:
            return
        spec = self.profile.activity(self.profile.source_menu.component)
        if spec is None:
            _LOGGER.warning("profile %s has no source menu activity", self.profile.name)
            return
        self._quick_panel = False
        self._launch(spec, Intent(action="android.intent.action.MAIN"))

    def _switch_hdmi(self, source: str, intent: Intent) -> str:
        spec = self.profile.activity(self.profile.hdmi.player)
        if spec is None:
            raise RuntimeError(f"profile {self.profile.name}: HDMI player not installed")
        if self.source_menu_open:
            self._stack.pop()
        self._hdmi_source = source
        result = self._launch(spec, intent, source)
        _LOGGER.info("source → %s", source)
        return result

    def _force_stop(self, pkg: str) -> None:
        self._processes.pop(pkg, None)
        if pkg in self._sessions:
            del self._sessions[pkg]
            self._session_order.remove(pkg)
        self._stack = [a for a in self._stack if a.package != pkg or a.kind == "home"]
        if not self._stack and self._state in (DeviceState.ON, DeviceState.SCREEN_OFF):
            self._go_home()
        if pkg in self.profile.persistent or (self._stack and self._stack[0].package == pkg):
            self._spawn(pkg)  # the launcher and persistent apps are restarted at once

    # ------------------------------------------------------------------ media

    def start_media(
        self,
        package: str,
        state: PlaybackState | int = PlaybackState.PLAYING,
        *,
        tag: str | None = None,
    ) -> MediaSession:
        """Give ``package`` a media session in ``state`` (and a process); it becomes active."""
        state = PlaybackState(state)
        self._spawn(package)
        session = self._sessions.get(package)
        if session is None:
            label = (
                self.profile.packages[package].label
                if package in self.profile.packages
                else package
            )
            session = MediaSession(
                package=package,
                tag=tag
                or (label if label.isascii() and " " not in label else "MediaSessionCompat"),
                state=PlaybackState.NONE,
                position_ms=0,
                updated_ms=self._ms(self._clock()),
                piid=self._next_piid,
            )
            self._next_piid += 8
            self._sessions[package] = session
            self._player_events.append((time.time(), session.piid, "new"))
        self._set_session_state(session, state)
        return session

    def _set_session_state(self, session: MediaSession, state: PlaybackState) -> None:
        now_ms = self._ms(self._clock())
        if session.state == PlaybackState.PLAYING:
            session.position_ms += max(0, now_ms - session.updated_ms)
        if state == PlaybackState.STOPPED:
            session.position_ms = 0
        if state != session.state:
            event = {
                PlaybackState.PLAYING: "started",
                PlaybackState.PAUSED: "paused",
                PlaybackState.STOPPED: "stopped",
            }.get(state)
            if event:
                self._player_events.append((time.time(), session.piid, event))
                del self._player_events[:-40]
        session.state = state
        session.updated_ms = now_ms
        if session.package in self._session_order:
            self._session_order.remove(session.package)
        self._session_order.append(session.package)

    def _media_key(self, action: str) -> None:
        fg = self.foreground_package
        session = self._sessions.get(fg) if fg else None
        if session is None:
            session = self.media_session
        if session is None:
            top = self._stack[-1] if self._stack else None
            if top is None or top.kind != "app":
                return
            session = self.start_media(top.package, PlaybackState.NONE)  # inferred: the app answers
        current = session.state
        if action == "play_pause":
            new = (
                PlaybackState.PAUSED if current == PlaybackState.PLAYING else PlaybackState.PLAYING
            )
        elif action == "play":
            new = PlaybackState.PLAYING
        elif action == "pause":
            new = PlaybackState.PAUSED if current == PlaybackState.PLAYING else current
        elif action == "stop":
            new = PlaybackState.STOPPED
        else:  # next / previous: position restarts
            session.position_ms = 0
            new = current
        self._set_session_state(session, new)

    # ------------------------------------------------------------------ volume

    def set_volume(self, index: int) -> None:
        self._volume = max(0, min(int(index), self.profile.volume_max))
        if self._volume > 0:
            self._muted = False

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)

    # ------------------------------------------------------------------ keys

    def press(self, key: int | str, *, longpress: bool = False) -> None:
        """A key from the remote (or ``input keyevent``)."""
        code = keycode(key)
        if code is None:
            raise ValueError(f"unknown key {key!r}")
        self._key(code, longpress=longpress)

    @property
    def key_codes(self) -> list[int]:
        """The codes of :attr:`key_log`."""
        return [event.code for event in self.key_log]

    def _key(self, code: int, *, longpress: bool = False) -> None:
        action = self.profile.keys.get(code, "none")
        state = self._state
        handled = state == DeviceState.ON
        self.key_log.append(
            KeyEvent(code, _keyname(code), action, state.value, handled, longpress, time.time())
        )
        _LOGGER.debug(
            "key %s (%s) in %s%s", code, action, state.value, " [long]" if longpress else ""
        )
        if state not in (DeviceState.ON, DeviceState.SCREEN_OFF):
            _LOGGER.info("key %s ignored in %s", _keyname(code), state.value)
            return
        self._last_activity = self._clock()
        if state == DeviceState.SCREEN_OFF:
            if action == "sleep":
                self.standby("sleep_button")
            else:
                # POWER / WAKEUP / 2100 wake the light; any other key does too and is consumed
                # (inferred — xgimi.md §3.1 "remote/any key").
                self.screen_on()
            return
        self._on_key(action, code)

    def _on_key(self, action: str, code: int) -> None:
        if action == "power":
            self.standby("power_button")
        elif action == "sleep":
            self.standby("sleep_button")
        elif action == "wakeup":
            pass
        elif action == "screen_toggle":
            self.screen_off()
        elif action == "home":
            self._go_home()
        elif action == "back":
            self._back()
        elif action in ("up", "down", "left", "right"):
            if self.source_menu_open and not self._quick_panel:
                step = {"up": -1, "down": 1}.get(action, 0)
                count = len(self.profile.source_menu.items)
                self._menu_highlight = max(0, min(count - 1, self._menu_highlight + step))
        elif action == "center":
            if self.source_menu_open and not self._quick_panel:
                self._switch_hdmi(self.profile.source_menu.items[self._menu_highlight], Intent())
        elif action == "volume_up":
            self._volume = min(self.profile.volume_max, self._volume + 1)
            self._muted = False
        elif action == "volume_down":
            self._volume = max(0, self._volume - 1)
            self._muted = False
        elif action == "mute":
            self._muted = not self._muted
        elif action in ("play_pause", "play", "pause", "stop", "next", "previous"):
            self._media_key(action)
        elif action == "autofocus":
            self._autofocus()
        elif action == "focus":
            self.focus_motor_log.append(code)
        elif action == "quick_settings":
            self._quick_panel = not self._quick_panel  # inferred: the key toggles the panel
        elif action == "source_menu":
            self._open_source_menu()
        elif action.startswith("hdmi:"):
            self._switch_hdmi(action.partition(":")[2], Intent())
        elif action.startswith("launch:"):
            pkg = action.partition(":")[2]
            spec = self.profile.packages.get(pkg)
            main = spec.main_activity() if spec else None
            if main:
                self._launch(
                    main, Intent(action="android.intent.action.MAIN", component=main.component)
                )

    def _autofocus(self) -> None:
        self.autofocus_count += 1
        self.last_focus = time.time()
        self.focusing = True

        def done() -> None:
            self.focusing = False

        self._schedule("focus", self.focus_s, done)

    # ------------------------------------------------------------------ command dispatch

    def _execute(self, argv: Sequence[str]) -> ShellResult:
        if not argv:
            return ShellResult(b"", b"", 0)
        self.command_log.append(shlex.join(argv))
        name = argv[0]
        if name in self.profile.commands_absent:
            return _not_found(name)
        if name in _TEMPLATED_FIRST:
            template = self.profile.find_template(" ".join(argv))
            if template is not None:
                text = template.render(self._context(argv))
                if template.stream == "stderr":
                    return ShellResult(b"", text.encode(), template.exit_code)
                return ShellResult(text.encode(), b"", template.exit_code)
        handler = getattr(self, f"_cmd_{name}", None)
        if handler is None:
            return _not_found(name)
        try:
            result: ShellResult = handler(list(argv[1:]))
        except UsageError as err:
            return _err(err.message, err.code)
        return result

    def execute(self, command: str | Sequence[str]) -> ShellResult:
        """Run one Android command directly (no bash), e.g. ``execute("input keyevent 26")``."""
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        return self._execute(argv)

    # -- getprop / setprop --------------------------------------------------------------

    def _cmd_getprop(self, args: list[str]) -> ShellResult:
        if not args:
            return _ok("".join(f"[{k}]: [{v}]\n" for k, v in sorted(self._props.items())))
        if args[0].startswith("-"):
            return _ok("")
        default = args[1] if len(args) > 1 else ""
        return _ok(self._props.get(args[0], default) + "\n")

    def _cmd_setprop(self, args: list[str]) -> ShellResult:
        if len(args) != 2:
            return _err("setprop: Need 2 arguments")
        name, value = args
        if name.startswith("ctl."):
            return _ok()
        if name.startswith("ro.") and name in self._props:
            return _err(
                f"Failed to set property '{name}' to '{value}'.\nSee dmesg for error reason."
            )
        self._props[name] = value
        if name.startswith("persist."):
            self._persist_props[name] = value
        return _ok()

    # -- input --------------------------------------------------------------------------

    def _cmd_input(self, args: list[str]) -> ShellResult:
        sources = {
            "keyboard",
            "dpad",
            "gamepad",
            "touchscreen",
            "touchpad",
            "mouse",
            "trackball",
            "stylus",
            "joystick",
            "touchnavigation",
            "rotaryencoder",
        }
        if args and args[0] in sources:
            args = args[1:]
        if args and args[0] == "-d":
            args = args[2:]
        if not args:
            return _err(
                "Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n\n"
                "The commands and default sources are:\n"
                "      text <string> (Default: touchscreen)\n"
                "      keyevent [--longpress] <key code number or name> ... (Default: keyboard)",
                1,
            )
        command, rest = args[0], args[1:]
        if command in ("keyevent", "press"):
            if command == "press":
                rest = ["23"]
            longpress = False
            codes: list[int] = []
            for arg in rest:
                if arg in ("--longpress", "--doubletap"):
                    longpress = longpress or arg == "--longpress"
                    continue
                if arg == "--delay":
                    continue
                code = keycode(arg)
                codes.append(code if code is not None else 0)
            if not codes:
                return _err("Error: keyevent requires a key code", 1)
            for code in codes:
                self._key(code, longpress=longpress)
            return _ok()
        if command == "text":
            text = " ".join(rest).replace("%s", " ")
            self.text_log.append(text)
            return _ok()
        if command in (
            "tap",
            "swipe",
            "draganddrop",
            "roll",
            "motionevent",
            "keycombination",
            "scroll",
        ):
            return _ok()
        return _err(f"Error: Unknown command: {command}", 1)

    # -- am -----------------------------------------------------------------------------

    def _unresolved(self, intent: Intent) -> str:
        return "Error: Activity not started, unable to resolve " + intent.describe(
            flags=intent.flags | FLAG_ACTIVITY_NEW_TASK
        )

    def _special(self, intent: Intent) -> IntentSpec | None:
        for spec in (*self.profile.hdmi.intents, *self.profile.intents):
            if intent_matches(spec, intent):
                return spec
        return None

    def _apply_effect(self, effect: str, intent: Intent) -> None:
        if effect.startswith("hdmi:"):
            self._switch_hdmi(effect.partition(":")[2], intent)
        elif effect == "source_menu":
            self._open_source_menu()
        elif effect == "quick_settings":
            self._quick_panel = True
        elif effect == "autofocus":
            self._autofocus()
        elif effect == "home":
            self._go_home()
        elif effect == "standby":
            self.standby("intent")
        elif effect == "screen_off":
            self.screen_off()

    def resolve_activities(self, intent: Intent) -> list[ActivitySpec]:
        """Activities this intent resolves to, as PackageManager would (explicit or by filters)."""
        if intent.component:
            spec = self.profile.activity(intent.component)
            return [spec] if spec else []
        matches: list[ActivitySpec] = []
        launcher_cats = {
            "android.intent.category.LAUNCHER",
            "android.intent.category.LEANBACK_LAUNCHER",
        }
        scheme = (
            intent.data.partition(":")[0].lower() if intent.data and ":" in intent.data else None
        )
        for pkg in self.profile.packages.values():
            if intent.package and pkg.name != intent.package:
                continue
            for act in pkg.activities:
                if not act.exported:
                    continue
                if intent.action == "android.intent.action.MAIN" and (
                    set(intent.categories) & launcher_cats
                ):
                    if act.main:
                        matches.append(act)
                    continue
                if (
                    intent.action == "android.intent.action.MAIN"
                    and not intent.categories
                    and intent.package
                    and act.main
                ):
                    matches.append(act)
                    continue
                if intent.action is None or intent.action not in act.actions:
                    continue
                if scheme is not None:
                    if act.schemes and scheme not in act.schemes:
                        continue
                    if not act.schemes:
                        continue
                elif act.schemes and "" not in act.schemes:
                    continue
                matches.append(act)
        return matches

    def _cmd_am(self, args: list[str]) -> ShellResult:
        if not args:
            return _err(
                "usage: am [subcommand] [options]\n"
                "  start [-D] [-N] [-W] [-P <FILE>] [--start-profiler <FILE>] ... <INTENT>",
                255,
            )
        sub, rest = args[0], args[1:]
        if sub in ("start", "start-activity"):
            return self._am_start(rest)
        if sub in (
            "startservice",
            "start-service",
            "start-foreground-service",
            "startforegroundservice",
        ):
            return self._am_startservice(rest)
        if sub == "broadcast":
            intent = parse_intent(self._strip_user(rest), kind="broadcast", start_options=False)
            self.intent_log.append(intent)
            special = self._special(intent)
            if special:
                self._apply_effect(special.effect, intent)
            return _ok(f"Broadcasting: {intent.describe()}\nBroadcast completed: result=0\n")
        if sub in ("force-stop", "kill"):
            pkgs = [a for a in self._strip_user(rest) if not a.startswith("-")]
            if not pkgs:
                return _err(f"Error: no package specified for {sub}", 255)
            for pkg in pkgs:
                self._force_stop(pkg)
            return _ok()
        if sub == "kill-all":
            for pkg in list(self._processes):
                if pkg not in self.profile.persistent and not (
                    self._stack and self._stack[-1].package == pkg
                ):
                    self._processes.pop(pkg, None)
            return _ok()
        if sub == "get-current-user":
            return _ok("0\n")
        if sub == "stack" and rest[:1] == ["list"]:
            lines = [
                f"Stack id={a.task_id} bounds=[0,0][1920,1080] displayId=0 userId=0\n"
                f"  taskId={a.task_id}: {a.spec.short} bounds=[0,0][1920,1080] userId=0 "
                "visible=true"
                for a in reversed(self._stack)
            ]
            return _ok("\n".join(lines) + "\n")
        return _err(f"Error: Unknown command: {sub}", 255)

    @staticmethod
    def _strip_user(args: list[str]) -> list[str]:
        out: list[str] = []
        skip = False
        for arg in args:
            if skip:
                skip = False
                continue
            if arg == "--user":
                skip = True
                continue
            out.append(arg)
        return out

    def _am_start(self, args: list[str]) -> ShellResult:
        intent = parse_intent(args)
        if not (
            intent.action
            or intent.data
            or intent.component
            or intent.package
            or intent.categories
            or intent.mime
        ):
            return _err("Error: Intent does not match any activities: Intent {  }", 1)
        self.intent_log.append(intent)
        out = [f"Starting: {intent.describe()}"]
        wait = bool(intent.options.get("-W"))
        if intent.options.get("-S") and intent.target_package:
            out.insert(0, f"Stopping: {intent.target_package}")
            self._force_stop(intent.target_package)

        special = self._special(intent)
        if special is not None:
            before = self.foreground
            self._apply_effect(special.effect, intent)
            target = self._stack[-1].spec if self._stack else None
            delivered = (
                before == self.foreground
                and before is not None
                and not special.effect.startswith("hdmi:")
            )
            return self._am_started(out, target, "delivered" if delivered else "started", wait)

        matches = self.resolve_activities(intent)
        if not matches:
            if intent.component:
                pkg = intent.component.partition("/")[0]
                if pkg in self.profile.packages:
                    return _err(
                        f"Error: Activity class {{{intent.component}}} does not exist.",
                        1,
                        "\n".join(out) + "\n",
                    )
            return _err(self._unresolved(intent), 1, "\n".join(out) + "\n")
        spec = matches[0]
        if not spec.exported:
            return _err(
                "Security exception: Permission Denial: starting "
                f"{intent.describe(flags=intent.flags | FLAG_ACTIVITY_NEW_TASK)} from null "
                f"(pid={self._next_pid + 7}, uid=2000) not exported from uid "
                f"{self._uid(spec.package)}\n",
                255,
                "\n".join(out) + "\n",
            )
        if self._kind_of(spec) == "hdmi":
            # the player without a recognised input: it starts, the input doesn't change (inferred)
            result = self._launch(spec, intent, self._hdmi_source)
        else:
            result = self._launch(spec, intent)
        return self._am_started(out, spec, result, wait)

    def _am_started(
        self, out: list[str], spec: ActivitySpec | None, result: str, wait: bool
    ) -> ShellResult:
        if result == "delivered":
            out.append(
                "Warning: Activity not started, intent has been delivered to currently running "
                "top-most instance."
            )
        elif result == "front":
            out.append(
                "Warning: Activity not started, its current task has been brought to the front"
            )
        if wait and spec is not None:
            ms = 120 + self._rng.randint(0, 400)
            out.append("Status: ok")
            if self.profile.sdk >= 29:
                out.append("LaunchState: " + ("COLD" if result == "started" else "HOT"))
            out.append(f"Activity: {spec.short}")
            if self.profile.sdk < 29:
                out.append(f"ThisTime: {ms}")
            out.append(f"TotalTime: {ms}")
            out.append(f"WaitTime: {ms + 12}")
            out.append("Complete")
        return _ok("\n".join(out) + "\n")

    def _am_startservice(self, args: list[str]) -> ShellResult:
        intent = parse_intent(self._strip_user(args), kind="service", start_options=False)
        self.intent_log.append(intent)
        out = f"Starting service: {intent.describe()}\n"
        special = self._special(intent)
        if special is not None:
            self._apply_effect(special.effect, intent)
            return _ok(out)
        if intent.component:
            pkg, _, cls = intent.component.partition("/")
            spec = self.profile.packages.get(pkg)
            if spec and cls in {
                normalize_component(f"{pkg}/{s}").partition("/")[2] for s in spec.services
            }:
                self._spawn(pkg)
                return _ok(out)
        return _err("Error: Not found; no service started.", 1, out)

    def _uid(self, pkg: str) -> int:
        spec = self.profile.packages.get(pkg)
        return spec.uid if spec else 1000

    # -- monkey -------------------------------------------------------------------------

    def _cmd_monkey(self, args: list[str]) -> ShellResult:
        packages: list[str] = []
        categories: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "-p" and i + 1 < len(args):
                packages.append(args[i + 1])
                i += 1
            elif arg == "-c" and i + 1 < len(args):
                categories.append(args[i + 1])
                i += 1
            elif arg in (
                "--pct-syskeys",
                "--pct-touch",
                "--pct-motion",
                "--throttle",
                "-s",
                "--pct-nav",
                "--pct-majornav",
                "--pct-appswitch",
                "--pct-anyevent",
            ):
                i += 1
            i += 1
        intent = Intent(
            action="android.intent.action.MAIN",
            categories=categories or ["android.intent.category.LAUNCHER"],
            kind="monkey",
            package=packages[0] if packages else None,
        )
        self.intent_log.append(intent)
        target: ActivitySpec | None = None
        for pkg in packages:
            spec = self.profile.packages.get(pkg)
            if spec and spec.main_activity():
                target = spec.main_activity()
                break
        if target is None:
            return _err("** No activities found to run, monkey aborted.", 252)
        intent.component = target.component
        self._launch(target, intent)
        ms = 20 + self._rng.randint(0, 40)
        return _ok(
            f"Events injected: 1\n## Network stats: elapsed time={ms}ms "
            f"(0ms mobile, 0ms wifi, {ms}ms not connected)\n"
        )

    # -- pm / cmd package -----------------------------------------------------------------

    def _cmd_pm(self, args: list[str]) -> ShellResult:
        return self._package_command(args)

    def _package_command(self, args: list[str]) -> ShellResult:
        if not args:
            return _err(
                "usage: pm path [--user USER_ID] PACKAGE\n"
                "       pm list packages [-f] [-d] [-e] [-s] [-3] [-i] [-l] [-u] [-U] "
                "[--user USER_ID] [FILTER]",
                1,
            )
        sub, rest = args[0], self._strip_user(args[1:])
        if sub == "list" and rest[:1] == ["packages"]:
            flags = {a for a in rest[1:] if a.startswith("-")}
            filters = [a for a in rest[1:] if not a.startswith("-")]
            lines = []
            for name, spec in sorted(self.profile.packages.items()):
                if "-3" in flags and spec.system:
                    continue
                if "-s" in flags and not spec.system:
                    continue
                if filters and not any(f in name for f in filters):
                    continue
                entry = (
                    f"package:{self._apk_path(name)}={name}" if "-f" in flags else f"package:{name}"
                )
                if "-U" in flags:
                    entry += f" uid:{spec.uid}"
                lines.append(entry)
            return _ok("".join(line + "\n" for line in lines))
        if sub == "path":
            pkgs = [a for a in rest if not a.startswith("-")]
            if pkgs and pkgs[0] in self.profile.packages:
                return _ok(f"package:{self._apk_path(pkgs[0])}\n")
            return _err("", 1)
        if sub == "resolve-activity":
            return self._resolve_activity(rest)
        if sub == "dump":
            return self._execute(["dumpsys", "package", *rest[:1]])
        if sub in ("list",) and rest[:1] == ["features"]:
            return _ok(
                "feature:android.software.leanback\nfeature:android.software.live_tv\nfeature:android.hardware.hdmi.cec\n"
            )
        return _err(f"Unknown command: {sub}", 1)

    def _apk_path(self, pkg: str) -> str:
        spec = self.profile.packages[pkg]
        if spec.system:
            return f"/system/app/{pkg.rsplit('.', 1)[-1]}/{pkg.rsplit('.', 1)[-1]}.apk"
        return f"/data/app/{pkg}-1/base.apk"

    def _resolve_activity(self, args: list[str]) -> ShellResult:
        if not self.profile.resolve_activity:
            return _err("Unknown command: resolve-activity", 1)
        brief = "--brief" in args
        components = "--components" in args
        intent_args = [a for a in args if a not in ("--brief", "--components")]
        intent = parse_intent(intent_args, start_options=False)
        matches = self.resolve_activities(intent)
        if not matches:
            return _ok("No activity found\n")
        spec = matches[0]
        if components:
            return _ok(spec.short + "\n")
        head = "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true"
        if brief:
            return _ok(f"{head}\n{spec.short}\n")
        pkg = self.profile.packages[spec.package]
        return _ok(
            f"{head}\nActivityInfo:\n  name={spec.component.partition('/')[2]}\n"
            f"  packageName={spec.package}\n"
            f"  enabled=true exported={str(spec.exported).lower()} directBootAware=false\n"
            f"  taskAffinity={spec.package} targetActivity=null persistableMode=PERSIST_ROOT_ONLY\n"
            "  launchMode=0 flags=0x0 theme=0x0\n"
            "  screenOrientation=-1 configChanges=0x0 softInputMode=0x0\n"
            f"  ApplicationInfo:\n    name={pkg.label}\n    packageName={spec.package}\n"
            "    labelRes=0x0 nonLocalizedLabel=null icon=0x0\n"
            f"    className=null\n    processName={spec.package}\n"
            f"    taskAffinity={spec.package}\n"
            f"    uid={pkg.uid} flags=0x{0x38C8BE45 if pkg.system else 0x38C83E44:x}\n"
        )

    # -- cmd ------------------------------------------------------------------------------

    def _cmd_cmd(self, args: list[str]) -> ShellResult:
        if not args:
            return _err("cmd: No service specified; use -l to list all services", 20)
        service, rest = args[0], args[1:]
        if service == "-l":
            return _ok(
                "Currently running services:\n" + "".join(f"  {s}\n" for s in self._service_names())
            )
        if service == "package":
            return self._package_command(rest)
        if service == "activity":
            return self._cmd_am(rest)
        if service == "media_session":
            if rest[:1] == ["volume"]:
                return self._volume_ctl(rest[1:])
            if rest[:1] == ["dispatch"] and len(rest) > 1:
                return self._media_dispatch(rest[1])
            if rest[:1] == ["list-sessions"]:
                return _ok(
                    "".join(
                        f"  {s.tag} {s.package}/{s.tag} (userId=0)\n"
                        for s in self._sessions.values()
                    )
                )
            return _err(f"Unknown command: {' '.join(rest) or '(none)'}", 255)
        if service == "input":
            return self._cmd_input(rest)
        if service == "settings":
            return self._cmd_settings(rest)
        if service in self._service_names():
            return _ok()
        return _err(f"cmd: Can't find service: {service}", 20)

    def _service_names(self) -> list[str]:
        base = [
            "activity",
            "audio",
            "display",
            "input",
            "media_session",
            "package",
            "power",
            "settings",
            "tv_input",
            "window",
        ]
        return sorted(set(base) | set(self.profile.binder_services))

    # -- media ----------------------------------------------------------------------------

    def _cmd_media(self, args: list[str]) -> ShellResult:
        if not args:
            return _err(
                "usage: media [subcommand] [options]\n"
                "       media dispatch KEY\n"
                "       media volume [options]",
                1,
            )
        if args[0] == "volume":
            return self._volume_ctl(args[1:])
        if args[0] == "dispatch" and len(args) > 1:
            return self._media_dispatch(args[1])
        return _err(f"Error: unknown command '{args[0]}'", 1)

    def _media_dispatch(self, key: str) -> ShellResult:
        codes = {
            "play": 126,
            "pause": 127,
            "play-pause": 85,
            "mute": 91,
            "headsethook": 79,
            "stop": 86,
            "next": 87,
            "previous": 88,
            "rewind": 89,
            "record": 130,
            "fast-forward": 90,
        }
        code = codes.get(key.lower())
        if code is None:
            return _err(f"Error: unknown dispatch code '{key}'", 1)
        self._key(code)
        return _ok()

    def _volume_ctl(self, args: list[str]) -> ShellResult:
        stream = 3
        mode: str | None = None
        value: int | None = None
        adj: str | None = None
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--show":
                pass
            elif arg == "--stream" and i + 1 < len(args):
                try:
                    stream = int(args[i + 1])
                except ValueError:
                    return _err(f"Error: invalid stream index: {args[i + 1]}", 1)
                i += 1
            elif arg == "--get":
                mode = "get"
            elif arg == "--set" and i + 1 < len(args):
                mode = "set"
                try:
                    value = int(args[i + 1])
                except ValueError:
                    return _err(f"Error: invalid volume index: {args[i + 1]}", 1)
                i += 1
            elif arg == "--adj" and i + 1 < len(args):
                mode = "adj"
                adj = args[i + 1]
                i += 1
            else:
                return _err(f"Error: unknown argument {arg}", 1)
            i += 1
        if mode is None:
            return _err("Error: no valid command (--get, --set or --adj)", 1)
        lines: list[str] = []
        if mode == "set":
            lines.append(f"[V] will set volume to index={value}")
        elif mode == "adj":
            lines.append(f"[V] will adjust volume ({adj})")
        else:
            lines.append("[V] will get volume")
        lines.append("[V] Connecting to AudioService")
        if stream == 3:
            if mode == "set" and value is not None:
                if not 0 <= value <= self.profile.volume_max:
                    return _err(
                        "Exception occurred while executing:\n"
                        f"java.lang.IllegalArgumentException: Bad volume index {value}",
                        255,
                    )
                self.set_volume(value)
            elif mode == "adj":
                if adj == "raise":
                    self.set_volume(self._volume + 1)
                elif adj == "lower":
                    self._volume = max(0, self._volume - 1)
                elif adj != "same":
                    return _err(f"Error: unknown adjust value {adj}", 1)
            if mode == "get":
                lines.append(
                    f"[V] volume is {self._volume} in range [0..{self.profile.volume_max}]"
                )
        elif mode == "get":
            lines.append(f"[V] volume is 5 in range [0..{15 if stream != 0 else 5}]")
        return _ok("\n".join(lines) + "\n")

    # -- settings -------------------------------------------------------------------------

    def _cmd_settings(self, args: list[str]) -> ShellResult:
        args = self._strip_user(args)
        usage = (
            "usage:  settings [--user <USER_ID> | current] get namespace key\n"
            "        settings [--user <USER_ID> | current] put namespace key value"
        )
        if len(args) < 2:
            return _err(usage, 255)
        verb, namespace = args[0], args[1]
        if namespace not in self._settings:
            return _err(f"Invalid namespace '{namespace}'", 255)
        values = self._settings[namespace]
        if verb == "get" and len(args) >= 3:
            return _ok(self._setting_value(namespace, args[2]) + "\n")
        if verb == "put" and len(args) >= 4:
            values[args[2]] = args[3]
            return _ok()
        if verb == "delete" and len(args) >= 3:
            existed = values.pop(args[2], None) is not None
            return _ok(f"Deleted {1 if existed else 0} rows\n")
        if verb == "list":
            merged = {k: self._setting_value(namespace, k) for k in values}
            return _ok("".join(f"{k}={v}\n" for k, v in sorted(merged.items())))
        return _err(usage, 255)

    def _setting_value(self, namespace: str, key: str) -> str:
        if namespace == "system" and key == "volume_music_speaker":
            return str(self._volume)
        return self._settings[namespace].get(key, "null")

    # -- ps / wm / id / uptime / ip / service / log / reboot / screencap --------------------

    def _cmd_ps(self, args: list[str]) -> ShellResult:
        rows = self._processes_context()
        lines = ["USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME" + " " * 23]
        for p in rows:
            lines.append(
                f"{p['user']:<12}{p['pid']:>6} {p['ppid']:>5} {p['vsz']:>7} {p['rss']:>6} "
                f"{p['wchan']:<16} {p['addr']:>4} {p['state']} {p['name']}"
            )
        return _ok("\n".join(lines) + "\n")

    def _cmd_wm(self, args: list[str]) -> ShellResult:
        screen = self.profile.screen
        if args[:1] == ["size"]:
            return _ok(f"Physical size: {screen.get('width', 1920)}x{screen.get('height', 1080)}\n")
        if args[:1] == ["density"]:
            return _ok(f"Physical density: {screen.get('density', 320)}\n")
        return _err(
            "usage: wm [subcommand] [options]\n"
            "       wm size [reset|WxH|WdpxHdp]\n"
            "       wm density [reset|DENSITY]",
            1,
        )

    def _cmd_id(self, args: list[str]) -> ShellResult:
        return _ok(
            "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),"
            "1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),"
            "3003(inet),3006(net_bw_stats),3009(readproc) context=u:r:shell:s0\n"
        )

    def _cmd_uptime(self, args: list[str]) -> ShellResult:
        ctx = self._time_context()
        return _ok(
            f" {ctx['clock_hms']} up {ctx['uptime_text']},  0 users,  "
            "load average: 1.02, 0.97, 0.95\n"
        )

    def _cmd_ip(self, args: list[str]) -> ShellResult:
        words = [a for a in args if not a.startswith("-")]
        if not words or words[0] not in ("addr", "a", "address", "link", "l"):
            return _err(
                'Object "' + (words[0] if words else "") + '" is unknown, try "ip help".', 255
            )
        obj = "link" if words[0] in ("link", "l") else "addr"
        names = [w for w in words[1:] if w not in ("show", "list", "dev")]
        ifaces = sorted(self.profile.interfaces.values(), key=lambda i: i.index)
        if names:
            ifaces = [i for i in ifaces if i.name == names[0]]
            if not ifaces:
                return _err(f'Device "{names[0]}" does not exist.', 1)
        lines = (
            [
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN "
                "group default qlen 1000",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
            ]
            if not names
            else []
        )
        if not names and obj == "addr":
            lines += [
                "    inet 127.0.0.1/8 scope host lo",
                "       valid_lft forever preferred_lft forever",
            ]
        for iface in ifaces:
            up = bool(iface.ip)
            flags = (
                "<BROADCAST,MULTICAST,UP,LOWER_UP>" if up else "<NO-CARRIER,BROADCAST,MULTICAST,UP>"
            )
            state = "UP" if up else "DOWN"
            lines.append(
                f"{iface.index}: {iface.name}: {flags} mtu 1500 qdisc mq state {state} "
                "group default qlen 1000"
            )
            lines.append(f"    link/ether {iface.mac} brd ff:ff:ff:ff:ff:ff")
            if obj == "addr" and up:
                parts = iface.ip.split(".")
                bcast = ".".join(parts[:3] + ["255"]) if len(parts) == 4 else iface.ip
                lines.append(
                    f"    inet {iface.ip}/{iface.prefix} brd {bcast} scope global {iface.name}"
                )
                lines.append("       valid_lft forever preferred_lft forever")
        return _ok("\n".join(lines) + "\n")

    def _cmd_service(self, args: list[str]) -> ShellResult:
        if not args or args[0] == "list":
            names = self._service_names()
            return _ok(
                f"Found {len(names)} services:\n"
                + "".join(f"{i}\t{n}: [{n}]\n" for i, n in enumerate(names))
            )
        if args[0] == "check" and len(args) > 1:
            found = args[1] in self._service_names()
            return _ok(f"Service {args[1]}: {'found' if found else 'not found'}\n")
        if args[0] == "call" and len(args) > 2:
            name, code = args[1], args[2]
            if name not in self._service_names():
                return _err(f"service: Service {name} does not exist", 255)
            for call in self.profile.service_calls:
                if call.get("service") == name and str(call.get("code")) == code:
                    expected = [str(a) for a in call.get("args", [])]
                    if not expected or args[3:] == expected:
                        self._apply_effect(str(call.get("effect", "")), Intent(kind="service"))
            return _ok("Result: Parcel(00000000    '....')\n")
        return _err(
            "Usage: service [-h|-?]\n       service list\n       service check SERVICE\n"
            "       service call SERVICE CODE [i32 N | i64 N | f N | d N | s16 STR ] ...",
            1,
        )

    def _cmd_log(self, args: list[str]) -> ShellResult:
        return _ok()

    def _cmd_reboot(self, args: list[str]) -> ShellResult:
        self.reboot(delay_s=self.reboot_delay_s, power_off="-p" in args or "shutdown" in args)
        return _ok()

    def _cmd_screencap(self, args: list[str]) -> ShellResult:
        width, height = 16, 9
        colour = {"launcher": (20, 60, 120), "HDMI1": (40, 40, 40), "HDMI2": (60, 60, 60)}.get(
            self.source or "", (90, 30, 30)
        )
        if "-p" in args and not [a for a in args if not a.startswith("-")]:
            return ShellResult(_png(width, height, colour))
        if [a for a in args if not a.startswith("-")]:
            return _ok()  # "writes" the file: the simulator never writes host paths
        header = struct.pack("<IIII", width, height, 1, 0)
        return ShellResult(header + bytes((*colour, 255)) * (width * height))

    # ------------------------------------------------------------------ template contexts

    def _time_context(self) -> dict[str, Any]:
        up = self.uptime_s
        minutes = int(up // 60)
        days, rem = divmod(minutes, 1440)
        hours, mins = divmod(rem, 60)
        if days:
            text = f"{days} day{'s' if days != 1 else ''}, {hours:2d}:{mins:02d}"
        elif hours:
            text = f"{hours:2d}:{mins:02d}"
        else:
            text = f"{mins} min"
        return {
            "uptime_ms": int(up * 1000),
            "uptime_s": int(up),
            "uptime_text": text,
            "clock_hms": time.strftime("%H:%M:%S"),
            "date_md": time.strftime("%m-%d"),
        }

    def _processes_context(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for user, pid, ppid, vsz, rss, wchan, name in _SYSTEM_PROCESSES:
            rows.append(
                {
                    "user": user,
                    "pid": pid,
                    "ppid": ppid,
                    "vsz": vsz,
                    "rss": rss,
                    "wchan": wchan,
                    "addr": 0,
                    "state": "S",
                    "name": name,
                }
            )
        for pkg, pid in sorted(self._processes.items(), key=lambda kv: kv[1]):
            spec = self.profile.packages.get(pkg)
            uid = spec.uid if spec else 10000
            user = "system" if uid == 1000 else f"u0_a{uid - 10000}"
            rows.append(
                {
                    "user": user,
                    "pid": pid,
                    "ppid": 262,
                    "vsz": 1180000 + (pid % 97) * 1000,
                    "rss": 60000 + (pid % 89) * 700,
                    "wchan": "SyS_epoll_wait",
                    "addr": 0,
                    "state": "S",
                    "name": pkg,
                }
            )
        return rows

    def _context(self, argv: Sequence[str]) -> dict[str, Any]:
        """Everything a template may print (see ``simulator/profiles/README.md``)."""
        now = self._clock()
        props = self._props
        state = self._state
        awake = state in (DeviceState.ON, DeviceState.SCREEN_OFF)
        ctx: dict[str, Any] = {
            "model": props.get("ro.product.model", ""),
            "manufacturer": props.get("ro.product.manufacturer", ""),
            "serial": props.get("ro.serialno", ""),
            "release": props.get("ro.build.version.release", ""),
            "sdk": props.get("ro.build.version.sdk", ""),
            "locale": props.get(
                "persist.sys.locale", props.get("ro.product.locale", "zh-CN")
            ).replace("-", "_"),
            "screen_width": self.profile.screen.get("width", 1920),
            "screen_height": self.profile.screen.get("height", 1080),
            "density": self.profile.screen.get("density", 320),
            "power_state": state.value,
            "arg1": argv[1] if len(argv) > 1 else "",
            "arg2": argv[2] if len(argv) > 2 else "",
            "display_policy": "BRIGHT" if awake else "OFF",
            "services": [{"name": n} for n in self._service_names()],
        }
        ctx.update(self._time_context())

        # -- power
        sessions_playing = [s for s in self._sessions.values() if s.state == PlaybackState.PLAYING]
        top = self._stack[-1] if self._stack else None
        base = next((a for a in reversed(self._stack) if a.kind != "menu"), None)
        wake_locks: list[dict[str, Any]] = []
        if awake:
            if sessions_playing:
                s = sessions_playing[-1]
                wake_locks.append(
                    {
                        "type": "PARTIAL_WAKE_LOCK",
                        "tag": "AudioMix",
                        "uid": 1041,
                        "ws": f" ws=WorkSource{{{self._uid(s.package)}}}",
                        "acq": "1m2s211ms",
                        "pid": 268,
                    }
                )
            keep_on = base is not None and (
                base.kind == "hdmi" or any(s.package == base.package for s in sessions_playing)
            )
            if keep_on and base is not None:
                wake_locks.append(
                    {
                        "type": "SCREEN_BRIGHT_WAKE_LOCK",
                        "tag": "WindowManager",
                        "uid": 1000,
                        "ws": f" ws=WorkSource{{{self._uid(base.package)}}}",
                        "acq": "4m11s87ms",
                        "pid": 612,
                    }
                )
        last_sleep = self._last_sleep
        summary = 0
        if awake:
            summary = (0x1 if sessions_playing else 0) | (
                0x4 if any(w["tag"] == "WindowManager" for w in wake_locks) else 0
            )
        ctx.update(
            {
                "wakefulness": "Awake" if awake else "Asleep",
                "display_state": "ON" if awake else "OFF",
                "screen_on": awake,
                "interactive": awake,
                "light_on": state == DeviceState.ON,
                "screen_on_fully": awake,
                "wake_lock_count": len(wake_locks),
                "wake_locks": wake_locks,
                "wake_lock_summary": f"0x{summary:x}",
                "user_activity_summary": "0x1" if awake else "0x0",
                "holding_wake_lock_blocker": bool(wake_locks),
                "wake_blocker_refs": 1 if wake_locks else 0,
                "display_blocker_refs": 1 if awake else 0,
                "last_wake_ms": self._ms(self._last_wake),
                "last_wake_ago_ms": int((now - self._last_wake) * 1000),
                "last_sleep_ms": self._ms(last_sleep),
                "last_sleep_ago_ms": int(
                    (now - (last_sleep if last_sleep is not None else self._boot_time)) * 1000
                ),
                "last_activity_ms": self._ms(self._last_activity),
                "last_activity_ago_ms": int((now - self._last_activity) * 1000),
                "sleep_reason": self._sleep_reason,
                "brightness": self._brightness,
                "screen_off_timeout": self._settings["system"].get(
                    "screen_off_timeout", "2147483647"
                ),
            }
        )

        # -- windows / activities
        overlay_pkg = self.profile.quick_settings
        if top is not None:
            focus_window = top.window
            if self._quick_panel:
                focus_window = f"Window{{{self._stable_hash('panel')} u0 {overlay_pkg}}}"
            ctx.update(
                {
                    "focus_window": focus_window,
                    "focus_pkg": overlay_pkg if self._quick_panel else top.package,
                    "app_record": top.record,
                    "app_component": top.spec.short,
                    "app_class": top.spec.component,
                    "app_pkg": top.package,
                    "app_hash": top.hash,
                    "app_token_hash": top.token_hash,
                    "app_token2_hash": top.token2_hash,
                    "app_window": top.window,
                    "task_id": top.task_id,
                    "task_hash": top.task_hash,
                    "resumed_record": top.record if awake else "null",
                    "top_record": top.record,
                }
            )
        else:
            ctx.update(
                {
                    "focus_window": "null",
                    "focus_pkg": "",
                    "app_record": "null",
                    "app_component": "",
                    "app_class": "",
                    "app_pkg": "",
                    "app_hash": "0",
                    "app_token_hash": "0",
                    "app_token2_hash": "0",
                    "app_window": "null",
                    "task_id": 0,
                    "task_hash": "0",
                    "resumed_record": "null",
                    "top_record": "null",
                }
            )
        windows: list[dict[str, Any]] = []
        visible_stack = list(reversed(self._stack))
        if self._quick_panel:
            windows.append(
                {
                    "hash": self._stable_hash("panel"),
                    "title": overlay_pkg,
                    "pkg": overlay_pkg,
                    "uid": 1000,
                    "type": 2038,
                    "type_name": "APPLICATION_OVERLAY",
                    "visible": True,
                    "layer": 231000,
                    "token": "null",
                }
            )
        for index, act in enumerate(visible_stack):
            windows.append(
                {
                    "hash": act.window_hash,
                    "title": act.spec.component,
                    "pkg": act.package,
                    "uid": self._uid(act.package),
                    "type": 1,
                    "type_name": "BASE_APPLICATION",
                    "visible": index == 0 or (index == 1 and visible_stack[0].kind == "menu"),
                    "layer": 21000 - 5 * index,
                    "token": act.record,
                }
            )
        windows.append(
            {
                "hash": self._stable_hash("ime"),
                "title": "InputMethod",
                "pkg": "com.android.inputmethod.latin",
                "uid": 10022,
                "type": 2011,
                "type_name": "INPUT_METHOD",
                "visible": False,
                "layer": 141000,
                "token": "null",
            }
        )
        for i, w in enumerate(windows):
            w["index"] = len(windows) - 1 - i
        ctx["windows"] = windows
        ctx["window_count"] = len(windows)

        tasks: list[dict[str, Any]] = []
        for index, act in enumerate(visible_stack):
            resumed = awake and index == 0
            uid = self._uid(act.package)
            tasks.append(
                {
                    "index": index,
                    "task_id": act.task_id,
                    "task_hash": act.task_hash,
                    "stack_id": 0 if act.kind == "home" else act.task_id,
                    "activity_type": "home" if act.kind == "home" else "standard",
                    "record": act.record,
                    "component": act.spec.short,
                    "class": act.spec.component,
                    "pkg": act.package,
                    "uid": self._uid(act.package),
                    "appid": self._uid(act.package) - 10000
                    if self._uid(act.package) >= 10000
                    else self._uid(act.package),
                    "pid": self._processes.get(act.package, 0),
                    "intent": act.intent.short_string(
                        flags=act.intent.flags | FLAG_ACTIVITY_NEW_TASK
                    ),
                    "uid_name": f"u0a{uid - 10000}" if uid >= 10000 else str(uid),
                    "task_type": "type=home" if act.kind == "home" else "type=standard",
                    "activity_type_code": 2 if act.kind == "home" else 1,
                    "state": "RESUMED" if resumed else ("PAUSED" if index == 0 else "STOPPED"),
                    "stopped": not (index == 0 or (index == 1 and visible_stack[0].kind == "menu")),
                    "sleeping": not awake,
                    "visible": index == 0 or (index == 1 and visible_stack[0].kind == "menu"),
                    "resumed": [{"record": act.record}] if resumed else [],
                    "top_resumed": act.record if resumed else "null",
                    "started_ms": act.started_ms,
                }
            )
        ctx["tasks"] = tasks
        ctx["task_count"] = len(tasks)
        if self._last_start is not None:
            intent, act = self._last_start
            ctx["last_start"] = [
                {
                    "record": act.record,
                    "pkg": act.package,
                    "intent": intent.short_string(flags=intent.flags | FLAG_ACTIVITY_NEW_TASK),
                    "intent_decoded": Intent(
                        action=intent.action,
                        data=_norm_data(intent.data),
                        categories=intent.categories,
                        component=intent.component,
                        package=intent.package,
                        extras=intent.extras,
                        flags=intent.flags | FLAG_ACTIVITY_NEW_TASK,
                    ).short_string(),
                    "started_ms": act.started_ms,
                }
            ]
        else:
            ctx["last_start"] = []

        # -- audio
        ctx.update(
            {
                "music_muted": self._muted,
                "music_min": 0,
                "music_max": self.profile.volume_max,
                "music_index": self._volume,
                "audio_device": "speaker",
            }
        )
        players = []
        for s in self._sessions.values():
            pid = self._processes.get(s.package, 0)
            players.append(
                {
                    "piid": s.piid,
                    "uid": self._uid(s.package),
                    "pid": pid,
                    "pkg": s.package,
                    "state": {
                        PlaybackState.PLAYING: "started",
                        PlaybackState.PAUSED: "paused",
                        PlaybackState.STOPPED: "stopped",
                    }.get(s.state, "idle"),
                    "session": 1000 + s.piid * 8 + 1,
                }
            )
        ctx["players"] = players
        events = []
        by_piid = {s.piid: s for s in self._sessions.values()}
        for ts, piid, event in self._player_events:
            owner = by_piid.get(piid)
            if owner is None:
                continue
            events.append(
                {
                    "date_md": time.strftime("%m-%d", time.localtime(ts)),
                    "time": time.strftime("%H:%M:%S", time.localtime(ts))
                    + f":{int((ts % 1) * 1000):03d}",
                    "piid": piid,
                    "uid": self._uid(owner.package),
                    "pid": self._processes.get(owner.package, 0),
                    "event": event,
                    "is_new": event == "new",
                    "session": 1000 + piid * 8 + 1,
                }
            )
        ctx["player_events"] = [e for e in events if not e["is_new"]]
        ctx["player_creations"] = [e for e in events if e["is_new"]]
        ctx["focus_owners"] = [
            {
                "pkg": s.package,
                "uid": self._uid(s.package),
                "hash": self._stable_hash("focus" + s.package),
            }
            for s in sessions_playing
        ]

        # -- media sessions (most recent first, as the Sessions Stack lists them)
        sessions = []
        for pkg in reversed(self._session_order):
            s = self._sessions[pkg]
            position = s.position_ms
            if s.state == PlaybackState.PLAYING:
                position += max(0, self._ms(now) - s.updated_ms)
            sessions.append(
                {
                    "tag": s.tag,
                    "pkg": s.package,
                    "pid": self._processes.get(s.package, 0),
                    "uid": self._uid(s.package),
                    "state": int(s.state),
                    "position": position,
                    "updated": s.updated_ms,
                    "speed": s.speed,
                    "active": s.active,
                }
            )
        ctx["sessions"] = sessions
        ctx["session_count"] = len(sessions)
        ms = self.media_session
        ctx["button_session"] = f"{ms.package}/{ms.tag} (userId=0)" if ms else "null"
        ctx["audio_playback"] = [
            {"uid": self._uid(s.package), "pkg": s.package} for s in sessions_playing
        ]

        # -- tv inputs
        inputs = []
        for name, info in self.profile.hdmi.inputs.items():
            inputs.append(
                {
                    "name": name,
                    "input_id": info.get("input_id", name),
                    "hdmi_port": info.get("hdmi_port", 0),
                    "label": info.get("label", name),
                }
            )
        ctx["tv_inputs"] = inputs
        tv_sessions = []
        src = self.hdmi_input if awake else None
        if src and src in self.profile.hdmi.inputs:
            info = self.profile.hdmi.inputs[src]
            player_pkg = self.profile.hdmi.player.partition("/")[0]
            tv_sessions.append(
                {
                    "input_id": info.get("input_id", src),
                    "hdmi_port": info.get("hdmi_port", 0),
                    "session_hash": self._stable_hash("tvs" + src),
                    "client_pid": self._processes.get(player_pkg, 0),
                    "client_uid": self._uid(player_pkg),
                    "name": src,
                }
            )
        ctx["tv_sessions"] = tv_sessions

        # -- processes, packages
        ctx["processes"] = self._processes_context()
        queried = (
            [a for a in argv[2:] if not a.startswith("-")]
            if len(argv) > 2 and argv[1] == "package"
            else []
        )
        ctx["queried_packages"] = [
            {
                "pkg": p.name,
                "uid": p.uid,
                "appid": p.uid - 10000 if p.uid >= 10000 else p.uid,
                "version_name": p.version_name,
                "version_code": p.version_code,
                "code_path": self._apk_path(p.name).rsplit("/", 1)[0],
                "system": p.system,
                "hash": self._stable_hash("pkg" + p.name),
                "flags": "[ SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA ]"
                if p.system
                else "[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]",
            }
            for name in queried
            if (p := self.profile.packages.get(name)) is not None
        ]
        return ctx

    def _stable_hash(self, key: str) -> str:
        return f"{zlib.crc32((key + self.profile.serial).encode()) & 0xFFFFFFF:07x}"

    # ------------------------------------------------------------------ snapshot

    def snapshot(self) -> dict[str, Any]:
        """The whole visible state, JSON-friendly (used by the mains API's ``/api/state``)."""
        session = self.media_session
        return {
            "profile": self.profile.name,
            "model": self.profile.model,
            "serial": self.profile.serial,
            "state": self._state.value,
            "mains": self._mains,
            "reachable": self.reachable,
            "auto_power_on": self._auto_power_on,
            "power_w": self.power_w,
            "volume": self._volume,
            "volume_max": self.profile.volume_max,
            "muted": self._muted,
            "foreground": self.foreground,
            "foreground_package": self.foreground_package,
            "back_stack": self.back_stack,
            "source": self.source,
            "hdmi_input": self.hdmi_input,
            "source_menu": {
                "open": self.source_menu_open,
                "highlight": self.source_menu_highlight,
                "items": list(self.profile.source_menu.items),
            },
            "quick_settings_open": self._quick_panel,
            "playback": int(self.playback),
            "media_package": session.package if session else None,
            "running": self.running_packages,
            "prompt": {
                "visible": self.prompt_visible,
                "fingerprint": self.prompt_fingerprint,
                "shown": self.prompt_count,
            },
            "autofocus_count": self.autofocus_count,
            "focusing": self.focusing,
            "last_focus": self.last_focus,
            "uptime_s": round(self.uptime_s, 3),
            "boot_s": self.boot_s,
            "network_drop_s": self.network_drop_s,
            "pending": {k: round(v, 3) for k, v in self.pending_timers.items()},
            "keys": len(self.key_log),
            "commands": len(self.command_log),
            "last_key": self.key_log[-1].code if self.key_log else None,
            "last_intent": self.intent_log[-1].as_dict() if self.intent_log else None,
        }
