"""Table-driven tests of the pure parsers, on real Android output formats."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.projector.errors import (
    UnknownKeyError,
    UnknownSourceError,
)
from custom_components.xgimi_projector.projector.families import (
    TRAITS,
    Family,
    HdmiMethod,
    detect_family,
    traits_for,
    volume_command,
)
from custom_components.xgimi_projector.projector.keycodes import keycode, normalize_key_name
from custom_components.xgimi_projector.projector.probe import (
    parse_getprop,
    parse_packages,
    parse_probe,
)
from custom_components.xgimi_projector.projector.projector import (
    key_sequence_command,
    normalize_source,
)
from custom_components.xgimi_projector.projector.state import (
    POLL_COMMAND,
    UNREACHABLE,
    MediaSession,
    Playback,
    PollContext,
    PollParseError,
    PowerState,
    SourceKind,
    parse_audio,
    parse_display,
    parse_foreground,
    parse_media_sessions,
    parse_poll,
    parse_power,
    playback_for,
    split_sections,
)

# --- dumpsys power ---------------------------------------------------------------------

POWER_AWAKE_ON = "  mWakefulness=Awake\nDisplay Power: state=ON\n"
POWER_ASLEEP = "  mWakefulness=Asleep\nDisplay Power: state=OFF\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (POWER_AWAKE_ON, (True, PowerState.ON)),
        ("  mWakefulness=Awake\n", (True, PowerState.ON)),
        ("  mWakefulness=Awake\nDisplay Power: state=OFF\n", (True, PowerState.SCREEN_OFF)),
        (POWER_ASLEEP, (False, PowerState.STANDBY)),
        # the screensaver is not standby (issue #10): Android runs, the light is on
        ("  mWakefulness=Dozing\nDisplay Power: state=DOZE\n", (True, PowerState.DREAMING)),
        ("  mWakefulness=Dreaming\nDisplay Power: state=ON\n", (True, PowerState.DREAMING)),
        # Android 14 prints an object instead of state=: the display blocker tells
        (
            "  mWakefulness=Awake\n  mHoldingDisplaySuspendBlocker=false\n"
            "Display Power: com.android.server.power.PowerManagerService$1@a8a75e6\n",
            (True, PowerState.SCREEN_OFF),
        ),
        (
            "  mWakefulness=Awake\n  mHoldingDisplaySuspendBlocker=true\n"
            "Display Power: com.android.server.power.PowerManagerService$1@a8a75e6\n",
            (True, PowerState.ON),
        ),
    ],
)
def test_parse_power(text: str, expected: tuple[bool, PowerState]) -> None:
    assert parse_power(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Display Power: state=ON\n", True),
        ("Display Power: state=OFF\n  mHoldingDisplaySuspendBlocker=true\n", False),
        ("Display Power: com.android.server.power.PowerManagerService$1@a8a75e6\n", None),
        ("  mHoldingDisplaySuspendBlocker=false\n", False),
        ("  mWakefulness=Awake\n", None),
    ],
)
def test_parse_display(text: str, expected: bool | None) -> None:
    assert parse_display(text) is expected


def test_parse_power_without_wakefulness_is_an_error() -> None:
    with pytest.raises(PollParseError):
        parse_power("Display Power: state=ON")


# --- dumpsys window windows ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Android 8/9
        (
            "  mCurrentFocus=Window{6b3c0e1 u0 com.xgimi.home/com.xgimi.home.ui.MainActivity}\n"
            "  mFocusedApp=AppWindowToken{2d0b7a token=Token{5e1f2c ActivityRecord{9a8b7c u0 "
            "com.xgimi.home/.ui.MainActivity t3}}}\n",
            ("com.xgimi.home", "com.xgimi.home.ui.MainActivity"),
        ),
        # Android 10+: mFocusedApp is an ActivityRecord; relative activity is expanded
        (
            "  mFocusedApp=ActivityRecord{8a5e2f3 u0 com.xgimi.xhplayer/.InputActivity t12}\n",
            ("com.xgimi.xhplayer", "com.xgimi.xhplayer.InputActivity"),
        ),
        # focus on a non-activity overlay: mCurrentFocus has no component, fall back
        (
            "  mCurrentFocus=Window{11aa u0 VolumeBar}\n"
            "  mFocusedApp=ActivityRecord{22bb u0 tv.danmaku.bili/.MainActivityV2 t40}\n",
            ("tv.danmaku.bili", "tv.danmaku.bili.MainActivityV2"),
        ),
        ("  mCurrentFocus=null\n  mFocusedApp=null\n", (None, None)),
        ("", (None, None)),
        (
            "  mCurrentFocus=Window{3c u0 com.google.android.tvlauncher/"
            "com.google.android.tvlauncher.MainActivity}\n",
            ("com.google.android.tvlauncher", "com.google.android.tvlauncher.MainActivity"),
        ),
    ],
)
def test_parse_foreground(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_foreground(text) == expected


# --- dumpsys audio STREAM_MUSIC block ----------------------------------------------------

AUDIO_ANDROID8 = """- STREAM_MUSIC:
   Mute count: 0
   Min: 0
   Max: 15
   Current: 2 (speaker): 7, 400 (hdmi): 3, 40000000 (default): 9
   Devices: speaker
