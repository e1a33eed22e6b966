"""Entity states and actions through Home Assistant's services, against the simulator."""

from __future__ import annotations

import asyncio
import tracemalloc
from typing import Any

from homeassistant.components.media_player import (
    ATTR_APP_ID,
    ATTR_APP_NAME,
    ATTR_INPUT_SOURCE,
    ATTR_INPUT_SOURCE_LIST,
    ATTR_MEDIA_VOLUME_LEVEL,
    ATTR_MEDIA_VOLUME_MUTED,
)
from homeassistant.components.media_player.const import MediaPlayerEntityFeature
from homeassistant.components.remote import ATTR_COMMAND, ATTR_DELAY_SECS, ATTR_NUM_REPEATS
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.xgimi_projector.const import CONF_APPS, DOMAIN
from custom_components.xgimi_projector.coordinator import REFRESH_COOLDOWN_S
from simulator import Fault

from ..conftest import StartSim
from .conftest import add_projector

MP = "media_player.projector"
REMOTE = "remote.projector_remote"
SELECT = "select.projector_input_source"


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)
    await hass.async_block_till_done()


async def _refresh(hass: HomeAssistant) -> None:
    """Read the projector now: wait out the post-command debounce window, then update."""
    await asyncio.sleep(REFRESH_COOLDOWN_S + 0.1)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: MP}, blocking=True
    )
    await hass.async_block_till_done()


PROFILES = ["gmui_android8", "gmui_android9", "gmui_android12", "androidtv10", "googletv"]


@pytest.mark.parametrize("profile", PROFILES)
async def test_media_player_state_per_profile(
    hass: HomeAssistant,
    start_sim: StartSim,
    profile: str,
    device_registry: dr.DeviceRegistry,
) -> None:
    sim = await start_sim(profile)
    entry = await add_projector(hass, sim)
    state = hass.states.get(MP)
    assert state.state == "idle"
    assert state.attributes[ATTR_MEDIA_VOLUME_LEVEL] == pytest.approx(
        sim.device.volume / sim.device.profile.volume_max
    )
    assert state.attributes[ATTR_MEDIA_VOLUME_MUTED] is False
    assert state.attributes[ATTR_APP_ID] == sim.device.foreground.split("/")[0]
    features = state.attributes[ATTR_SUPPORTED_FEATURES]
    direct_hdmi = profile != "gmui_android9"
    assert features & MediaPlayerEntityFeature.SELECT_SOURCE, "Home is always a source"
    assert state.attributes[ATTR_INPUT_SOURCE_LIST] == (
        ["Home", "HDMI1", "HDMI2"] if direct_hdmi else ["Home", "Source menu"]
    ), "where HDMI can't be switched directly, the source menu is offered"
    assert state.attributes[ATTR_INPUT_SOURCE] == "Home", "the home screen is a source"
    assert hass.states.get(SELECT).state == "Home"
    device = device_registry.async_get_device(identifiers={(DOMAIN, entry.unique_id)})
    assert device is not None
    assert device.manufacturer == "XGIMI"
    assert device.serial_number == sim.device.profile.props["ro.serialno"]
    if profile == "gmui_android12":
        # ro.product.model says only "XGIMI TV"; the name people know is the Bluetooth name.
        assert device.model == "XGIMI Z6X Pro 三色激光 旗舰版"
        assert device.model_id == "G0073"


@pytest.mark.parametrize("profile", ["gmui_android8", "androidtv10", "googletv"])
async def test_select_hdmi_source(hass: HomeAssistant, start_sim: StartSim, profile: str) -> None:
    sim = await start_sim(profile)
    await add_projector(hass, sim)
    await _call(hass, "media_player", "select_source", MP, **{ATTR_INPUT_SOURCE: "HDMI2"})
    assert sim.device.source == "HDMI2"
    await _refresh(hass)
    state = hass.states.get(MP)
    assert state.state == "on"
    assert state.attributes[ATTR_INPUT_SOURCE] == "HDMI2"
    assert hass.states.get(SELECT).state == "HDMI2"
    await _call(hass, "select", "select_option", SELECT, option="HDMI1")
    assert sim.device.source == "HDMI1"


