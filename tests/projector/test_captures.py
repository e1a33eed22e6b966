"""The parsers against real device output: every file in ``tests/captures/`` (see its README).

Each capture names its source, licence, device and Android version, and the ground truth
(``expect``). This test runs the matching parser and compares. A capture's payload is never
edited to make a test pass; its SHA-256 in the header shows if it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import hashlib
from pathlib import Path
import re

import pytest

from custom_components.xgimi_projector.projector.errors import InvalidCommandError
from custom_components.xgimi_projector.projector.events import EventKind, parse_event_line
from custom_components.xgimi_projector.projector.families import (
    AWAKE_GUARD,
    TRAITS,
    Family,
    detect_family,
    traits_for,
)
from custom_components.xgimi_projector.projector.power.phase import PowerPhase, observed_phase
from custom_components.xgimi_projector.projector.probe import (
    android_version,
    device_info,
    model_name,
    parse_getprop,
    parse_packages,
    parse_probe,
)
from custom_components.xgimi_projector.projector.projector import Projector
from custom_components.xgimi_projector.projector.state import (
    POLL_COMMAND,
    MediaSession,
    Playback,
    PollContext,
    PollParseError,
    PowerState,
    ProjectorState,
    music_block,
    parse_audio,
    parse_display,
    parse_foreground,
    parse_media_sessions,
    parse_poll,
    parse_power,
    playback_for,
)

CAPTURES = Path(__file__).resolve().parents[1] / "captures"
SEPARATOR = "# ---\n"
REQUIRED = ("source", "licence", "device", "android", "command", "expect", "sha256")
_HEADER = re.compile(r"^# (\w+): (.*)$")
_EXPECT = re.compile(r"(\w+)=(.*?)(?= \w+=|$)")


@dataclass(frozen=True)
class Capture:
    path: Path
    header: Mapping[str, str]
    payload: str

    @property
    def kind(self) -> str:
        return self.path.parent.name

    @property
    def expect(self) -> dict[str, str]:
        return {key: value.strip() for key, value in _EXPECT.findall(self.header["expect"])}


def load(path: Path) -> Capture:
    text = path.read_text(encoding="utf-8")
    head, payload = text.split(SEPARATOR, 1)
    header: dict[str, str] = {}
    for line in head.splitlines():
        match = _HEADER.match(line)
        assert match is not None, f"{path}: header line {line!r} is not '# key: value'"
        header[match.group(1)] = match.group(2)
    return Capture(path, header, payload)


def _text(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _display(value: bool | None) -> str:
    return {True: "on", False: "off", None: "unknown"}[value]


# --- what each parser reads from a capture ---------------------------------------------------


def _power(capture: Capture) -> dict[str, str]:
    found = {"display": _display(parse_display(capture.payload))}
    try:
        awake, power = parse_power(capture.payload)
    except PollParseError:
        return found  # a one-line capture: no mWakefulness to read
    found.update(awake=_text(awake), power=power.value)
    return found


def _window(capture: Capture) -> dict[str, str]:
    package, activity = parse_foreground(capture.payload)
    return {"package": _text(package), "activity": _text(activity)}


def _audio(capture: Capture) -> dict[str, str]:
    volume = parse_audio(capture.payload)
    return {
        "volume": _text(volume.level),
        "max": _text(volume.maximum),
        "muted": _text(volume.muted),
    }


def _media(capture: Capture) -> dict[str, str]:
    playback, package = playback_for(parse_media_sessions(capture.payload), None)
    return {"playback": playback.value, "package": _text(package)}


def _identity(props: Mapping[str, str]) -> dict[str, str]:
    info = device_info(props, frozenset(), {})
    return {
        "display_name": info.display_name,
        "model_code": _text(info.model_code),
        "model": info.model,
        "device": info.device,
        "sdk": _text(info.sdk),
        "android_version": info.android_version,
        "family": info.family.value,
    }


def _getprop(capture: Capture) -> dict[str, str]:
    return _identity(parse_getprop(capture.payload))


def read_build_prop(text: str) -> dict[str, str]:
    """``key=value`` lines of a build.prop (what ``getprop`` serves), comments skipped."""
    props: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        props[key.strip()] = value.strip()
    return props


def _build_prop(capture: Capture) -> dict[str, str]:
    return _identity(read_build_prop(capture.payload))


def _packages(capture: Capture) -> dict[str, str]:
    packages = parse_packages(capture.payload)
    expected = set(capture.expect.get("packages", "").split(","))
    sdk = int(capture.header["sdk"])
    return {
        "packages": capture.expect["packages"] if expected <= packages else ",".join(packages),
        "family": detect_family(sdk, packages).value,
    }


def _events(capture: Capture) -> dict[str, str]:
    counts = dict.fromkeys([*(kind.value for kind in EventKind), "ignored"], 0)
    for line in capture.payload.splitlines():
        event = parse_event_line(line.encode())
        counts[event.kind.value if event else "ignored"] += 1
    return {key: str(value) for key, value in counts.items()}


PARSERS: dict[str, Callable[[Capture], dict[str, str]]] = {
    "dumpsys_power": _power,
    "dumpsys_window": _window,
    "dumpsys_audio": _audio,
    "dumpsys_media_session": _media,
    "getprop": _getprop,
    "build_prop": _build_prop,
    "pm_list_packages": _packages,
    "logcat_events": _events,
}

ALL = sorted(CAPTURES.glob("*/*.txt"))


def test_captures_exist_for_every_parser() -> None:
    kinds = {path.parent.name for path in ALL}
    assert kinds == set(PARSERS), "a capture directory without a parser, or the reverse"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_capture_header(path: Path) -> None:
    capture = load(path)
    missing = [key for key in REQUIRED if not capture.header.get(key)]
    assert not missing, f"header lacks {missing}"
    assert capture.payload.strip(), "empty payload"
    digest = hashlib.sha256(capture.payload.encode("utf-8")).hexdigest()
    assert digest == capture.header["sha256"], "the payload changed: captures are never edited"
    assert capture.expect, "no expectation"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_capture_parses_as_expected(path: Path) -> None:
    capture = load(path)
    found = PARSERS[capture.kind](capture)
    expected = capture.expect
    unknown = set(expected) - set(found)
    assert not unknown, f"expect names {unknown}, which the {capture.kind} parser does not give"
    assert {key: found[key] for key in expected} == expected


def test_expect_values_may_hold_spaces() -> None:
    capture = Capture(Path("x/y.txt"), {"expect": "display_name=XGIMI Z6X Pro 旗舰版 sdk=31"}, "")
    assert capture.expect == {"display_name": "XGIMI Z6X Pro 旗舰版", "sdk": "31"}


def test_build_prop_reader_skips_comments() -> None:
    assert read_build_prop("# c\nro.a=1\nbad line\nro.b = x=y\n") == {"ro.a": "1", "ro.b": "x=y"}


# --- the fixes of issue #10, one rule each ---------------------------------------------------


def test_music_block_stops_at_the_next_stream() -> None:
    text = "- STREAM_MUSIC:\n   Max: 60\n- STREAM_ALARM:\n   Muted: true\n   streamVolume:6\n"
    assert music_block(text) == "   Max: 60"
    volume = parse_audio(text)
    assert (volume.level, volume.maximum, volume.muted) == (None, 60, None)


def test_media_session_named_state_and_inactive_sessions() -> None:
    text = (
        "      package=a.playing\n      active=true\n"
        "      state=PlaybackState {state=PLAYING(3), position=0}\n"
        "      package=b.stale\n      active=false\n"
        "      state=PlaybackState {state=PAUSED(2), position=0}\n"
    )
    sessions = parse_media_sessions(text)
    assert sessions == [MediaSession("a.playing", 3), MediaSession("b.stale", 2, active=False)]
    assert playback_for(sessions, "b.stale") == (Playback.PLAYING, "a.playing")


def test_poll_command_keeps_the_screensaver_running() -> None:
    assert "*mWakefulness=Dreaming*|*mWakefulness=Dozing*)" in POLL_COMMAND
    assert "mHoldingDisplaySuspendBlocker=" in POLL_COMMAND
    assert "dumpsys window |" in POLL_COMMAND  # every section: Android 10+ moved the focus


def test_poll_while_dreaming_reads_everything() -> None:
    output = (
        "@@xg:9 power\n  mWakefulness=Dreaming\n  mHoldingDisplaySuspendBlocker=true\n"
        "@@xg:9 window\n  mCurrentFocus=Window{1 u0 com.xgimi.screensaver/.Dream}\n"
        "@@xg:9 audio\n- STREAM_MUSIC:\n   Muted: false\n   Max: 15\n   streamVolume:11\n"
        "@@xg:9 media\n@@xg:9 end\n"
    )
    state = parse_poll(output, PollContext(TRAITS[Family.GMUI_ANDROID8]))
    assert (state.power, state.awake, state.display_on, state.is_on) == (
        PowerState.DREAMING,
        True,
        True,
        True,
    )
    assert state.foreground_package == "com.xgimi.screensaver"
    assert state.volume == 11


def test_dreaming_is_on_for_the_power_path() -> None:
    state = ProjectorState(reachable=True, power=PowerState.DREAMING, awake=True)
    assert observed_phase(state, None, None, on_grace=False) is PowerPhase.ON


def test_awake_guard_sleeps_from_the_screensaver_only() -> None:
    assert AWAKE_GUARD == "dumpsys power | grep -qE 'mWakefulness=(Awake|Dreaming)'"
    assert TRAITS[Family.GMUI_ANDROID12].power_off_command.startswith(AWAKE_GUARD)


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"ro.build.version.sdk": "29", "ro.build.version.release": "15.0"}, "10"),
        (
            {
                "ro.build.version.sdk": "29",
                "ro.build.version.release": "15.0",
                "ro.product.build.version.release": "10",
            },
            "10",
        ),
        ({"ro.build.version.sdk": "27", "ro.build.version.release": "8.1.0"}, "8.1.0"),
        ({"ro.build.version.sdk": "32", "ro.build.version.release": "12"}, "12"),
        ({"ro.build.version.release": "9"}, "9"),
        ({"ro.build.version.sdk": "99"}, ""),
    ],
)
def test_android_version_trusts_the_sdk(props: dict[str, str], expected: str) -> None:
    assert android_version(props) == expected


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"xgimi.bt.name": "XGIMI Z6X Pro", "ro.product.model": "XGIMI TV"}, "XGIMI Z6X Pro"),
        ({"ro.product.marketname": "XGIMI HORIZON Pro"}, "XGIMI HORIZON Pro"),
        ({"ro.product.model": "XGIMI TV"}, None),
        ({"ro.product.model": "MoGo 2 Pro"}, "MoGo 2 Pro"),
        ({}, None),
    ],
)
def test_model_name(props: dict[str, str], expected: str | None) -> None:
    assert model_name(props) == expected


@pytest.mark.parametrize(
    ("sdk", "packages", "props", "family"),
    [
        # the stock launcher uninstalled: other com.xgimi.* packages still tell
        (31, {"com.xgimi.vcontrol", "com.xgimi.tvinput"}, {}, Family.GMUI_ANDROID12),
        (28, set(), {"ro.xgimi.modelname": "G0073"}, Family.GMUI_ANDROID9),
        (26, set(), {"persist.xgimi.restrictbackground.enable": "true"}, Family.GMUI_ANDROID8),
        (22, {"com.xgimi.home"}, {}, Family.LEGACY),
        (22, set(), {"ro.xgimi.gmui.version": "3.1.3.5"}, Family.LEGACY),
        (22, {"org.example.app"}, {}, Family.UNKNOWN),
        (29, {"com.google.android.tvlauncher", "com.xgimi.misckey"}, {}, Family.ANDROID_TV),
    ],
)
def test_detect_family_without_the_launcher(
    sdk: int, packages: set[str], props: dict[str, str], family: Family
) -> None:
    assert detect_family(sdk, frozenset(packages), props) is family


def test_legacy_family_has_no_hdmi_switch() -> None:
    traits = traits_for(Family.LEGACY, frozenset({"com.xgimi.home"}))
    assert traits.hdmi_method is None
    assert not traits.direct_hdmi


def test_device_info_model_name_and_old_stored_dicts() -> None:
    output = (
        "@@xg:9 getprop\n[ro.product.model]: [XGIMI TV]\n[ro.boot.xgimi.modelname]: [G0073]\n"
        "[xgimi.bt.name]: [XGIMI Z6X Pro]\n[ro.build.version.sdk]: [31]\n"
        "@@xg:9 pm list packages\npackage:com.xgimi.tvinput\n@@xg:9 end\n"
    )
    info = parse_probe(output)
    assert (info.model, info.model_name, info.model_code) == ("G0073", "XGIMI Z6X Pro", "G0073")
    assert info.display_name == "XGIMI Z6X Pro"
    assert (info.family, info.android_version) == (Family.GMUI_ANDROID12, "12")
    stored = info.as_dict()
    assert type(info).from_dict(stored).model_name == "XGIMI Z6X Pro"
    old = {k: v for k, v in stored.items() if k not in ("model_name", "model_code")}
    restored = type(info).from_dict(old)
    assert (restored.model_name, restored.model_code) == (None, None)
    assert restored.display_name == "G0073"
    assert type(info).from_dict({"family": "legacy"}).family is Family.LEGACY


def test_parse_packages_with_installer() -> None:
    assert parse_packages("package:com.xgimi.vcontrol  installer=com.xgimi.upgrade\n") == {
        "com.xgimi.vcontrol"
    }


def test_volume_max_is_never_assumed(tmp_path: Path) -> None:
    projector = Projector("127.0.0.1", key_path=tmp_path / "adbkey")
    with pytest.raises(InvalidCommandError, match="maximum is unknown"):
        _ = projector.volume_max
    projector.state = ProjectorState(reachable=True, power=PowerState.ON, volume_max=60)
    assert projector.volume_max == 60