"""
AUDIO_ANDROID9 = """- STREAM_MUSIC:
   Muted: true
   Min: 0
   Max: 15
   Current: 2 (speaker): 11, 40000000 (default): 11
   Devices: speaker
"""
AUDIO_ANDROID12 = """- STREAM_MUSIC:
   Muted: false
   Muted Internally: false
   Min: 0
   Max: 100
   streamVolume:42
   Current: 2 (speaker): 42, 400 (hdmi): 30, 40000000 (default): 42
   Devices: speaker
"""
AUDIO_DEFAULT_ONLY = """- STREAM_MUSIC:
   Muted: false
   Min: 0
   Max: 15
   Current: 40000000 (default): 5
   Devices: hdmi_arc
"""


@pytest.mark.parametrize(
    ("text", "level", "maximum", "muted"),
    [
        (AUDIO_ANDROID8, 7, 15, None),
        (AUDIO_ANDROID9, 11, 15, True),
        (AUDIO_ANDROID12, 42, 100, False),
        (AUDIO_DEFAULT_ONLY, 5, 15, False),
        ("   Max: 15\n   Current: 400 (hdmi): 3\n   Devices: speaker\n", 3, 15, None),
        ("", None, None, None),
    ],
)
def test_parse_audio(text: str, level: int | None, maximum: int | None, muted: bool | None) -> None:
    volume = parse_audio(text)
    assert (volume.level, volume.maximum, volume.muted) == (level, maximum, muted)


# --- dumpsys media_session ---------------------------------------------------------------

MEDIA = """  Sessions Stack - have 2 sessions:
    tv.danmaku.bili/MediaSessionCompat (userId=0)
      ownerPid=2201, ownerUid=10085, userId=0
      package=tv.danmaku.bili
      active=true
      state=PlaybackState {state=2, position=1200, buffered position=0, speed=0.0, updated=8812}
    com.ktcp.videoapp/tvk (userId=0)
      package=com.ktcp.videoapp
      active=true
      state=PlaybackState {state=3, position=50, buffered position=0, speed=1.0, updated=8813}
