"""The simulated projector's Android commands: intents, HDMI switching, and what androidtv reads."""

from __future__ import annotations

import re

from androidtv import constants
from androidtv.basetv.basetv import BaseTV
import pytest

from simulator import DeviceModel, DeviceState, PlaybackState
from simulator.intents import Intent, intent_matches, parse_intent
from simulator.profiles import IntentSpec

from .conftest import ALL, Make, sh

# --- intents -----------------------------------------------------------------------------------

HDMI = {
    "gmui_android8": "am start -a com.xgimi.action.hdmiPlayer -n com.xgimi.xhplayer/.InputActivity "
    "--es launcher_start_source {src}",
    "gmui_android12": "am start -a com.xgimi.action.hdmiPlayer -p com.xgimi.tvinput "
    "--es launcher_start_source {src}",
    "androidtv10": "am start -a com.xgimi.action.hdmiPlayer -n "
    "com.xgimi.xhplayer/com.xgimi.xhplayer.InputActivity --es sw {src}",
    "googletv": "am start -n com.google.android.tv.inputplayer/.player.PassthroughPlayerActivity "
    "-a android.intent.action.VIEW -d "
    "content://android.media.tv/passthrough/com.mediatek.tis%2F.HdmiInputService%2F{hw}",
}
PLAYER = {
    "gmui_android8": "com.xgimi.xhplayer/.InputActivity",
    "gmui_android12": "com.xgimi.tvinput/.TvPlayerActivity",
    "androidtv10": "com.xgimi.xhplayer/.InputActivity",
    "googletv": "com.google.android.tv.inputplayer/.player.PassthroughPlayerActivity",
}


@pytest.mark.parametrize("profile", sorted(HDMI))
@pytest.mark.parametrize(("src", "hw"), [("HDMI1", "HW2"), ("HDMI2", "HW3")])
async def test_hdmi_intents(make: Make, profile: str, src: str, hw: str) -> None:
    device = make(profile)
    result = await device.run_shell(HDMI[profile].format(src=src, hw=hw))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(b"Starting: Intent {")
    assert device.source == src
    assert device.hdmi_input == src
    assert device.foreground == PLAYER[profile]
    assert device.intent_log[-1].kind == "activity"
    app = await sh(
        device,
        constants.CMD_CURRENT_APP12 if device.profile.sdk >= 31 else constants.CMD_CURRENT_APP,
    )
    assert app.strip() == PLAYER[profile].split("/")[0]
    device.press(4)
    assert device.source == "launcher"


@pytest.mark.parametrize(
    "command",
    [
        HDMI["gmui_android8"].format(src="HDMI1"),
        HDMI["androidtv10"].format(src="HDMI1"),
        HDMI["googletv"].format(hw="HW2"),
        "am start -a android.intent.action.VIEW -d content://android.media.tv/passthrough/x%2FHW5",
        "am start -a android.intent.action.VIEW -d Settings://com.xgimi.settings.signalSource/hdmi_misckey",
    ],
)
async def test_z7x_refuses_hdmi_intents(make: Make, command: str) -> None:
    device = make("gmui_android9")
    result = await device.run_shell(command)
    assert result.exit_code == 1
    assert b"Error: Activity not started, unable to resolve Intent {" in result.stderr
    assert b"flg=0x10000000" in result.stderr
    assert device.source == "launcher"


@pytest.mark.parametrize(
    ("profile", "resolves"),
    [("gmui_android12", True), ("gmui_android9", False), ("gmui_android8", True)],
)
async def test_resolve_activity(make: Make, profile: str, resolves: bool) -> None:
    device = make(profile)
    pkg = "-p com.xgimi.tvinput" if profile == "gmui_android12" else ""
    out = await sh(
        device, f"cmd package resolve-activity --brief -a com.xgimi.action.hdmiPlayer {pkg}"
    )
    if resolves:
        assert out.splitlines()[-1] == PLAYER[profile]
    else:
        assert out == "No activity found\n"


