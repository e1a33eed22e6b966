"""A "LAN keys only" entry end to end: a GMUI simulator with network ADB switched off is added,
controlled and powered off through UDP alone (issue #14 §1's done-criterion)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_ASSUMED_STATE, CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.xgimi_projector.const import DOMAIN
from custom_components.xgimi_projector.flow_lan import CONF_LAN_ONLY
from custom_components.xgimi_projector.lan_setup import CONF_LAN_PORT, LanCoordinator
from custom_components.xgimi_projector.projector import LAN_KEY_PORT, LanKeys
from simulator import DeviceState, Simulator

from ..conftest import StartSim
from ..projector.conftest import until
from .conftest import PLUG, POWER, power_options, setup_demo_plug, wait_for_state
from .test_config_flow_lan import lan_sim

MP = "media_player.projector"
REMOTE = "remote.projector_remote"


async def add_lan_entry(
    hass: HomeAssistant, sim: Simulator, options: dict[str, Any] | None = None
) -> ConfigEntry:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_LAN_ONLY: True}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_NAME: "Projector"}
    )
    entry: ConfigEntry = result["result"]
    await hass.async_block_till_done()
    if options:
        hass.config_entries.async_update_entry(entry, options=options)
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {"entity_id": entity_id, **data}, blocking=True)


def keys_applied(sim: Simulator) -> list[int]:
    assert sim.lan is not None
    return sim.lan.keys_applied


async def test_added_controlled_and_powered_off_over_udp_alone(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    entry = await add_lan_entry(hass, sim)
    registry = er.async_get(hass)
    platforms = sorted(
        e.entity_id for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    )
    assert platforms == [
        "button.projector_autofocus",
        "button.projector_back",
        "button.projector_home",
        "button.projector_mute_toggle",
        "button.projector_power_off",
        "button.projector_quick_settings",
        "button.projector_source_menu",
        MP,
        REMOTE,
    ]  # no sensor, select or switch: they show or need what only ADB reads
    state = hass.states.get(MP)
    assert state is not None
    assert state.state == "unknown"  # nothing sent yet, nothing known
    assert state.attributes[ATTR_ASSUMED_STATE] is True
    assert state.attributes["power_source"] == "assumed"
    assert state.attributes["source_list"] == ["Home", "Source menu"]

    volume = sim.device.volume
    await call(hass, "remote", "send_command", REMOTE, command=["volume_up", "volume_up"])
    await until(lambda: sim.device.volume == volume + 2)
    assert hass.states.get(MP).state == "on"  # type: ignore[union-attr]
    assert hass.states.get(REMOTE).state == "on"  # type: ignore[union-attr]
    await call(hass, "media_player", "volume_up", MP)
    await call(hass, "media_player", "volume_down", MP)
    await until(lambda: len(sim.device.key_log) == 4)
    assert sim.device.volume == volume + 2
    await call(hass, "button", "press", "button.projector_autofocus")
    await until(lambda: sim.device.autofocus_count == 1)
    await call(hass, "button", "press", "button.projector_mute_toggle")
    await until(lambda: sim.device.muted)
    await call(hass, "media_player", "select_source", MP, source="Source menu")
    await until(lambda: sim.device.source_menu_open)
    await call(hass, "button", "press", "button.projector_home")
    await until(lambda: not sim.device.source_menu_open)

    await call(hass, "media_player", "turn_off", MP)
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    assert hass.states.get(MP).state == "off"  # type: ignore[union-attr]
    assert keys_applied(sim) == [115, 115, 115, 114, 2099, 113, 2102, 35, 30]
    assert not sim.adb_enabled

    # An assumed state survives a restart of the entry.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(MP).state == "off"  # type: ignore[union-attr]


async def test_power_off_button_and_remote_turn_off(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    await add_lan_entry(hass, sim)
    await call(hass, "button", "press", "button.projector_power_off")
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    assert hass.states.get(REMOTE).state == "off"  # type: ignore[union-attr]
    sim.device.mains_off()
    sim.device.mains_on()
    await until(lambda: sim.device.state is DeviceState.ON)
    await call(hass, "remote", "send_command", REMOTE, command=["ok"])
    await call(hass, "remote", "turn_off", REMOTE)
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    assert keys_applied(sim) == [30, 49, 30]  # the key in standby went nowhere


async def test_refused_commands_send_nothing(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown keys, keys the protocol lacks, and what needs ADB: refused, translated, nothing
    sent, and the assumed state untouched."""
    sim = await lan_sim(start_sim, monkeypatch)
    await add_lan_entry(hass, sim)
    assert sim.lan is not None
    sent = len(sim.lan.datagrams)
    with pytest.raises(ServiceValidationError) as exc:
        await call(hass, "remote", "send_command", REMOTE, command=["home", "self_destruct"])
    assert exc.value.translation_key == "unknown_key"
    with pytest.raises(ServiceValidationError) as exc:
        await call(hass, "remote", "send_command", REMOTE, command=["play"])
    assert exc.value.translation_key == "lan_key_not_supported"
    with pytest.raises(ServiceValidationError) as exc:
        await call(hass, "media_player", "select_source", MP, source="HDMI1")
    assert exc.value.translation_key == "unknown_source"
    with pytest.raises(ServiceValidationError) as exc:  # no plug: nothing can turn it on
        await call(hass, "media_player", "turn_on", MP)
    assert exc.value.translation_key == "service_not_supported"
    with pytest.raises(HomeAssistantError) as failed:
        await call(hass, "remote", "turn_on", REMOTE)
    assert failed.value.translation_key == "no_plug"
    assert len(sim.lan.datagrams) == sent
    assert hass.states.get(MP).state == "unknown"  # type: ignore[union-attr]


