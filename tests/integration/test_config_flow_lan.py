"""The config flow's "LAN keys only (no ADB)" path (custom_components/.../flow_lan.py), against
simulated projectors over loopback: GMUI with network ADB switched off, and Android TV."""

from __future__ import annotations

from pathlib import Path
import socket
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.xgimi_projector import flow_discovery, flow_lan
from custom_components.xgimi_projector.const import CONF_DEVICE_INFO, DOMAIN
from custom_components.xgimi_projector.flow_discovery import DiscoverySettings
from custom_components.xgimi_projector.flow_lan import CONF_LAN_ONLY, LanFlowSettings
from custom_components.xgimi_projector.lan_setup import (
    CONF_LAN_PORT,
    CONF_TRANSPORT,
    TRANSPORT_LAN,
)
from custom_components.xgimi_projector.projector import Family
from simulator import Simulator

from ..conftest import StartSim


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def trusted_keys(adb_key: Path, tmp_path: Path) -> Path:
    """An ``adb_keys`` file that already trusts Home Assistant's key (no prompt)."""
    path = tmp_path / "adb_keys"
    path.write_bytes(Path(f"{adb_key}.pub").read_bytes().strip() + b"\n")
    return path


async def lan_sim(start_sim: StartSim, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Simulator:
    """A GMUI projector whose network ADB is off; the flow sends to its UDP ports."""
    reply_port = free_udp_port()
    kwargs.setdefault("adb_enabled", False)
    sim = await start_sim(
        kwargs.pop("profile", "gmui_android12"),
        lan_port=0,
        discovery_port=0,
        discovery_reply_port=reply_port,
        **kwargs,
    )
    assert sim.lan_port is not None
    assert sim.discovery_port is not None
    point_flow_at(monkeypatch, sim.lan_port, sim.discovery_port, reply_port)
    return sim


def point_flow_at(
    monkeypatch: pytest.MonkeyPatch, key_port: int, probe_port: int, reply_port: int
) -> None:
    monkeypatch.setattr(flow_lan, "LAN_SETTINGS", LanFlowSettings(key_port=key_port))
    monkeypatch.setattr(
        flow_discovery,
        "SETTINGS",
        DiscoverySettings(
            confirm_s=0.3, probe_port=probe_port, reply_port=reply_port, bind_host="127.0.0.1"
        ),
    )


def schema_of(result: ConfigFlowResult) -> dict[Any, Any]:
    schema = result["data_schema"]
    assert schema is not None
    return dict(schema.schema)


async def user_form(hass: HomeAssistant, port: int, **data: Any) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: port, **data}
    )


async def test_adb_fails_then_lan_keys_only_adds_the_projector(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connect error keeps the form, which offers LAN keys only; the entry is named by the
    projector's answer to XGIMI's probe and marked as a LAN entry."""
    sim = await lan_sim(start_sim, monkeypatch)
    result = await user_form(hass, sim.port)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "port_closed"}
    assert CONF_LAN_ONLY in schema_of(result)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_LAN_ONLY: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "lan"
    host_key = next(key for key in schema_of(result) if key == CONF_HOST)
    assert host_key.default() == "127.0.0.1"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["title"] == sim.lan.spec.device_name  # type: ignore[union-attr]
    entry = result["result"]
    assert entry.data[CONF_TRANSPORT] == TRANSPORT_LAN
    assert entry.data[CONF_LAN_PORT] == sim.lan_port
    assert entry.data[CONF_DEVICE_INFO]["serial"] is None
    assert entry.unique_id is not None
    assert entry.unique_id.startswith("lan-")
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert sim.lan is not None
    assert sim.lan.keys_applied == []  # adding it pressed nothing
    assert sim.lan.datagrams == [b""]  # the one empty datagram of the port check


async def test_the_typed_name_wins(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True, CONF_NAME: "客厅"})
    name_key = next(key for key in schema_of(result) if key == CONF_NAME)
    assert name_key.description == {"suggested_value": "客厅"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_NAME: " 客厅 "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "客厅"


async def test_a_silent_projector_is_named_by_its_address(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No answer to the probe and no "port unreachable": silence cannot refuse (a GMUI
    projector listens without answering), so the entry is created, named by its address."""
    sim = await lan_sim(start_sim, monkeypatch)
    point_flow_at(monkeypatch, sim.lan_port or 0, free_udp_port(), free_udp_port())
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "XGIMI (127.0.0.1)"


async def test_bad_and_known_addresses(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "http://x"}
    )
    assert result["step_id"] == "lan"
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "no-such-projector.invalid"}
    )
    assert result["errors"] == {"base": "unknown_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_empty_host_with_lan_only_asks_for_it(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PORT: 5555, CONF_LAN_ONLY: True}
    )
    assert result["step_id"] == "lan"
    assert result["description_placeholders"] == {"host": "—"}


@pytest.mark.parametrize("profile", ["androidtv10", "googletv14"])
async def test_android_tv_answering_adb_is_refused(
    hass: HomeAssistant,
    start_sim: StartSim,
    monkeypatch: pytest.MonkeyPatch,
    trusted_keys: Path,
    profile: str,
) -> None:
    """ADB answers without a prompt and says Android TV / Google TV: certainly no LAN keys."""
    sim = await start_sim(profile, keys_file=trusted_keys)
    key_port = free_udp_port()  # nothing listens there either
    point_flow_at(monkeypatch, key_port, free_udp_port(), free_udp_port())
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "lan_not_gmui"}


async def test_android_tv_without_adb_answers_port_unreachable(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADB off: the flow cannot read the family; the host's "port unreachable" to the empty
    datagram says nothing listens for LAN keys (what Android TV firmware does)."""
    sim = await start_sim("androidtv10", adb_enabled=False, lan_port=0)
    assert sim.lan_port is None  # Android TV ignores the protocol
    point_flow_at(monkeypatch, free_udp_port(), free_udp_port(), free_udp_port())
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["errors"] == {"base": "lan_port_closed"}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_gmui_answering_adb_keeps_its_serial(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chosen on a GMUI projector whose ADB answers: its probe and serial are kept (a second
    LAN entry for the same projector is refused)."""
    sim = await lan_sim(start_sim, monkeypatch, adb_enabled=True)
    serial = sim.device.profile.props["ro.serialno"]
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == serial
    assert entry.data[CONF_DEVICE_INFO]["family"] == Family.GMUI_ANDROID12.value
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "localhost"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_a_lan_entry(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new address is checked like a new entry's (a "port unreachable" refuses it)."""
    sim = await lan_sim(start_sim, monkeypatch)
    result = await user_form(hass, sim.port, **{CONF_LAN_ONLY: True})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    entry = result["result"]
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["step_id"] == "lan_reconfigure"
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "http://x"}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert sim.lan is not None
    await sim.lan.stop()  # nothing listens at the new address
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["errors"] == {"base": "lan_port_closed"}
    await sim.lan.start()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
