"""Discovery: DHCP (XGIMI's MAC prefix), zeroconf (``_xgimi._tcp``) and the "search the
network" step (XGIMI's UDP probe), end to end against simulated projectors on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from ipaddress import IPv4Address
import socket
from typing import Any, cast

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_USER,
    SOURCE_ZEROCONF,
    ConfigEntryState,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
import voluptuous as vol

from custom_components.xgimi_projector import flow_discovery
from custom_components.xgimi_projector.const import DOMAIN
from custom_components.xgimi_projector.flow_discovery import (
    DiscoverySettings,
    zeroconf_name,
)
from simulator import Fault, PromptMode, Simulator

from ..conftest import StartSim
from .conftest import add_projector
from .discovery_support import (
    BAD_ANSWERS,
    MAC,
    Answer,
    Responder,
    announced,
    confirm,
    confirm_user,
    dhcp_info,
    discover,
    flow_context,
    free_udp_port,
    unload,
    xgimi_answer,
    zeroconf_info,
)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> DiscoverySettings:
    """Discovery on loopback: free UDP ports, short waits, the search sent to 127.0.0.1."""
    current = DiscoverySettings(
        search_s=0.4,
        confirm_s=0.3,
        probe_port=free_udp_port(),
        reply_port=free_udp_port(),
        bind_host="127.0.0.1",
    )
    monkeypatch.setattr(flow_discovery, "SETTINGS", current)

    async def broadcast_addresses(hass: HomeAssistant) -> set[IPv4Address]:
        return {IPv4Address("127.0.0.1")}

    monkeypatch.setattr(
        "homeassistant.components.network.async_get_ipv4_broadcast_addresses",
        broadcast_addresses,
    )
    return current


def use_adb_port(monkeypatch: pytest.MonkeyPatch, sim: Simulator) -> None:
    """A discovered projector is tried on the simulator's ADB port (5555 on a LAN)."""
    monkeypatch.setattr(
        flow_discovery, "SETTINGS", replace(flow_discovery.SETTINGS, adb_port=sim.port)
    )


StartResponder = Callable[[Answer], Awaitable[Responder]]


@pytest.fixture
async def responder(settings: DiscoverySettings) -> AsyncIterator[StartResponder]:
    """Start a UDP responder on the probe port."""
    transports: list[asyncio.DatagramTransport] = []

    async def start(answer: Answer) -> Responder:
        protocol = Responder(settings.reply_port, answer)
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: protocol, local_addr=("127.0.0.1", settings.probe_port)
        )
        transports.append(transport)
        return protocol

    yield start
    for transport in transports:
        transport.close()


async def start_gmui(
    start_sim: StartSim, settings: DiscoverySettings, profile: str = "gmui_android12", **kwargs: Any
) -> Simulator:
    """A GMUI projector that also answers XGIMI's UDP probe (on the test's loopback ports)."""
    return await start_sim(
        profile,
        discovery_port=settings.probe_port,
        discovery_reply_port=settings.reply_port,
        lan_port=None,
        **kwargs,
    )


# --- the pure helper ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("properties", "name"),
    [
        ({"devname": "书房投影", "deviceType": "z6xpro"}, "书房投影"),
        ({"DevName": " Living room "}, "Living room"),
        ({"devicename": "H3S"}, "H3S"),
        ({"devname": "", "deviceType": "z6xpro"}, "XGIMI Z6X Pro"),
        ({"devname": None}, "XGIMI Z6X Pro"),
        ({}, "XGIMI Z6X Pro"),
    ],
)
def test_zeroconf_name(properties: dict[str, Any], name: str) -> None:
    assert zeroconf_name(zeroconf_info(properties=properties)) == name


# --- DHCP ----------------------------------------------------------------------------------------


