"""The simulated projector's device model: profiles, power states and keys."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import re

from androidtv import constants
from androidtv.basetv.basetv import BaseTV
import pytest

from simulator import DeviceState, PlaybackState, ProfileError, list_profiles, load_profile
from simulator.profiles import CAPTURE_FORMAT, flatten_component

from .conftest import ALL, Make, sh

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
        ("androidtv11", "androidtv", "11", 0x01000001, 1048576, True),
        ("googletv", "googletv", "12", 0x01000001, 1048576, True),
        ("googletv14", "googletv", "14", 0x01000001, 1048576, True),
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


async def test_screensaver_dreams_until_a_key(make: Make) -> None:
    device = make("androidtv11")
    device.apps.launch_package("com.netflix.ninja")
    device.start_dream()
    assert device.dreaming
    assert device.snapshot()["dreaming"] is True
    power = await sh(device, "dumpsys power")
    assert "mWakefulness=Dreaming" in power
    assert "Display Power: state=ON" in power
    assert device.power_w == device.profile.power_w["on"]
    device.press("home")  # ends the screensaver, and only that
    assert not device.dreaming
    assert device.foreground_package == "com.netflix.ninja"
    assert "mWakefulness=Awake" in await sh(device, "dumpsys power")
    device.start_dream()
    device.screen_off()
    assert not device.dreaming
    device.screen_on()
    device.start_dream()
    device.standby("power_button")
    assert not device.dreaming
    device.start_dream()  # asleep: nothing to dream on
    assert not device.dreaming
    assert "mWakefulness=Asleep" in await sh(device, "dumpsys power")
    with pytest.raises(ValueError, match="no screensaver"):
        make("gmui_android9").start_dream()


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
