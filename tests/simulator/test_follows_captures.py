"""The simulator prints what real devices print: its templates against ``tests/captures/``.

Every capture (see ``tests/captures/README.md``) is either followed by the profiles whose Android
version it shows, or listed with the reason it is not. For a followed capture the simulator runs
the captured command in a matching state, and the parts the library parses must have the same
SHAPE as the capture: the same lines, with the same fields, in the same order. Values may
differ (hashes, pids, volumes, package names). The captures are never edited: when this test
fails, the simulator's templates are what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
import re

import pytest

from simulator import DeviceModel

from .conftest import Make

CAPTURES = Path(__file__).resolve().parents[1] / "captures"
SEPARATOR = "# ---\n"


@dataclass(frozen=True)
class Capture:
    path: Path
    header: dict[str, str]
    lines: list[str]

    @property
    def kind(self) -> str:
        return self.path.parent.name

    @property
    def command(self) -> str:
        """The command without the pipe that trimmed its output."""
        return self.header["command"].split("|")[0].split(" (")[0].strip()


def _load(name: str) -> Capture:
    path = CAPTURES / name
    head, payload = path.read_text(encoding="utf-8").split(SEPARATOR, 1)
    header = {}
    for line in head.splitlines():
        key, _, value = line.removeprefix("# ").partition(": ")
        header[key] = value
    return Capture(path, header, payload.splitlines())


# --- which profile follows which capture, and in which state ---------------------------------


def _launcher(device: DeviceModel) -> None:
    """As booted: the launcher in front, nothing playing."""


def _app(device: DeviceModel) -> None:
    device.apps.launch_package(sorted(device.profile.apps)[0])


def _playing(device: DeviceModel) -> None:
    app = sorted(device.profile.apps)[0]
    device.start_media(app)
    device.apps.launch_package(app)


def _quick_panel(device: DeviceModel) -> None:
    """A system overlay without an activity has the focus (XGIMI's quick settings)."""
    device.apps.quick_panel = True


def _quick_panel_over_app(device: DeviceModel) -> None:
    _app(device)
    _quick_panel(device)


def _dream(device: DeviceModel) -> None:
    device.start_dream()


Setup = Callable[[DeviceModel], None]
SCREENSAVER = ["androidtv10", "androidtv11", "googletv", "googletv14"]
ANDROID_10_OR_OLDER = ["gmui_android8", "gmui_android9", "androidtv10"]

FOLLOWED: dict[str, list[tuple[str, Setup]]] = {
    "dumpsys_audio/chromecast-google-tv-android10.txt": [
        (profile, _launcher) for profile in ("androidtv10", "androidtv11", "gmui_android12")
    ],
    "dumpsys_audio/philips-tv-android8-hdmi-arc.txt": [("gmui_android8", _launcher)],
    "dumpsys_audio/philips-tv-android8-speaker.txt": [
        (profile, _launcher) for profile in ("gmui_android8", "gmui_android9")
    ],
    "dumpsys_media_session/android-tv-smarttube-playing.txt": [("googletv14", _playing)],
    "dumpsys_power/android-tv-box-dozing.txt": [(profile, _dream) for profile in SCREENSAVER],
    "dumpsys_power/lineageos21-android-tv-android14-display-object.txt": [
        ("googletv14", _launcher)
    ],
    "dumpsys_power/tcl-smart-tv-pro-android11-display-on.txt": [
        (profile, _launcher) for profile in ("androidtv11", "gmui_android12", "googletv")
    ],
    "dumpsys_window/google-android-tv-launcher.txt": [
        (profile, _launcher) for profile in ANDROID_10_OR_OLDER
    ],
    "dumpsys_window/sony-tv-focus-without-activity.txt": [
        (profile, _quick_panel) for profile in (*ANDROID_10_OR_OLDER, "androidtv11", "googletv14")
    ],
    "dumpsys_window/sony-tv-picture-off.txt": [
        (profile, _quick_panel_over_app) for profile in ANDROID_10_OR_OLDER
    ],
    "dumpsys_window/xgimi-z6x-pro-android12.txt": [
        (profile, _app) for profile in ("gmui_android12", "androidtv11", "googletv", "googletv14")
    ],
    "getprop/xgimi-z6x-pro-android12-model.txt": [("gmui_android12", _launcher)],
    "pm_list_packages/xgimi-z6x-pro-android12-vcontrol.txt": [("gmui_android12", _launcher)],
}
"""Capture → the profiles that must print it, each with the state to print it in."""

NOT_FOLLOWED = {
    "build_prop/xgimi-h1s-android5.txt": "Android 5 (H1S): no profile is that old, and the "
    "simulator has no /system/build.prop (its getprop keys are checked by the getprop captures)",
    "dumpsys_media_session/fire-tv-stick-off-stale-session.txt": "Fire OS prints sessions "
    "without a 'Sessions Stack'; no XGIMI runs Fire OS",
    **{
        f"logcat_events/{name}": "event-log lines, not one command's output: "
        "tests/simulator/test_logcat.py checks that the simulator writes their shapes"
        for name in (
            "nexus6p-android6-read-bug-reports.txt",
            "pixel-android8-loganalysis-test.txt",
            "pixel8pro-android14-grayjay-issue907.txt",
            "unnamed-android14-labnex-issue37.txt",
            "unnamed-android14-levilaunchroid-issue105.txt",
        )
    },
}


def test_every_capture_is_followed_or_says_why_not() -> None:
    found = {str(path.relative_to(CAPTURES)) for path in CAPTURES.glob("*/*") if path.is_file()}
    assert found == set(FOLLOWED) | set(NOT_FOLLOWED), (
        "a capture was added or removed: make a profile follow it, or say in NOT_FOLLOWED why not"
    )
    assert not set(FOLLOWED) & set(NOT_FOLLOWED)


# --- shapes ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w.$@\-]+")
_LITERALS = frozenset({"true", "false", "null"})
_CURRENT_ENTRIES = re.compile(r"_ \(_\): _(, _ \(_\): _)*")


def shape(line: str) -> str:
    """A line with its values blanked to ``_``: keys, punctuation and keywords stay.

    A value is a token right after ``=``, ``:``, ``: ``, ``(``, ``{``, ``/`` or ``@``, at the
    start of the line, or with a digit or a dot in it, or ``true``/``false``/``null`` — unless
    ``=`` or ``:`` follows it (then it is a key). ``Current:`` entries collapse to one.
    """
    text = line.strip()

    def blank(match: re.Match[str]) -> str:
        token, start, end = match.group(0), match.start(), match.end()
        if text[end : end + 1] in ("=", ":") and not text.startswith("://", end):
            return token
        before = text[start - 1 : start]
        if (
            start == 0
            or before in "=:({/@"
            or text[start - 2 : start] == ": "
            or any(c.isdigit() or c == "." for c in token)
            or token in _LITERALS
        ):
            return "_"
        return token

    return _CURRENT_ENTRIES.sub("_ (_): _, …", _TOKEN.sub(blank, text))


def test_shape() -> None:
    assert shape("  mCurrentFocus=Window{c52eaa8 u0 com.sony.dtv.sonysystemservice}") == (
        "mCurrentFocus=_{_ _ _}"
    )
    assert shape("Current: 4 (headset): 10, 400 (hdmi): 25, 40000000 (default): 20") == (
        "Current: _ (_): _, …"
    )
    assert shape("state=PlaybackState {state=PLAYING(3), error=null}") == (
        "state=_ {state=_(_), error=_}"
    )
    assert shape("Display Power: state=ON") != shape("Display Power: com.x.Power$1@a8a75e6")


_POWER_KEYS = ("mWakefulness=", "Display Power:")
_WINDOW_KEYS = ("mCurrentFocus=", "mFocusedApp=")


def _keyed(lines: list[str], keys: tuple[str, ...]) -> list[str]:
    return [line.split("##")[0] for line in lines if any(k in line for k in keys)]


def _music_block(lines: list[str]) -> list[str]:
    """From ``- STREAM_MUSIC:`` through the next stream's header (the library greps -A 12)."""
    start = next(i for i, line in enumerate(lines) if line.strip() == "- STREAM_MUSIC:")
    block = [lines[start]]
    for line in lines[start + 1 :]:
        block.append(line)
        if line.strip().startswith("- STREAM_"):
            break
    return block


def parsed_parts(kind: str, captured: list[str], printed: list[str]) -> tuple[list[str], ...]:
    """``(captured, printed)``: the lines the library reads, of the capture and the simulator."""
    if kind in ("dumpsys_power", "dumpsys_window"):
        keys = _POWER_KEYS if kind == "dumpsys_power" else _WINDOW_KEYS
        present = tuple(k for k in keys if any(k in line for line in captured))
        return _keyed(captured, present), _keyed(printed, present)
    if kind == "dumpsys_audio":
        return _music_block(captured), _music_block(printed)
    if kind == "getprop":  # the captured keys, in getprop's order, each with a value
        keys = [line.strip().partition("]")[0] + "]" for line in captured if line.strip()]
        found = [line for line in printed if line.partition("]")[0] + "]" in keys]
        return [k + ": [_]" for k in keys], [line.partition(":")[0] + ": [_]" for line in found]
    if kind == "pm_list_packages":
        packages = {line.split()[0] for line in captured if line.strip()}
        return captured, [line for line in printed if line.split()[0] in packages]
    # dumpsys_media_session: trimmed after the first session, so the same number of lines
    return captured, printed[: len(captured)]


CASES = [
    pytest.param(name, profile, setup, id=f"{name.split('/')[1].removesuffix('.txt')}-{profile}")
    for name, followers in FOLLOWED.items()
    for profile, setup in followers
]


@pytest.mark.parametrize(("name", "profile", "setup"), CASES)
async def test_simulator_prints_the_captured_shape(
    make: Make, name: str, profile: str, setup: Setup
) -> None:
    capture = _load(name)
    device = make(profile)
    setup(device)
    result = device.execute(capture.command)
    assert result.exit_code == 0, result.stderr
    captured, printed = parsed_parts(
        capture.kind, capture.lines, result.stdout.decode().splitlines()
    )
    assert captured, f"{name}: nothing the library parses"
    assert [shape(line) for line in printed] == [shape(line) for line in captured], (
        f"{profile} does not print what {name} shows (Android {capture.header['android']})"
    )


async def test_dream_is_neither_awake_nor_asleep(make: Make) -> None:
    """The dozing capture's truth: a screensaver is a wakefulness of its own."""
    capture = _load("dumpsys_power/android-tv-box-dozing.txt")
    assert "power=dreaming" in capture.header["expect"]
    device = make("googletv14")
    device.start_dream()
    power = device.execute("dumpsys power").stdout.decode()
    assert re.search(r"mWakefulness=(Dreaming|Dozing)\b", power)