async def test_dhcp_new_projector_is_identified_offered_and_added(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A projector that needs no authorization is read before it is offered: its model names
    the card, and its serial is the flow's id."""
    sim = await start_sim("gmui_android12")
    use_adb_port(monkeypatch, sim)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {}
    model = "XGIMI Z6X Pro 三色激光 旗舰版"
    assert result["description_placeholders"] == {
        "name": model,
        "host": "127.0.0.1",
        "port": str(sim.port),
    }
    context = flow_context(hass, result["flow_id"])
    assert context["title_placeholders"] == {"name": model}
    assert context["unique_id"] == sim.device.profile.props["ro.serialno"]
    assert context["confirm_only"] is True
    result = await confirm(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == model
    entry = result["result"]
    assert entry.unique_id == sim.device.profile.props["ro.serialno"]
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == sim.port
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_dhcp_never_shows_the_prompt_before_the_person_confirms(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Discovery runs in the background: a projector that asks "Allow USB debugging?" must not
    show it until the person selects Submit."""
    sim = await start_sim("gmui_android9", prompt=PromptMode.ACCEPT)
    use_adb_port(monkeypatch, sim)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {}, "ADB answered: nothing to fix"
    assert sim.device.prompt_count == 0
    assert not sim.daemon.trusted_keys
    context = flow_context(hass, result["flow_id"])
    assert context["unique_id"] == f"mac:{':'.join(MAC[i : i + 2] for i in range(0, 12, 2))}"
    assert result["description_placeholders"]["name"] == "XGIMI (127.0.0.1)"
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], {}))
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "authorize"
    await hass.async_block_till_done()
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"]))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sim.device.prompt_count == 1
    assert result["result"].unique_id == sim.device.profile.props["ro.serialno"]


async def test_dhcp_known_projector_at_a_new_address_is_updated_and_reloaded(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.ACCEPT)
    use_adb_port(monkeypatch, sim)
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await confirm_user(hass, flow, "localhost", sim.port)
    entry = result["result"]
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    prompts = sim.device.prompt_count
    result = await discover(hass, SOURCE_DHCP, dhcp_info("127.0.0.1"))
    assert result["type"] is FlowResultType.ABORT, result
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not coordinator, "reloaded with the new address"
    assert entry.runtime_data.projector.host == "127.0.0.1"
    assert sim.device.prompt_count == prompts, "our key is trusted: no dialog"
    await unload(hass, entry)


async def test_dhcp_known_address_aborts_without_connecting(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing changed: the flow ends before anything is sent (even when the projector is off
    by then, which would otherwise show up as a confirm form with an error)."""
    sim = await start_sim("gmui_android12")
    use_adb_port(monkeypatch, sim)
    entry = await add_projector(hass, sim)
    sim.device.mains_off()
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"


async def test_dhcp_adb_unusable_is_offered_with_its_udp_name_and_the_reason(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Network ADB cannot be used yet: the UDP answer names the projector, the form says what
    to fix, and Submit connects once it is fixed."""
    sim = await start_gmui(start_sim, settings, faults=[Fault.STLS])
    use_adb_port(monkeypatch, sim)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "wireless_debugging_port"}
    assert result["description_placeholders"]["name"] == "XGIMI Z6X Pro"
    assert sim.lan is not None
    assert sim.lan.probes_answered >= 1
    context = flow_context(hass, result["flow_id"])
    assert context["title_placeholders"] == {"name": "XGIMI Z6X Pro"}
    # Submit before fixing it: the same form, the same reason.
    result = await confirm(hass, result)
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "wireless_debugging_port"}
    sim.faults.clear()
    result = await confirm(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "XGIMI Z6X Pro 三色激光 旗舰版", "named after the model"


async def test_dhcp_adb_never_enabled_is_offered_with_port_closed(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A GMUI projector whose network ADB was never enabled answers only the UDP probe."""
    sim = await start_gmui(start_sim, settings, adb_enabled=False)
    use_adb_port(monkeypatch, sim)
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["errors"] == {"base": "port_closed"}
    assert result["description_placeholders"]["name"] == "XGIMI Z6X Pro"


async def test_dhcp_nothing_answers(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ADB refused and no UDP answer: offered under its address, with the reason."""
    sim = await start_sim("gmui_android12")
    use_adb_port(monkeypatch, sim)
    sim.device.mains_off()
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "port_closed"}
    assert result["description_placeholders"]["name"] == "XGIMI (127.0.0.1)"


async def test_dhcp_projector_without_serial_is_not_offered(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("gmui_android12")
    use_adb_port(monkeypatch, sim)
    sim.device.set_prop("ro.serialno", "")
    sim.device.set_prop("ro.boot.serialno", "")
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_serial"


async def test_ignored_projectors_stay_ignored(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ignored by its serial (identified) or by its MAC (not identified yet): discovering it
    again aborts; adding it by hand still works, and replaces the ignored entry."""
    for profile, prompt in (
        ("gmui_android12", PromptMode.ACCEPT),
        ("gmui_android9", PromptMode.ACCEPT),
    ):
        sim = await start_sim(profile, prompt=prompt)
        use_adb_port(monkeypatch, sim)
        result = await discover(hass, SOURCE_DHCP, dhcp_info())
        unique_id = flow_context(hass, result["flow_id"])["unique_id"]
        hass.config_entries.flow.async_abort(result["flow_id"])
        ignored = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_IGNORE},
            data={"unique_id": unique_id, "title": "XGIMI"},
        )
        assert ignored["type"] is FlowResultType.CREATE_ENTRY
        result = await discover(hass, SOURCE_DHCP, dhcp_info())
        assert result["type"] is FlowResultType.ABORT, profile
        assert result["reason"] == "already_configured"
        await sim.stop()
    entries = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    assert [entry.source for entry in entries] == [SOURCE_IGNORE, SOURCE_IGNORE]
    # The identified one, added by hand: the ignored entry gives way.
    sim = await start_sim("gmui_android12")
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await confirm_user(hass, flow, "127.0.0.1", sim.port)
    await hass.async_block_till_done()
    sources = sorted(
        entry.source for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    )
    assert sources == [SOURCE_IGNORE, SOURCE_USER]


async def test_two_discoveries_of_one_address_make_one_flow(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.ACCEPT)
    use_adb_port(monkeypatch, sim)
    first = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert first["step_id"] == "discovery_confirm"
    again = await discover(hass, SOURCE_ZEROCONF, announced(sim))
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_in_progress"


# --- zeroconf ------------------------------------------------------------------------------------


async def test_zeroconf_new_projector_named_by_its_announcement(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("gmui_android8", prompt=PromptMode.ACCEPT)
    use_adb_port(monkeypatch, sim)
    info = announced(sim)
    result = await discover(hass, SOURCE_ZEROCONF, info)
    assert result["step_id"] == "discovery_confirm"
    assert sim.lan_spec is not None
    assert result["description_placeholders"]["name"] == sim.lan_spec.device_name
    assert sim.device.prompt_count == 0
    context = flow_context(hass, result["flow_id"])
    assert context["unique_id"] == f"zeroconf:{info.name.lower()}"
    result = await confirm(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PORT] == sim.port


async def test_zeroconf_known_projector_at_a_new_address_is_updated(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("gmui_android12")
    use_adb_port(monkeypatch, sim)
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    entry = (await confirm_user(hass, flow, "localhost", sim.port))["result"]
    await hass.async_block_till_done()
    result = await discover(hass, SOURCE_ZEROCONF, announced(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await unload(hass, entry)


# --- search the network --------------------------------------------------------------------------


async def _search(hass: HomeAssistant, name: str = "") -> dict[str, Any]:
    """Open the form and submit it without an address."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["step_id"] == "user"
    data: dict[str, Any] = {CONF_PORT: 5555} | ({CONF_NAME: name} if name else {})
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], data))


def _options(result: dict[str, Any]) -> list[dict[str, str]]:
    selector = result["data_schema"].schema[CONF_HOST]
    return list(selector.config["options"])


def _suggested_host(result: dict[str, Any]) -> str | None:
    key = next(k for k in result["data_schema"].schema if k == CONF_HOST)
    assert isinstance(key, vol.Optional), "the host may be left empty (to search)"
    description: dict[str, Any] = key.description or {}
    return cast("str | None", description.get("suggested_value"))


async def test_search_lists_the_answers_and_fills_the_address(
    hass: HomeAssistant, start_sim: StartSim, settings: DiscoverySettings
) -> None:
    sim = await start_gmui(start_sim, settings)
    result = await _search(hass, name="Living room")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "search"
    assert _options(result) == [{"value": "127.0.0.1", "label": "XGIMI Z6X Pro (127.0.0.1)"}]
    assert result["description_placeholders"] == {"count": "1"}
    result = dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOST: "127.0.0.1"})
    )
    assert result["step_id"] == "user"
    assert _suggested_host(result) == "127.0.0.1"
    result = await confirm_user(hass, result, "127.0.0.1", sim.port, name="Living room")
    assert result["title"] == "Living room"
    assert result["data"][CONF_HOST] == "127.0.0.1"


async def test_search_ignores_bad_answers(
    hass: HomeAssistant, settings: DiscoverySettings, responder: StartResponder
) -> None:
    await responder(lambda probe: [*BAD_ANSWERS, *xgimi_answer("客厅投影仪")(probe)])
    result = await _search(hass)
    assert _options(result) == [{"value": "127.0.0.1", "label": "客厅投影仪 (127.0.0.1)"}]


async def test_search_with_only_bad_answers_offers_manual_entry(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    responder: StartResponder,
) -> None:
    sim = await start_sim("gmui_android12")
    udp = await responder(lambda probe: BAD_ANSWERS)
    result = await _search(hass)
    assert udp.probes >= 1
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "nothing_found"}
    result = await confirm_user(hass, result, "127.0.0.1", sim.port)
    assert result["data"][CONF_HOST] == "127.0.0.1"


async def test_search_leaves_out_projectors_already_added(
    hass: HomeAssistant, start_sim: StartSim, settings: DiscoverySettings
) -> None:
    sim = await start_gmui(start_sim, settings)
    await add_projector(hass, sim)
    result = await _search(hass)
    assert result["errors"] == {"base": "nothing_found"}


async def test_search_known_projector_at_a_new_address_updates_it(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
) -> None:
    """Found at another address than its entry's: picking it updates the entry."""
    sim = await start_gmui(start_sim, settings)
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    entry = (await confirm_user(hass, flow, "localhost", sim.port))["result"]
    result = await _search(hass)
    assert _options(result) == [{"value": "127.0.0.1", "label": "XGIMI Z6X Pro (127.0.0.1)"}]
    result = dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOST: "127.0.0.1"})
    )
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port}
        )
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"


async def test_search_when_the_reply_port_is_taken(
    hass: HomeAssistant, settings: DiscoverySettings
) -> None:
    """Another program holds the reply port: nothing found (logged), manual entry offered."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", settings.reply_port))
        result = await _search(hass)
    assert result["errors"] == {"base": "nothing_found"}


async def test_udp_name_falls_back_to_the_device_type(
    hass: HomeAssistant,
    start_sim: StartSim,
    settings: DiscoverySettings,
    responder: StartResponder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("gmui_android12")
    use_adb_port(monkeypatch, sim)
    sim.device.mains_off()
    await responder(xgimi_answer(name="", device_type="z6xpro"))
    result = await discover(hass, SOURCE_DHCP, dhcp_info())
    assert result["description_placeholders"]["name"] == "z6xpro"
