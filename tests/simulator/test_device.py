"""The simulated projector's device model: power states, keys, intents, and what androidtv reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import json
from pathlib import Path
import re
from typing import Any

from androidtv import constants
from androidtv.basetv.basetv import BaseTV
import pytest

from simulator import (
    DeviceModel,
    DeviceState,
    PlaybackState,
    ProfileError,
    list_profiles,
    load_profile,
)
from simulator.device import Intent, intent_matches, parse_intent
from simulator.profiles import CAPTURE_FORMAT, IntentSpec, flatten_component

ALL = ["androidtv10", "gmui_android12", "gmui_android8", "gmui_android9", "googletv"]

Make = Callable[..., DeviceModel]


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    devices: list[DeviceModel] = []

    def _make(profile: str = "gmui_android9", **kwargs: Any) -> DeviceModel:
        kwargs.setdefault("boot_s", 0.05)
        kwargs.setdefault("network_drop_s", 0.05)
        device = DeviceModel(profile, **kwargs)
        devices.append(device)
        return device

    yield _make
    for device in devices:
        await device.aclose()


async def sh(device: DeviceModel, command: str) -> str:
    result = await device.run_shell(command)
    return result.stdout.decode()


# --- profiles ---------------------------------------------------------------------------------


def test_bundled_profiles() -> None:
    assert list_profiles() == ALL
    serials = {load_profile(name).serial for name in ALL}
    assert len(serials) == len(ALL), "serials must be unique per profile"


@pytest.mark.parametrize(
    ("profile", "family", "release", "version", "payload", "secure"),
    [
        ("gmui_android8", "gmui", "8.0.0", 0x01000000, 4096, True),
        ("gmui_android9", "gmui", "9", 0x01000001, 1048576, True),
        ("gmui_android12", "gmui", "12", 0x01000001, 1048576, False),
        ("androidtv10", "androidtv", "10", 0x01000001, 1048576, True),
        ("googletv", "googletv", "12", 0x01000001, 1048576, True),
    ],
)
async def test_profile_identity(
    make: Make,
    profile: str,
    family: str,
    release: str,
    version: int,
    payload: int,
    secure: bool,
) -> None:
    device = make(profile)
    p = device.profile
    assert p.family == family
    assert device.protocol_version == version
    assert device.max_payload == payload
    assert device.adb_secure is secure
    assert "shell_v2" in device.features
    assert await sh(device, "getprop ro.product.model") == p.props["ro.product.model"] + "\n"
    assert await sh(device, "getprop ro.build.version.release") == release + "\n"
    banner = device.banner().decode()
    assert banner.startswith(f"device::ro.product.name={p.props['ro.product.name']};")
    assert f";ro.product.model={p.model};" in banner
    assert banner.endswith("features=" + ",".join(p.features))
    assert p.apps, "every profile has launchable apps"
    assert all(not spec.system for spec in p.apps.values())


async def test_getprop_all_and_default(make: Make) -> None:
    device = make("gmui_android12")
    lines = (await sh(device, "getprop")).splitlines()
    assert "[ro.adb.secure]: [0]" in lines
    assert lines == sorted(lines)
    assert await sh(device, "getprop no.such.prop fallback") == "fallback\n"
    assert await sh(device, "setprop persist.sys.x 1 && getprop persist.sys.x") == "1\n"
    result = await device.run_shell("setprop ro.adb.secure 1")
    assert result.exit_code == 1
    assert b"Failed to set property" in result.stderr
    device.set_prop("ro.serialno", "OTHER1")
    assert await sh(device, "getprop ro.serialno") == "OTHER1\n"


def test_unknown_profile() -> None:
    with pytest.raises(ProfileError, match="unknown profile"):
        load_profile("nope")


def test_profile_from_json_path(tmp_path: Path) -> None:
    data = json.loads(load_profile("gmui_android9").path.read_text(encoding="utf-8"))
    data["name"] = "mine"
    data["props"]["ro.product.model"] = "My Projector"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_profile(path).model == "My Projector"
    assert load_profile(str(path)).model == "My Projector"


async def test_capture_becomes_a_profile(make: Make, tmp_path: Path) -> None:
    source = make("androidtv10")
    captures = {
        cmd: await sh(source, cmd)
        for cmd in ("getprop", "pm list packages", "dumpsys power", "dumpsys audio")
    }
    captures["getprop"] = captures["getprop"].replace(source.profile.serial, "**REDACTED**")
    diagnostics = {
        "simulator_profile": {
            "format": CAPTURE_FORMAT,
            "description": "Captured from XGIMI TV",
            "captures": captures,
        }
    }
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(diagnostics), encoding="utf-8")
    profile = load_profile(path)
    assert profile.family == "androidtv"
    assert profile.serial.startswith("CAP")
    assert profile.model == source.profile.model
    assert set(profile.packages) >= set(source.profile.packages)
    twin = make(profile)
    assert re.search(r"mWakefulness=Awake", await sh(twin, "dumpsys power"))
    twin.standby()
    assert "Display Power: state=OFF" in await sh(twin, "dumpsys power")
    (tmp_path / "broken.json").write_text(json.dumps({"simulator_profile": {"error": "x"}}))
    with pytest.raises(ProfileError, match="no capture"):
        load_profile(tmp_path / "broken.json")


# --- power states -----------------------------------------------------------------------------


async def test_mains_cycle_boots_with_auto_power_on(make: Make) -> None:
    device = make(state="mains_off")
    seen: list[bool] = []
    device.add_reachability_listener(seen.append)
    assert device.state is DeviceState.MAINS_OFF
    assert not device.reachable
    assert device.power_w == 0
    device.mains_on()
    assert device.state is DeviceState.BOOTING
    assert not device.reachable
    assert device.power_w == device.profile.power_w["booting"]
    await device.fast_forward()
    assert device.state is DeviceState.ON
    assert device.reachable
    assert seen == [True]
    assert device.foreground == "com.xgimi.home/.ui.MainActivity"
    assert device.power_w == device.profile.power_w["on"]


async def test_boot_timer_runs_on_the_loop(make: Make) -> None:
    device = make(state="mains_off", boot_s=0.05)
    device.mains_on()
    await asyncio.sleep(0.15)
    assert device.state is DeviceState.ON


async def test_mains_on_without_auto_power_on_stays_dark(make: Make) -> None:
    device = make(state="mains_off", auto_power_on=False)
    device.mains_on()
    assert device.state is DeviceState.STANDBY
    assert not device.reachable
    await device.fast_forward()
    assert device.state is DeviceState.STANDBY
    device.set_auto_power_on(True)
    device.mains_on()  # already on: the re-arm problem, nothing happens
    assert device.state is DeviceState.STANDBY
    device.mains_off()
    device.mains_on()
    assert device.state is DeviceState.BOOTING


async def test_standby_drops_the_network_later(make: Make) -> None:
    device = make(network_drop_s=10.0)
    seen: list[bool] = []
    device.add_reachability_listener(seen.append)
    device.press(26)
    assert device.state is DeviceState.STANDBY
    assert device.reachable
    assert "mWakefulness=Asleep" in await sh(device, "dumpsys power")
    await device.fast_forward(9.0)
    assert device.reachable
    await device.fast_forward(1.5)
    assert not device.reachable
    assert seen == [False]
    assert device.power_w == device.profile.power_w["standby"]
    device.press(26)  # no key wakes standby
    assert device.state is DeviceState.STANDBY
    assert not device.key_log[-1].handled


async def test_only_a_mains_cycle_wakes_standby(make: Make) -> None:
    device = make()
    device.standby()
    for key in (26, 224, 2100, 3):
        device.press(key)
    assert device.state is DeviceState.STANDBY
    device.mains_off()
    device.mains_on()
    await device.fast_forward()
    assert device.state is DeviceState.ON


async def test_screen_off_is_awake_and_reachable(make: Make) -> None:
    device = make("gmui_android12")
    device.start_media("com.ktcp.videoapp", PlaybackState.PLAYING)
    device.press(2100)
    assert device.state is DeviceState.SCREEN_OFF
    assert device.reachable
    power = await sh(device, "dumpsys power")
    assert "mWakefulness=Awake" in power
    assert "Display Power: state=ON" in power
    assert device.playback is PlaybackState.PLAYING, "music keeps playing in 关屏"
    assert device.power_w == device.profile.power_w["screen_off"]
    assert device.power_w < device.profile.power_w["on"]


@pytest.mark.parametrize(
    ("start", "key", "end"),
    [
        ("on", 26, "standby"),
        ("on", 223, "standby"),
        ("on", 224, "on"),
        ("on", 2100, "screen_off"),
        ("screen_off", 26, "on"),
        ("screen_off", 224, "on"),
        ("screen_off", 2100, "on"),
        ("screen_off", 223, "standby"),
        ("screen_off", 24, "on"),  # any other key wakes the light (inferred)
        ("standby", 26, "standby"),
        ("standby", 224, "standby"),
    ],
)
@pytest.mark.parametrize("profile", ALL)
async def test_power_keys(make: Make, profile: str, start: str, key: int, end: str) -> None:
    device = make(profile, state=start)
    volume = device.volume
    device.press(key)
    assert device.state.value == end
    assert device.volume == volume, "a key that wakes the light is consumed"
    assert device.key_log[-1].code == key


async def test_input_keyevent_and_dumpsys_in_one_line(make: Make) -> None:
    device = make()
    out = await sh(device, "input keyevent 26 && dumpsys power | grep mWakefulness=")
    assert out.strip() == "mWakefulness=Asleep"


async def test_reboot(make: Make) -> None:
    device = make()
    seen: list[bool] = []
    device.add_reachability_listener(seen.append)
    device.reboot()
    assert device.state is DeviceState.BOOTING
    await device.fast_forward()
    assert device.state is DeviceState.ON
    assert seen == [False, True]
    result = await device.run_shell("reboot")
    assert result.exit_code == 0
    assert device.reachable, "the shell's reboot answers first"
    await device.fast_forward()
    assert device.state is DeviceState.ON
    assert seen == [False, True, False, True]


async def test_offline_device_runs_nothing(make: Make) -> None:
    device = make(state="mains_off")
    result = await device.run_shell("getprop")
    assert result.exit_code != 0
    assert device.command_log == []


# --- keys ----------------------------------------------------------------------------------


async def test_volume_and_mute_keys(make: Make) -> None:
    device = make()
    device.set_volume(14)
    device.press(24)
    device.press(24)
    assert device.volume == 15
    device.press(164)
    assert device.muted
    device.press(25)
    assert device.volume == 14
    assert not device.muted
    device.set_volume(0)
    device.press("KEYCODE_VOLUME_DOWN")
    assert device.volume == 0
    out = await sh(device, "input keyevent VOLUME_UP VOLUME_UP && " + constants.CMD_STREAM_MUSIC)
    block = BaseTV._parse_stream_music(out)
    assert BaseTV._audio_output_device(block) == "speaker"
    assert BaseTV._is_volume_muted(block) is False


async def test_home_back_and_apps(make: Make) -> None:
    device = make("androidtv10")
    await sh(device, "monkey -p com.netflix.ninja -c android.intent.category.LEANBACK_LAUNCHER 1")
    assert device.foreground == "com.netflix.ninja/.MainActivity"
    assert device.source == "com.netflix.ninja"
    device.press(3)
    assert device.source == "launcher"
    assert "com.netflix.ninja" in device.running_packages
    await sh(device, "am start -n com.netflix.ninja/.MainActivity")
    device.press(4)
    assert device.source == "launcher"
    device.press(4)
    assert device.source == "launcher", "BACK on the launcher does nothing"
    await sh(device, "am force-stop com.netflix.ninja")
    assert "com.netflix.ninja" not in device.running_packages


async def test_media_keys_drive_the_session(make: Make) -> None:
    device = make("googletv")
    await sh(
        device,
        "monkey -p com.google.android.youtube.tv -c android.intent.category.LEANBACK_LAUNCHER 1",
    )
    device.start_media("com.google.android.youtube.tv", PlaybackState.PLAYING)
    for key, expected in [
        (85, PlaybackState.PAUSED),
        (85, PlaybackState.PLAYING),
        (127, PlaybackState.PAUSED),
        (126, PlaybackState.PLAYING),
        (86, PlaybackState.STOPPED),
    ]:
        device.press(key)
        assert device.playback is expected
    assert device.media_session is not None
    assert device.media_session.package == "com.google.android.youtube.tv"


async def test_nav_keys_are_recorded_without_state_change(make: Make) -> None:
    device = make()
    before = device.snapshot()
    await sh(device, "input keyevent 19 20 21 22")
    assert device.key_codes[-4:] == [19, 20, 21, 22]
    after = device.snapshot()
    assert after["foreground"] == before["foreground"]
    assert after["source"] == before["source"]


async def test_focus_keys(make: Make) -> None:
    device = make(focus_s=10.0)
    device.press(2099)
    assert device.autofocus_count == 1
    assert device.focusing
    assert device.last_focus is not None
    await device.fast_forward()
    assert not device.focusing
    for code in range(2092, 2099):
        device.press(code)
    assert device.focus_motor_log == list(range(2092, 2099))


async def test_quick_settings_overlay(make: Make) -> None:
    device = make("gmui_android12")
    device.press(2101)
    assert device.quick_settings_open
    assert "mCurrentFocus=Window{" in await sh(
        device, "dumpsys window windows | grep mCurrentFocus"
    )
    assert "com.xgimi.misckey" in await sh(device, "dumpsys window windows | grep mCurrentFocus")
    device.press(4)
    assert not device.quick_settings_open
    assert device.foreground == "com.xgimi.home/.ui.MainActivity"


@pytest.mark.parametrize("profile", ALL)
@pytest.mark.parametrize("key", [2102, 178])
async def test_source_menu_key_opens_the_family_picker(make: Make, profile: str, key: int) -> None:
    device = make(profile)
    device.press(key)
    assert device.source_menu_open
    assert device.foreground == flatten_component(device.profile.source_menu.component)
    assert device.source == "launcher", "the picker is shown over what was there"
    device.press(4)
    assert not device.source_menu_open


@pytest.mark.parametrize(("downs", "expected"), [(0, "HDMI1"), (1, "HDMI2"), (3, "HDMI2")])
async def test_z7x_source_menu_navigation(make: Make, downs: int, expected: str) -> None:
    device = make("gmui_android9")
    await sh(device, "input keyevent 2102" + " 20" * downs)
    assert device.source_menu_highlight == ("HDMI2" if downs else "HDMI1")
    await sh(device, "input keyevent 23")
    assert device.source == expected
    assert device.foreground == "com.xgimi.signalsource/.HdmiPlayerActivity"
    device.press(2102)
    device.press(20)
    device.press(19)
    device.press(66)
    assert device.source == "HDMI1"
    device.press(4)
    assert device.source == "launcher"


@pytest.mark.parametrize(
    ("profile", "key", "package"),
    [
        ("gmui_android12", 2119, "com.ktcp.videoapp"),
        ("gmui_android12", 2126, "com.xiaodianshi.tv.yst"),
        ("googletv", 139, "com.netflix.ninja"),
        ("googletv", 134, "com.google.android.youtube.tv"),
    ],
)
async def test_app_keys(make: Make, profile: str, key: int, package: str) -> None:
    device = make(profile)
    device.press(key)
    assert device.foreground_package == package


async def test_google_tv_quirk_keys(make: Make) -> None:
    device = make("googletv")
    device.press("KEYCODE_F12")
    assert device.autofocus_count == 1
    device.press("F5")
    assert device.muted
    await sh(device, "service call xgimi.hardware.gmpf.IProjectorFocusManager/default 3 i32 2")
    assert device.autofocus_count == 2


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
    name, state = tv._current_app_media_session_state(await sh(device, session_cmd))
    assert (name, state) == (app, 3)
    assert BaseTV._audio_state((await sh(device, audio_cmd)).strip()) == "playing"
    device.press(127)
    name, state = tv._current_app_media_session_state(await sh(device, session_cmd))
    assert state == 2
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
    assert device.state is DeviceState.STANDBY, "ADB cannot wake standby (xgimi.md §0.3)"


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
    assert "streamVolume:" not in await sh(make("androidtv10"), "dumpsys audio")
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
    assert (await sh(device, "ps -A | grep -c u0_a")).strip() == "1"
    assert device.command_log[-1] == "ps -A"