async def test_am_start_errors_and_options(make: Make) -> None:
    device = make("googletv")
    missing = await device.run_shell("am start -n com.not.installed/.Main")
    assert missing.exit_code == 1
    assert (
        b"unable to resolve Intent { flg=0x10000000 cmp=com.not.installed/.Main }" in missing.stderr
    )
    no_class = await device.run_shell("am start -n com.netflix.ninja/.Nope")
    assert (
        b"Error: Activity class {com.netflix.ninja/com.netflix.ninja.Nope} does not exist."
        in no_class.stderr
    )
    bad = await device.run_shell("am start --bogus")
    assert bad.exit_code != 0
    waited = await sh(
        device, "am start -W -S -n com.netflix.ninja/.MainActivity --ei n 3 --ez z true"
    )
    assert "Status: ok" in waited
    assert "Activity: com.netflix.ninja/.MainActivity" in waited
    assert "LaunchState: COLD" in waited
    again = await sh(device, "am start -n com.netflix.ninja/.MainActivity")
    assert "delivered to currently running top-most instance" in again
    view = await sh(device, "am start -a android.intent.action.VIEW -d https://youtu.be/x")
    assert device.foreground_package == "com.google.android.youtube.tv", view


async def test_source_menu_service_intent(make: Make) -> None:
    device = make("gmui_android9")
    out = await sh(
        device,
        "am startservice -a com.xgimi.settings.SETTINGS -p com.android.newsettings "
        "--es data Settings://com.xgimi.settings.signalSource/",
    )
    assert out.startswith("Starting service: Intent {")
    assert device.source_menu_open


def test_parse_intent() -> None:
    intent = parse_intent(
        [
            "-W",
            "-a",
            "A",
            "-d",
            "content://x",
            "-c",
            "C",
            "-n",
            "p/.K",
            "--es",
            "k",
            "v",
            "--ei",
            "i",
            "3",
            "--esa",
            "l",
            "a,b\\,c",
            "--activity-clear-top",
            "-f",
            "0x10",
        ]
    )
    assert intent.action == "A"
    assert intent.component == "p/p.K"
    assert intent.extras == {"k": "v", "i": 3, "l": ["a", "b,c"]}
    assert intent.flags == 0x04000010
    assert intent.options["-W"] is True
    assert (
        intent.describe()
        == "Intent { act=A cat=[C] dat=content://x flg=0x4000010 cmp=p/.K (has extras) }"
    )
    spec = IntentSpec(action="A", component="p/p.K", extras={"i": "3"})
    assert intent_matches(spec, intent)
    assert not intent_matches(IntentSpec(action="B"), intent)
    assert not intent_matches(IntentSpec(extras={"k": "w"}), intent)
    assert not intent_matches(IntentSpec(kind="service"), Intent(kind="activity"))


# --- commands androidtv runs -------------------------------------------------------------------


@pytest.mark.parametrize("profile", ALL)
@pytest.mark.parametrize(
    ("state", "expected"),
    [("on", (True, True)), ("screen_off", (True, True)), ("standby", (False, False))],
)
async def test_screen_on_awake_wake_lock_size(
    make: Make, profile: str, state: str, expected: tuple[bool, bool]
) -> None:
    device = make(profile, state=state)
    out = await sh(device, constants.CMD_SCREEN_ON_AWAKE_WAKE_LOCK_SIZE)
    assert re.fullmatch(r"[01][01]Wake Locks: size=\d+\n", out), out
    screen_on, awake, size = BaseTV._screen_on_awake_wake_lock_size(out.strip())
    assert (screen_on, awake) == expected
    assert size == 0


async def test_wake_locks_follow_playback(make: Make) -> None:
    device = make("androidtv10")
    device.start_media("com.netflix.ninja", PlaybackState.PLAYING)
    out = await sh(device, constants.CMD_SCREEN_ON_AWAKE_WAKE_LOCK_SIZE)
    assert out.startswith("11Wake Locks: size=1")
    await sh(device, "monkey -p com.netflix.ninja -c android.intent.category.LEANBACK_LAUNCHER 1")
    assert (await sh(device, constants.CMD_WAKE_LOCK_SIZE)).strip() == "Wake Locks: size=2"