async def test_unknown_source_sends_nothing(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    before = list(sim.device.command_log)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "media_player", "select_source", MP, **{ATTR_INPUT_SOURCE: "HDMI9"})
    assert err.value.translation_key == "unknown_source"
    with pytest.raises(ServiceValidationError):
        await _call(hass, "select", "select_option", SELECT, option="nope")
    assert sim.device.command_log == before


async def test_apps_as_sources(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("androidtv10")
    app = next(p for p in sorted(sim.device.profile.apps))
    entry = await add_projector(hass, sim, options={CONF_APPS: [f"{app}=My app"]})
    assert entry.options[CONF_APPS] == [f"{app}=My app"]
    state = hass.states.get(MP)
    assert state.attributes[ATTR_INPUT_SOURCE_LIST] == ["Home", "HDMI1", "HDMI2", "My app"]
    await _call(hass, "media_player", "select_source", MP, **{ATTR_INPUT_SOURCE: "My app"})
    await _refresh(hass)
    state = hass.states.get(MP)
    assert state.attributes[ATTR_APP_ID] == app
    assert state.attributes[ATTR_APP_NAME] == "My app"
    assert state.attributes[ATTR_INPUT_SOURCE] == "My app"
    assert hass.states.get("sensor.projector_foreground_app").state == "My app"


async def test_volume_and_mute(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android9")
    await add_projector(hass, sim)
    await _call(hass, "media_player", "volume_set", MP, volume_level=0.2)
    assert sim.device.volume == 3
    await _call(hass, "media_player", "volume_up", MP)
    assert sim.device.volume == 4
    await _call(hass, "media_player", "volume_down", MP)
    assert sim.device.volume == 3
    await _call(hass, "media_player", "volume_mute", MP, is_volume_muted=True)
    assert sim.device.muted is True
    await _refresh(hass)
    assert hass.states.get(MP).attributes[ATTR_MEDIA_VOLUME_MUTED] is True
    await _call(hass, "media_player", "volume_mute", MP, is_volume_muted=False)
    assert sim.device.muted is False


async def test_playback_and_media_keys(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("androidtv10")
    app = next(p for p in sorted(sim.device.profile.apps))
    await add_projector(hass, sim, options={CONF_APPS: [f"{app}=Video"]})
    await _call(hass, "media_player", "select_source", MP, **{ATTR_INPUT_SOURCE: "Video"})
    sim.device.start_media(app, 3)
    await _refresh(hass)
    assert hass.states.get(MP).state == "playing"
    await _call(hass, "media_player", "media_pause", MP)
    await _refresh(hass)
    assert hass.states.get(MP).state == "paused"
    await _call(hass, "media_player", "media_play", MP)
    for service in ("media_stop", "media_next_track", "media_previous_track"):
        await _call(hass, "media_player", service, MP)
    assert [e.code for e in sim.device.key_log[-5:]] == [127, 126, 86, 87, 88]


async def test_turn_off_and_wake(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12", network_drop_s=10)
    await add_projector(hass, sim)
    sim.device.screen_off()
    await _call(hass, "media_player", "turn_on", MP)
    assert sim.device.state.value == "on"
    await _call(hass, "media_player", "turn_off", MP)
    assert sim.device.state.value == "standby"
    await _refresh(hass)
    assert hass.states.get(MP).state == "off"
    assert hass.states.get(REMOTE).state == "off"


async def test_command_failure_is_a_translated_error(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    sim.faults.set(Fault.CLOSE_MID_COMMAND)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "media_player", "volume_up", MP)
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_domain == DOMAIN


async def test_not_supported_hdmi_is_a_validation_error(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android9")
    await add_projector(hass, sim, options={CONF_APPS: []})
    with pytest.raises(ServiceValidationError):
        await _call(hass, "media_player", "select_source", MP, **{ATTR_INPUT_SOURCE: "HDMI1"})


# --- remote -----------------------------------------------------------------------------------


async def test_remote_send_command(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("androidtv10")
    await add_projector(hass, sim)
    assert hass.states.get(REMOTE).state == "on"
    await _call(
        hass,
        "remote",
        "send_command",
        REMOTE,
        **{
            ATTR_COMMAND: ["KEYCODE_DPAD_UP", "ok", "Autofocus"],
            ATTR_NUM_REPEATS: 2,
            ATTR_DELAY_SECS: 0,
        },
    )
    assert [e.code for e in sim.device.key_log[-6:]] == [19, 23, 2099, 19, 23, 2099]


async def test_remote_unknown_key_sends_nothing(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("androidtv10")
    await add_projector(hass, sim)
    before = len(sim.device.key_log)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "remote", "send_command", REMOTE, **{ATTR_COMMAND: ["home", "reboot"]})
    assert err.value.translation_key == "unknown_key"
    assert err.value.translation_placeholders == {"key": "reboot"}
    assert len(sim.device.key_log) == before


@pytest.mark.parametrize(
    ("repeats", "delay"), [(100_000_000, 0), (501, 0), (1, 61), (1, -1)], ids=str
)
async def test_remote_sizes_are_refused_before_anything_is_built(
    hass: HomeAssistant, start_sim: StartSim, repeats: int, delay: float
) -> None:
    """A huge num_repeats from any user costs nothing: refused, translated, nothing sent."""
    sim = await start_sim("androidtv10")
    await add_projector(hass, sim)
    before = len(sim.device.key_log)
    tracemalloc.start()
    try:
        with pytest.raises(ServiceValidationError) as err:
            await _call(
                hass,
                "remote",
                "send_command",
                REMOTE,
                **{ATTR_COMMAND: ["up"], ATTR_NUM_REPEATS: repeats, ATTR_DELAY_SECS: delay},
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.translation_key == "invalid_command"
    assert peak < 5_000_000, f"{peak} bytes allocated for a refused call"
    assert len(sim.device.key_log) == before


async def test_remote_on_off(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    sim.device.screen_off()
    await _call(hass, "remote", "turn_on", REMOTE)
    assert sim.device.state.value == "on"
    await _call(hass, "remote", "turn_off", REMOTE)
    assert sim.device.state.value == "standby"


# --- buttons, sensors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "code"),
    [
        ("autofocus", 2099),
        ("quick_settings", 2101),
        ("source_menu", 2102),
        ("home", 3),
        ("back", 4),
    ],
)
async def test_buttons(hass: HomeAssistant, start_sim: StartSim, button: str, code: int) -> None:
    sim = await start_sim("googletv")
    await add_projector(hass, sim)
    await _call(hass, "button", "press", f"button.projector_{button}")
    assert sim.device.key_log[-1].code == code


async def test_sensors(
    hass: HomeAssistant, start_sim: StartSim, entity_registry: er.EntityRegistry
) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    assert hass.states.get("sensor.projector_firmware_family").state == "gmui_android12"
    launcher = sim.device.foreground.split("/")[0]
    app = hass.states.get("sensor.projector_foreground_app")
    assert app.state == "XGIMI Home", "a friendly name, not the package"
    assert app.attributes["package"] == launcher
    android = entity_registry.async_get("sensor.projector_android_version")
    assert android is not None
    assert android.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_source_menu_and_home_where_hdmi_cannot_be_switched(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """GMUI 9 opens its source menu (the person picks the input there); Home is a source."""
    sim = await start_sim("gmui_android9")
    await add_projector(hass, sim)
    await _call(hass, "select", "select_option", SELECT, option="Source menu")
    assert sim.device.key_log[-1].code == 2102
    await _refresh(hass)
    assert hass.states.get(SELECT).state == "Source menu"
    await _call(hass, "media_player", "select_source", MP, **{ATTR_INPUT_SOURCE: "Home"})
    await _refresh(hass)
    assert hass.states.get(MP).attributes[ATTR_INPUT_SOURCE] == "Home"


async def test_names_follow_the_system_language(hass: HomeAssistant, start_sim: StartSim) -> None:
    """A Chinese Home Assistant shows Chinese source and app names (the package stays)."""
    await hass.config.async_update(language="zh-Hans")
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    state = hass.states.get(MP)
    assert state.attributes[ATTR_INPUT_SOURCE] == "主页"
    assert state.attributes[ATTR_INPUT_SOURCE_LIST][0] == "主页"
    assert state.attributes[ATTR_APP_NAME] == "极米桌面"
    assert state.attributes[ATTR_APP_ID] == "com.xgimi.home"