@pytest.mark.usefixtures("fast_power")
async def test_with_a_plug_the_power_state_follows_the_draw(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the plug's calibrated power sensor the state is known, not assumed: on by the draw,
    off once the UDP power-off brought the draw down, on again after the plug's cycle."""
    sim = await lan_sim(start_sim, monkeypatch, mains_port=0, mains_on=True)
    await setup_demo_plug(hass, sim)
    await add_lan_entry(hass, sim, power_options())
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [POWER, MP]}, blocking=True
    )
    await wait_for_state(hass, MP, "on")
    state = hass.states.get(MP)
    assert state is not None
    assert ATTR_ASSUMED_STATE not in state.attributes
    assert state.attributes["power_source"] == "plug"

    await call(hass, "media_player", "turn_off", MP)
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [POWER, MP]}, blocking=True
    )
    await wait_for_state(hass, MP, "off")

    await call(hass, "media_player", "turn_on", MP)  # 上电自动开机: mains off, wait, on
    assert hass.states.get(PLUG).state == "on"  # type: ignore[union-attr]
    await until(lambda: sim.device.state is DeviceState.ON)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [POWER, MP]}, blocking=True
    )
    await wait_for_state(hass, MP, "on")
    assert keys_applied(sim) == [30]


async def test_adb_entry_on_gmui_has_the_lan_fallback(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ADB entry gets LAN keys at the same address (the library uses them only for GMUI
    families while ADB is down); the port comes from the entry when stored."""
    sim = await lan_sim(start_sim, monkeypatch, adb_enabled=True)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_NAME: "Projector"}
    )
    entry = result["result"]
    await hass.async_block_till_done()
    lan = entry.runtime_data.projector.lan
    assert isinstance(lan, LanKeys)
    assert (lan.host, lan.port) == ("127.0.0.1", LAN_KEY_PORT)
    assert not isinstance(entry.runtime_data, LanCoordinator)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_LAN_PORT: sim.lan_port})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.projector.lan.port == sim.lan_port
    await sim.set_adb_enabled(False)
    projector = entry.runtime_data.projector
    await projector.connection.close()  # a session that breaks mid-command is not retried
    volume = sim.device.volume
    await projector.volume_up()  # ADB refuses: the key goes over UDP
    await until(lambda: sim.device.volume == volume + 1)
    assert keys_applied(sim) == [115]


async def test_diagnostics_say_why_there_is_no_capture(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    start_sim: StartSim,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    sim = await lan_sim(start_sim, monkeypatch)
    entry = await add_lan_entry(hass, sim)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["simulator_profile"]["error"].startswith("AdbRequiredError")
    assert diagnostics["entry"]["data"]["transport"] == "lan"
    assert diagnostics["event_stream"] is None
    assert diagnostics["connection"] == {"connected": False, "failures": 0}
    assert sim.lan is not None
    assert sim.lan.keys_applied == []