"""


def test_parse_media_sessions() -> None:
    assert parse_media_sessions(MEDIA) == [
        MediaSession("tv.danmaku.bili", 2),
        MediaSession("com.ktcp.videoapp", 3),
    ]


@pytest.mark.parametrize(
    ("foreground", "expected"),
    [
        ("tv.danmaku.bili", (Playback.PAUSED, "tv.danmaku.bili")),
        ("com.ktcp.videoapp", (Playback.PLAYING, "com.ktcp.videoapp")),
        # foreground has no session: the playing one (music keeps playing in the background)
        ("com.xgimi.home", (Playback.PLAYING, "com.ktcp.videoapp")),
        (None, (Playback.PLAYING, "com.ktcp.videoapp")),
    ],
)
def test_playback_for(foreground: str | None, expected: tuple[Playback, str | None]) -> None:
    assert playback_for(parse_media_sessions(MEDIA), foreground) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, Playback.IDLE),
        (1, Playback.STOPPED),
        (2, Playback.PAUSED),
        (3, Playback.PLAYING),
        (6, Playback.PLAYING),
        (7, Playback.IDLE),
    ],
)
def test_playback_codes(code: int, expected: Playback) -> None:
    assert playback_for([MediaSession("a.b", code)], "a.b")[0] is expected


def test_no_sessions_is_idle() -> None:
    assert playback_for([], "a.b") == (Playback.IDLE, None)


# --- whole poll ------------------------------------------------------------------------


def _poll_output(power: str, window: str = "", audio: str = "", media: str = "") -> str:
    out = f"@@xg:42 power\n{power}"
    if "Awake" in power:
        out += f"@@xg:42 window\n{window}@@xg:42 audio\n{audio}@@xg:42 media\n{media}"
    return out + "@@xg:42 end\n"


GMUI8 = TRAITS[Family.GMUI_ANDROID8]


def test_poll_on_hdmi_with_known_input() -> None:
    output = _poll_output(
        POWER_AWAKE_ON,
        "  mCurrentFocus=Window{1 u0 com.xgimi.xhplayer/com.xgimi.xhplayer.InputActivity}\n",
        AUDIO_ANDROID9,
    )
    state = parse_poll(output, PollContext(GMUI8, last_hdmi="HDMI2"))
    assert state.reachable
    assert state.awake
    assert state.is_on
    assert state.source_kind is SourceKind.HDMI
    assert state.source == "HDMI2"
    assert (state.volume, state.volume_max, state.muted) == (11, 15, True)
    assert state.volume_level == pytest.approx(11 / 15)


def test_poll_hdmi_without_known_input_says_hdmi() -> None:
    output = _poll_output(
        POWER_AWAKE_ON, "  mCurrentFocus=Window{1 u0 com.xgimi.xhplayer/.InputActivity}\n"
    )
    assert parse_poll(output, PollContext(GMUI8)).source == "HDMI"


@pytest.mark.parametrize(
    ("package", "kind", "source"),
    [
        ("com.xgimi.home", SourceKind.LAUNCHER, "home"),
        ("tv.danmaku.bili", SourceKind.APP, "tv.danmaku.bili"),
        ("com.android.newsettings", SourceKind.SOURCE_MENU, "source_menu"),
    ],
)
def test_poll_source_kinds(package: str, kind: SourceKind, source: str) -> None:
    output = _poll_output(POWER_AWAKE_ON, f"  mCurrentFocus=Window{{1 u0 {package}/.A}}\n")
    state = parse_poll(output, PollContext(GMUI8))
    assert (state.source_kind, state.source, state.foreground_package) == (kind, source, package)


def test_poll_asleep_skips_everything_else() -> None:
    state = parse_poll(_poll_output(POWER_ASLEEP), PollContext(GMUI8))
    assert state.reachable
    assert not state.awake
    assert state.power is PowerState.STANDBY
    assert state.volume is None
    assert state.source is None


@pytest.mark.parametrize(
    "output",
    [
        "",
        "@@xg:42 power\n  mWakefulness=Awake\n",
        "garbage\n@@xg:42 end\n",
        "@@xg:42 power\n@@xg:42 end\n",
    ],
)
def test_poll_truncated_or_malformed(output: str) -> None:
    with pytest.raises(PollParseError):
        parse_poll(output, PollContext(GMUI8))


def test_split_sections_ignores_text_before_first_marker() -> None:
    assert split_sections("noise\n@@xg:42 a\n1\n2\n@@xg:42 b\n@@xg:42 end\n") == {
        "a": "1\n2",
        "b": "",
    }


def test_poll_command_is_one_line_with_every_section() -> None:
    assert "\n" not in POLL_COMMAND
    for name in ("power", "window", "audio", "media", "end"):
        assert f"@@xg:$$ {name}" in POLL_COMMAND


def test_unreachable_state() -> None:
    assert not UNREACHABLE.reachable
    assert UNREACHABLE.power is PowerState.STANDBY
    assert UNREACHABLE.volume_level is None
    assert not UNREACHABLE.is_on


# --- probe -----------------------------------------------------------------------------

GETPROP = """[ro.build.version.release]: [9]
[ro.build.version.sdk]: [28]
[ro.product.model]: [XGIMI TV]
[ro.product.manufacturer]: [XGIMI]
[ro.serialno]: [Z7X0123456789]
[ro.adb.secure]: [1]
[ro.build.display.id]: [GMUI 6.11.1]
[weird line]
"""


def test_parse_getprop() -> None:
    props = parse_getprop(GETPROP)
    assert props["ro.product.model"] == "XGIMI TV"
    assert props["ro.serialno"] == "Z7X0123456789"
    assert len(props) == 7


def test_parse_packages() -> None:
    assert parse_packages("package:com.xgimi.home\npackage:tv.danmaku.bili\nnoise\n") == {
        "com.xgimi.home",
        "tv.danmaku.bili",
    }


def test_parse_probe() -> None:
    output = (
        f"@@xg:42 getprop\n{GETPROP}@@xg:42 pm list packages\n"
        "package:com.xgimi.home\npackage:com.xgimi.xhplayer\n@@xg:42 end\n"
    )
    info = parse_probe(output)
    assert info.serial == "Z7X0123456789"
    assert info.family is Family.GMUI_ANDROID9
    assert info.hdmi_method is HdmiMethod.SOURCE_MENU
    assert info.adb_secure
    assert (info.sdk, info.android_version, info.firmware) == (28, "9", "GMUI 6.11.1")
    assert info.captures["getprop"].startswith("[ro.build")


@pytest.mark.parametrize(
    ("sdk", "packages", "family"),
    [
        (26, {"com.xgimi.home", "com.xgimi.xhplayer"}, Family.GMUI_ANDROID8),
        (28, {"com.xgimi.home"}, Family.GMUI_ANDROID9),
        (31, {"com.xgimi.home", "com.xgimi.tvinput"}, Family.GMUI_ANDROID12),
        (29, {"com.google.android.tvlauncher", "com.xgimi.xhplayer"}, Family.ANDROID_TV),
        (31, {"com.google.android.apps.tv.launcherx"}, Family.GOOGLE_TV),
        (33, {"com.google.android.tv.inputplayer"}, Family.GOOGLE_TV),
        (30, {"org.example.launcher"}, Family.UNKNOWN),
    ],
)
def test_detect_family(sdk: int, packages: set[str], family: Family) -> None:
    assert detect_family(sdk, frozenset(packages)) is family


def test_traits_downgrade_when_hdmi_player_missing() -> None:
    assert traits_for(Family.ANDROID_TV, frozenset()).hdmi_method is HdmiMethod.SOURCE_MENU
    assert traits_for(Family.UNKNOWN, frozenset()).hdmi_method is None
    full = traits_for(Family.ANDROID_TV, frozenset({"com.xgimi.xhplayer"}))
    assert full.hdmi_method is HdmiMethod.XHPLAYER_SW


@pytest.mark.parametrize(
    ("family", "hdmi", "expected"),
    [
        (Family.GMUI_ANDROID8, "HDMI1", "--es launcher_start_source HDMI1"),
        (Family.ANDROID_TV, "HDMI2", "--es sw HDMI2"),
        (Family.GMUI_ANDROID12, "HDMI1", "-p com.xgimi.tvinput --es launcher_start_source HDMI1"),
        (Family.GOOGLE_TV, "HDMI1", "HdmiInputService%2FHW2"),
        (Family.GOOGLE_TV, "HDMI2", "HdmiInputService%2FHW3"),
    ],
)
def test_hdmi_commands(family: Family, hdmi: str, expected: str) -> None:
    command = TRAITS[family].hdmi_command(hdmi)
    assert command.startswith("am start ")
    assert expected in command


@pytest.mark.parametrize("family", [Family.GMUI_ANDROID9, Family.UNKNOWN])
def test_no_direct_hdmi(family: Family) -> None:
    assert not TRAITS[family].direct_hdmi
    with pytest.raises(ValueError, match="no direct HDMI"):
        TRAITS[family].hdmi_command("HDMI1")


def test_hdmi_command_rejects_other_inputs() -> None:
    with pytest.raises(ValueError, match="HDMI3"):
        TRAITS[Family.GMUI_ANDROID8].hdmi_command("HDMI3")


@pytest.mark.parametrize(
    ("sdk", "expected"),
    [
        (26, "media volume --show --stream 3 --set 7"),
        (31, "cmd media_session volume --show --stream 3 --set 7"),
    ],
)
def test_volume_command(sdk: int, expected: str) -> None:
    assert volume_command(sdk, 7) == expected


# --- keys and sources -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "canonical", "code"),
    [
        ("home", "HOME", 3),
        ("KEYCODE_HOME", "HOME", 3),
        ("keycode_dpad_up", "UP", 19),
        ("ok", "CENTER", 23),
        ("Volume Up", "VOLUME_UP", 24),
        ("volume-mute", "MUTE", 164),
        ("autofocus", "AUTOFOCUS", 2099),
        ("focus", "AUTOFOCUS", 2099),
        ("gear", "GEAR", 2101),
        ("source_menu", "SOURCE_MENU", 2102),
        ("XGIMI_POWER", "XGIMI_POWER", 2100),
        ("media_play_pause", "PLAY_PAUSE", 85),
        ("  sleep ", "SLEEP", 223),
        ("tv_input_hdmi_1", "HDMI1", 243),
    ],
)
def test_key_names(name: str, canonical: str, code: int) -> None:
    assert normalize_key_name(name) == canonical
    assert keycode(name) == code


@pytest.mark.parametrize(
    "name", ["", "rm -rf /", "26; reboot", "KEYCODE_", "HOME HOME", "2099", "power$(id)"]
)
def test_unknown_key_names(name: str) -> None:
    with pytest.raises(UnknownKeyError):
        normalize_key_name(name)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("HDMI1", "HDMI1"),
        ("hdmi 2", "HDMI2"),
        ("Hdmi-1", "HDMI1"),
        ("home", "home"),
        ("Launcher", "home"),
        ("source menu", "source_menu"),
        ("tv.danmaku.bili", "tv.danmaku.bili"),
        ("com.ktcp.videoapp", "com.ktcp.videoapp"),
    ],
)
def test_normalize_source(source: str, expected: str) -> None:
    assert normalize_source(source) == expected


@pytest.mark.parametrize(
    "source", ["", "HDMI3", "bilibili", "com.x; reboot", "$(reboot)", "a..b", "1com.x", "com.x y"]
)
def test_unknown_sources(source: str) -> None:
    with pytest.raises(UnknownSourceError):
        normalize_source(source)


@pytest.mark.parametrize(
    ("codes", "delay", "expected"),
    [
        ([24], 0.0, "input keyevent 24"),
        ([24, 24, 2099], 0.0, "input keyevent 24 24 2099"),
        ([19, 23], 0.4, "input keyevent 19; sleep 0.400; input keyevent 23"),
        ([3, 4], 999.0, "input keyevent 3; sleep 60.000; input keyevent 4"),
    ],
)
def test_key_sequence_command(codes: list[int], delay: float, expected: str) -> None:
    assert key_sequence_command(codes, delay) == expected


def test_device_info_round_trip() -> None:
    output = (
        f"@@xg:42 getprop\n{GETPROP}@@xg:42 pm list packages\n"
        "package:com.xgimi.home\npackage:com.xgimi.xhplayer\n@@xg:42 end\n"
    )
    info = parse_probe(output)
    restored = type(info).from_dict(info.as_dict())
    assert restored.as_dict() == info.as_dict()
    assert restored.traits == info.traits
    assert type(info).from_dict({"family": "nonsense"}).family is Family.UNKNOWN


# --- each field from its own anchored place (hostile text in other fields) ---------------------


def test_a_wake_lock_tag_cannot_fake_the_display_state() -> None:
    text = (
        "  PARTIAL_WAKE_LOCK 'Display Power: state=OFF' ACQ=-1s (uid=10123)\n"
        "  mWakefulness=Awake\n"
        "Display Power: state=ON\n"
    )
    assert parse_power(text) == (True, PowerState.ON)


def test_a_window_title_shaped_like_an_activity_does_not_fake_the_foreground() -> None:
    text = (
        "  mCurrentFocus=Window{5e1 u0 com.netflix.ninja/com.netflix.ninja.MainActivity}\n"
        "  mFocusedApp=ActivityRecord{8a5 u0 com.evil.app/.Overlay t12}\n"
    )
    assert parse_foreground(text) == ("com.evil.app", "com.evil.app.Overlay")


def test_a_marker_shaped_line_in_the_output_is_data() -> None:
    output = (
        "@@xg:4242 power\n  mWakefulness=Awake\n"
        "@@xg:4242 window\n@@xg end\n@@xg:1 audio\n"
        "  mCurrentFocus=Window{1 u0 com.xgimi.home/.Main}\n"
        "@@xg:4242 audio\n@@xg:4242 media\n@@xg:4242 end\n"
    )
    sections = split_sections(output)
    assert "com.xgimi.home" in sections["window"], "the foreground is not hidden"
    assert set(sections) == {"power", "window", "audio", "media"}