@pytest.mark.parametrize("profile", ALL)
async def test_androidtv_current_app_media_session_and_audio(make: Make, profile: str) -> None:
    device = make(profile)
    sdk = device.profile.sdk
    current = constants.CMD_CURRENT_APP12 if sdk >= 31 else constants.CMD_CURRENT_APP
    session_cmd = (
        constants.CMD_CURRENT_APP_MEDIA_SESSION_STATE12
        if sdk >= 31
        else constants.CMD_CURRENT_APP_MEDIA_SESSION_STATE
    )
    audio_cmd = constants.CMD_AUDIO_STATE11 if sdk >= 30 else constants.CMD_AUDIO_STATE
    launcher = device.profile.launcher.split("/")[0]
    assert (await sh(device, current)).strip() == launcher
    assert BaseTV._audio_state((await sh(device, audio_cmd)).strip()) == "idle"

    app = sorted(device.profile.apps)[0]
    await sh(device, f"monkey -p {app} -c android.intent.category.LEANBACK_LAUNCHER 1")
    device.start_media(app, PlaybackState.PLAYING)
    tv = BaseTV(None, "127.0.0.1")
    # Android 13+ prints the state by name, PLAYING(3): androidtv's state regex finds no number
    # there (tests/captures/dumpsys_media_session/android-tv-smarttube-playing.txt).
    named = sdk >= 33
    name, state = tv._current_app_media_session_state(await sh(device, session_cmd))
    assert (name, state) == (app, None if named else 3)
    assert BaseTV._audio_state((await sh(device, audio_cmd)).strip()) == "playing"
    device.press(127)
    name, state = tv._current_app_media_session_state(await sh(device, session_cmd))
    assert state == (None if named else 2)
    assert BaseTV._audio_state((await sh(device, audio_cmd)).strip()) == "paused"


@pytest.mark.parametrize("profile", ALL)
async def test_androidtv_stream_music_and_running_apps(make: Make, profile: str) -> None:
    device = make(profile)
    device.set_volume(11)
    tv = BaseTV(None, "127.0.0.1")
    block = BaseTV._parse_stream_music(await sh(device, constants.CMD_STREAM_MUSIC))
    assert block is not None
    assert tv._volume(block, BaseTV._audio_output_device(block)) == 11
    assert tv.max_volume == device.profile.volume_max
    device.press(164)
    block = BaseTV._parse_stream_music(await sh(device, constants.CMD_STREAM_MUSIC))
    assert BaseTV._is_volume_muted(block) is True
    apps = BaseTV._running_apps(await sh(device, constants.CMD_RUNNING_APPS))
    assert apps is not None
    assert device.profile.launcher.split("/")[0] in apps


@pytest.mark.parametrize(("profile", "expected"), [("googletv", "HW2"), ("gmui_android12", "HW1")])
async def test_androidtv_hdmi_input_on_android12(make: Make, profile: str, expected: str) -> None:
    device = make(profile)
    assert BaseTV._get_hdmi_input(await sh(device, constants.CMD_HDMI_INPUT11)) is None
    await sh(device, HDMI[profile].format(src="HDMI1", hw="HW2"))
    assert BaseTV._get_hdmi_input(await sh(device, constants.CMD_HDMI_INPUT11)) == expected


@pytest.mark.parametrize("profile", ALL)
async def test_androidtv_device_properties_and_mac(make: Make, profile: str) -> None:
    device = make(profile)
    tv = BaseTV(None, "127.0.0.1")
    tv._parse_device_properties(await sh(device, constants.CMD_DEVICE_PROPERTIES))
    if "ro.product.vendor.device" not in device.profile.props:
        # Android 8 has no ro.product.vendor.device: androidtv's 5-line parse gives up.
        assert tv.device_properties == {}
    else:
        assert tv.device_properties["serialno"] == device.profile.serial
        assert tv.device_properties["sw_version"] == device.profile.release
    mac = BaseTV._parse_mac_address(await sh(device, constants.CMD_MAC_WLAN0))
    assert mac == device.profile.interfaces["wlan0"].mac


async def test_androidtv_turn_on_off(make: Make) -> None:
    device = make("androidtv10")
    await sh(device, constants.CMD_TURN_ON_ANDROIDTV)
    assert device.state is DeviceState.ON
    assert device.key_log == [], "the screen is on: no POWER press"
    await sh(device, constants.CMD_TURN_OFF_ANDROIDTV)
    assert device.state is DeviceState.STANDBY
    await sh(device, constants.CMD_TURN_OFF_ANDROIDTV)
    assert len(device.key_log) == 1, "already off: no second POWER press"
    await sh(device, constants.CMD_TURN_ON_ANDROIDTV)
    assert device.state is DeviceState.STANDBY, "ADB cannot wake standby (docs/xgimi.md §0.3)"


