"""A discovered GMUI projector whose ADB is off or refused, but that answers XGIMI's UDP probe:
the confirm step offers "LAN keys only", which creates the same entry as the manual path."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_ZEROCONF, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.xgimi_projector import flow_discovery, flow_lan
from custom_components.xgimi_projector.const import CONF_DEVICE_INFO
from custom_components.xgimi_projector.flow_lan import CONF_LAN_ONLY, LanFlowSettings
from custom_components.xgimi_projector.lan_setup import (
    CONF_LAN_PORT,
    CONF_TRANSPORT,
    TRANSPORT_LAN,
)
from simulator import Simulator

from ..conftest import StartSim
from .discovery_support import MAC, dhcp_info, discover, flow_context, zeroconf_info
from .test_config_flow_lan import free_udp_port, lan_sim, schema_of


async def gmui_without_adb(
    start_sim: StartSim, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> Simulator:
    """The GMUI simulator with network ADB off, answering the probe and LAN keys on loopback;
    a discovered address is tried on its (refusing) ADB port."""
    sim = await lan_sim(start_sim, monkeypatch, **kwargs)
    monkeypatch.setattr(
        flow_discovery, "SETTINGS", replace(flow_discovery.SETTINGS, adb_port=sim.port)
    )
    return sim


async def submit(hass: HomeAssistant, result: dict[str, Any], **data: Any) -> dict[str, Any]:
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], data))


async def test_dhcp_offers_lan_keys_only_and_adds_the_lan_entry(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await gmui_without_adb(start_sim, monkeypatch)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "port_closed"}
    assert CONF_LAN_ONLY in schema_of(result)  # type: ignore[arg-type]
    assert "confirm_only" not in flow_context(hass, result["flow_id"])  # a choice to make
    name = result["description_placeholders"]["name"]
    # Submitted unticked: ADB is tried, and refused again; the choice stays.
    result = await submit(hass, result)
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "port_closed"}
    assert CONF_LAN_ONLY in schema_of(result)  # type: ignore[arg-type]
    result = await submit(hass, result, **{CONF_LAN_ONLY: True})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["title"] == name
    entry = result["result"]
    assert (
        entry.unique_id == f"mac:{MAC[:2]}:{MAC[2:4]}:{MAC[4:6]}:{MAC[6:8]}:{MAC[8:10]}:{MAC[10:]}"
    )
    assert entry.data[CONF_TRANSPORT] == TRANSPORT_LAN
    assert entry.data[CONF_LAN_PORT] == sim.lan_port
    assert entry.data[CONF_DEVICE_INFO]["serial"] is None
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert sim.lan is not None
    assert sim.lan.keys_applied == []  # adding it pressed nothing
    # The same projector discovered again: the entry has its address (and its MAC).
    again = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def test_zeroconf_lan_entry_is_named_by_its_announcement(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    await gmui_without_adb(start_sim, monkeypatch)
    result = await discover(hass, SOURCE_ZEROCONF, zeroconf_info())
    assert CONF_LAN_ONLY in schema_of(result)  # type: ignore[arg-type]
    result = await submit(hass, result, **{CONF_LAN_ONLY: True})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["title"] == "书房投影"
    assert result["result"].data[CONF_TRANSPORT] == TRANSPORT_LAN


async def test_lan_check_failing_keeps_the_confirm_step_with_the_reason(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The projector answered the probe, but its key port answers "port unreachable" (here:
    the flow sends to a port nothing listens on): said on the same step, nothing created."""
    await gmui_without_adb(start_sim, monkeypatch)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    monkeypatch.setattr(flow_lan, "LAN_SETTINGS", LanFlowSettings(key_port=free_udp_port()))
    result = await submit(hass, result, **{CONF_LAN_ONLY: True})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "lan_port_closed"}
    assert CONF_LAN_ONLY in schema_of(result)  # type: ignore[arg-type]
    assert hass.config_entries.async_entries("xgimi_projector") == []


async def test_no_udp_answer_no_lan_offer(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing answered the probe (not known to take LAN keys): a bare confirmation, as before;
    the manual path still offers LAN keys only."""
    sim = await gmui_without_adb(start_sim, monkeypatch)
    sim.device.mains_off()
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["step_id"] == "discovery_confirm"
    assert result["data_schema"] is None
    assert flow_context(hass, result["flow_id"])["confirm_only"] is True


async def test_adb_asking_for_authorization_is_not_offered_lan(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADB is on and only wants the key allowed: the person does that; no LAN choice."""
    await gmui_without_adb(start_sim, monkeypatch, adb_enabled=True)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {}
    assert result["data_schema"] is None