DUMPSYS_COMMANDS = [
    "dumpsys window",
    "dumpsys window windows",
    "dumpsys activity",
    "dumpsys activity a .",
    "dumpsys activity starter",
    "dumpsys audio",
    "dumpsys media_session",
    "dumpsys tv_input",
    "dumpsys display",
    "dumpsys package com.netflix.ninja",
    "dumpsys -l",
    "dumpsys",
    "ps -A",
]


@pytest.mark.parametrize("profile", ["gmui_android8", "gmui_android9", "androidtv10", "googletv"])
async def test_dumpsys_outputs_render(make: Make, profile: str) -> None:
    device = make(profile)
    device.start_media(sorted(device.profile.apps)[0], PlaybackState.PLAYING)
    device.press(2102)
    for command in DUMPSYS_COMMANDS:
        result = await device.run_shell(command)
        assert result.exit_code == 0, command
        text = result.stdout.decode()
        assert text, command
        assert not re.search(r"\{[a-z_]+\}", text), f"unfilled placeholder in {command}"


async def _playing_sessions(device: DeviceModel) -> str:
    device.start_media(sorted(device.profile.apps)[0], PlaybackState.PLAYING)
    return await sh(device, "dumpsys media_session")


async def test_dumpsys_version_formats(make: Make) -> None:
    old = await sh(make("gmui_android8"), "dumpsys window windows | grep mFocusedApp")
    assert re.match(
        r"\s+mFocusedApp=AppWindowToken\{\w+ token=Token\{\w+ ActivityRecord\{\w+ u0 ", old
    )
    new = await sh(make("googletv"), "dumpsys window windows | grep mFocusedApp")
    assert re.match(r"\s+mFocusedApp=ActivityRecord\{\w+ u0 \S+/\S+ t\d+\}", new)
    assert "topResumedActivity=ActivityRecord{" in await sh(
        make("googletv"), "dumpsys activity activities"
    )
    assert "topResumedActivity" not in await sh(
        make("gmui_android9"), "dumpsys activity activities"
    )
    assert "streamVolume:" in await sh(make("gmui_android12"), "dumpsys audio")
    # Android 10 prints streamVolume: too (tests/captures/dumpsys_audio/*-android10.txt).
    assert "streamVolume:" in await sh(make("androidtv10"), "dumpsys audio")
    assert "streamVolume:" not in await sh(make("gmui_android9"), "dumpsys audio")
    assert "state=PLAYING(3)" in await _playing_sessions(make("googletv14"))
    assert "state=3," in await _playing_sessions(make("googletv"))
    assert "Display Power: state=ON" in await sh(make("androidtv11"), "dumpsys power")
    assert "Display Power: state=" not in await sh(make("googletv14"), "dumpsys power")
    unknown = await make().run_shell("dumpsys nosuchservice")
    assert unknown.stderr == b"Can't find service: nosuchservice\n"


async def test_misc_commands(make: Make) -> None:
    device = make("gmui_android12")
    assert await sh(device, "settings get global adb_enabled") == "0\n"
    await sh(device, "settings put secure my_key 5")
    assert await sh(device, "settings get secure my_key") == "5\n"
    assert await sh(device, "settings get system nope") == "null\n"
    assert await sh(device, "wm size") == "Physical size: 1920x1080\n"
    assert (await sh(device, "id")).startswith("uid=2000(shell)")
    assert " up " in await sh(device, "uptime")
    assert await sh(device, "media volume --show --stream 3 --set 4") != ""
    assert device.volume == 4
    assert "volume is 4 in range [0..15]" in await sh(
        device, "cmd media_session volume --stream 3 --get"
    )
    packages = (await sh(device, "pm list packages -3")).split()
    assert "package:com.ktcp.videoapp" in packages
    assert "package:com.xgimi.home" not in packages
    assert await sh(device, "pm list packages tvinput") == "package:com.xgimi.tvinput\n"
    assert await sh(device, "pm list packages -i tvinput") == (
        "package:com.xgimi.tvinput  installer=null\n"
    )
    assert await sh(device, "pm list packages -i -U vcontrol") == (
        "package:com.xgimi.vcontrol  installer=com.xgimi.upgrade uid:1000\n"
    )
    assert (await sh(device, "ps -A | grep -c u0_a")).strip() == "1"
    assert device.command_log[-1] == "ps -A"
