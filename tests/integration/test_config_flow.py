"""Every config-flow path, against the simulated projector."""

from __future__ import annotations

import errno
import socket
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
import voluptuous as vol

from custom_components.xgimi_projector.config_flow import valid_host
from custom_components.xgimi_projector.const import (
    CONF_APPS,
    CONF_DEVICE_INFO,
    CONF_POWER_ON_SOURCE,
    CONF_SCAN_INTERVAL,
    CONF_SOURCE_ALIASES,
    DOMAIN,
)
from simulator import Fault, PromptMode, Simulator

from ..conftest import StartSim
from .conftest import add_projector, open_options


async def _user_step(hass: HomeAssistant, sim: Simulator, **extra: Any) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    data = {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_NAME: "Living room"} | extra
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], data))


async def _start(hass: HomeAssistant, entry: ConfigEntry, source: str) -> dict[str, Any]:
    """Start a reauth or reconfigure flow the way Home Assistant does."""
    data = dict(entry.data) if source == SOURCE_REAUTH else None
    return dict(
        await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": source, "entry_id": entry.entry_id}, data=data
        )
    )


async def _finish_progress(hass: HomeAssistant, result: dict[str, Any]) -> dict[str, Any]:
    assert result["type"] is FlowResultType.SHOW_PROGRESS, result
    assert result["step_id"] == "authorize"
    assert result["progress_action"] == "wait_for_authorization"
    await hass.async_block_till_done()
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"]))


@pytest.mark.parametrize(
    ("host", "valid"),
    [
        ("192.168.1.20", True),
        ("projector.lan", True),
        ("xgimi-z6x", True),
        ("fe80::1", True),
        ("http://192.168.1.20", False),
        ("192.168.1.20:5555", False),
        ("a b", False),
        ("", False),
        ("$(reboot)", False),
        ("::::", False),
        ("::", False),
        ("0.0.0.0", False),
        ("999.1.1.1", False),
        ("1.2.3", False),
        ("2408:8207:1850:2b0::1a", True),
    ],
)
def test_valid_host(host: str, valid: bool) -> None:
    assert valid_host(host) is valid


async def test_no_prompt_projector_is_added_with_a_security_warning(
    hass: HomeAssistant, start_sim: StartSim, issue_registry: ir.IssueRegistry
) -> None:
    sim = await start_sim("gmui_android12")
    result = await _user_step(hass, sim)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Living room"
    entry = result["result"]
    assert entry.unique_id == sim.device.profile.props["ro.serialno"]
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_DEVICE_INFO]["family"] == "gmui_android12"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    issue = issue_registry.async_get_issue(DOMAIN, f"insecure_adb_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Living room"}
    await hass.config_entries.async_remove(entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, f"insecure_adb_{entry.entry_id}") is None


async def test_prompt_accepted_shows_progress_then_creates_entry(
    hass: HomeAssistant, start_sim: StartSim, issue_registry: ir.IssueRegistry
) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.ACCEPT, prompt_delay_s=0.3)
    result = await _user_step(hass, sim)
    assert result["description_placeholders"]["host"] == "127.0.0.1"
    result = await _finish_progress(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DEVICE_INFO]["family"] == "gmui_android9"
    assert sim.daemon.trusted_keys, "the projector now trusts our key"
    await hass.async_block_till_done()
    assert not issue_registry.issues, "a projector that asks for authorization is not insecure"


async def test_prompt_rejected_then_retry_accepted(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android8", prompt=PromptMode.REJECT)
    result = await _finish_progress(hass, await _user_step(hass, sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "auth_failed"
    assert result["errors"] == {"base": "auth_rejected"}
    sim.set_prompt(PromptMode.ACCEPT)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await _finish_progress(hass, dict(result))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_prompt_never_answered_times_out(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("androidtv10", prompt=PromptMode.NEVER)
    result = await _finish_progress(hass, await _user_step(hass, sim))
    assert result["step_id"] == "auth_failed"
    assert result["errors"] == {"base": "auth_timeout"}
    # The retry fails at once this time: the form stays, with the new reason.
    await sim.stop()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "auth_failed"
    assert result["errors"] == {"base": "port_closed"}, "the port refuses: said so"
    assert result["description_placeholders"]["port"] == str(sim.port)


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.STLS, "wireless_debugging_port"), (Fault.CLOSE_AFTER_CNXN, "another_client")],
)
async def test_connect_errors(
    hass: HomeAssistant, start_sim: StartSim, fault: Fault, error: str
) -> None:
    sim = await start_sim("gmui_android12", faults=[fault])
    result = await _user_step(hass, sim)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    # Recover: the fault is gone and the same form succeeds.
    sim.faults.clear()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_NAME: "P"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_cannot_connect_and_invalid_host(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    sim.device.mains_off()
    result = await _user_step(hass, sim)
    assert result["errors"] == {"base": "port_closed"}, "loopback refuses: nothing listens"
    assert result["description_placeholders"] == {"host": "127.0.0.1", "port": str(sim.port)}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "http://x", CONF_PORT: sim.port, CONF_NAME: "P"}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}


async def test_default_name_is_the_model_and_unique(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """No name typed: the entry is named after the model people know (not "Projector"), and a
    second projector of the same model gets its own name."""
    await hass.config.async_update(language="zh-Hans")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    name_key = next(k for k in result["data_schema"].schema if k == CONF_NAME)
    assert not isinstance(name_key, vol.Required), "the name is optional"
    titles = []
    for _ in range(2):
        sim = await start_sim("gmui_android12")
        sim.device.set_prop("ro.serialno", f"SERIAL{len(titles)}")
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        titles.append(result["title"])
    assert titles == ["XGIMI Z6X Pro 三色激光 旗舰版", "XGIMI Z6X Pro 三色激光 旗舰版 2"]


async def test_same_projector_twice_aborts_and_updates_host(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    # Same host and port: aborted before connecting.
    result = await _user_step(hass, sim)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    # Same serial at another address ("localhost"): aborted, and the address is updated.
    result = await _user_step(hass, sim, **{CONF_HOST: "localhost"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "localhost"


async def test_projector_without_serial_is_refused(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    sim.device.set_prop("ro.serialno", "")
    sim.device.set_prop("ro.boot.serialno", "")
    result = await _user_step(hass, sim)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_serial"


# --- reauth --------------------------------------------------------------------------------


async def test_reauth(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.ACCEPT, prompt_delay_s=0.2)
    entry = await add_projector(hass, sim)
    result = await _start(hass, entry, SOURCE_REAUTH)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["host"] == "127.0.0.1"
    sim.daemon.forget_keys()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await _finish_progress(hass, dict(result))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_reauth_errors_and_wrong_device(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    result = await _start(hass, entry, SOURCE_REAUTH)
    sim.faults.set(Fault.STLS)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "wireless_debugging_port"}
    sim.faults.clear()
    sim.device.set_prop("ro.serialno", "ANOTHER0001")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


# --- reconfigure ---------------------------------------------------------------------------


async def test_reconfigure(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    result = await _start(hass, entry, SOURCE_RECONFIGURE)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "bad host", CONF_PORT: sim.port}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    other = await start_sim("gmui_android12", port=0)
    other.device.set_prop("ro.serialno", "SOMEONEELSE")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: other.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"

    result = await _start(hass, entry, SOURCE_RECONFIGURE)
    other.device.mains_off()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: other.port}
    )
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "port_closed"}
    assert result["description_placeholders"]["port"] == str(other.port)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "localhost", CONF_PORT: sim.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == "localhost"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


# --- options ---------------------------------------------------------------------------------


async def test_options(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("androidtv10")
    entry = await add_projector(hass, sim)
    result = await open_options(hass, entry, "general")
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    apps_selector = next(v for k, v in schema.items() if k == CONF_APPS)
    offered = {o["value"] for o in apps_selector.config["options"]}
    installed_known = {"com.google.android.youtube.tv", "com.netflix.ninja"} & set(
        sim.device.profile.packages
    )
    assert installed_known <= offered
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_SCAN_INTERVAL: 2, CONF_APPS: ["not a package"], CONF_POWER_ON_SOURCE: "none"},
    )
    assert result["errors"] == {
        CONF_APPS: "invalid_app",
        CONF_SCAN_INTERVAL: "scan_interval_range",
    }
    assert result["description_placeholders"]["scan_interval_min"] == "5"
    apps_selector = next(v for k, v in result["data_schema"].schema.items() if k == CONF_APPS)
    labels = {o["value"]: o["label"] for o in apps_selector.config["options"]}
    assert labels["not a package"] == "not a package", "the label is not repeated"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 20,
            CONF_APPS: ["com.google.android.youtube.tv", "org.example.app=My app"],
            CONF_POWER_ON_SOURCE: "HDMI2",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_SCAN_INTERVAL: 20,
        CONF_APPS: ["com.google.android.youtube.tv", "org.example.app=My app"],
        CONF_POWER_ON_SOURCE: "HDMI2",
        CONF_SOURCE_ALIASES: [],
    }
    await hass.async_block_till_done()
    # The form now offers the configured apps as power-on sources, keeping the choice.
    result = await open_options(hass, entry, "general")
    schema = result["data_schema"].schema
    source_key = next(k for k in schema if k == CONF_POWER_ON_SOURCE)
    assert source_key.default() == "HDMI2"
    sources = next(v for k, v in schema.items() if k == CONF_POWER_ON_SOURCE).config["options"]
    assert sources == ["none", "HDMI1", "HDMI2", "com.google.android.youtube.tv", "org.example.app"]


async def test_options_power_on_source_falls_back(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android9")
    entry = await add_projector(hass, sim)
    hass.config_entries.async_update_entry(entry, options={CONF_POWER_ON_SOURCE: "HDMI1"})
    await hass.async_block_till_done()
    result = await open_options(hass, entry, "general")
    schema = result["data_schema"].schema
    source_key = next(k for k in schema if k == CONF_POWER_ON_SOURCE)
    assert source_key.default() == "none", "GMUI 9 cannot select HDMI1 directly"


async def test_options_source_aliases(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    result = await open_options(hass, entry, "general")
    general = {
        CONF_SCAN_INTERVAL: 10,
        CONF_APPS: ["org.example.app=盒子应用"],
        CONF_POWER_ON_SOURCE: "none",
    }
    for bad in (["HDMI1"], ["HDMI3=三号"], ["HDMI1="], ["com.other.app=x"]):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**general, CONF_SOURCE_ALIASES: bad}
        )
        assert result["errors"] == {CONF_SOURCE_ALIASES: "invalid_alias"}, bad
    # A command word as a spoken name would turn "投影仪关机" into a source switch.
    for bad in (["HDMI1=关机"], ["HDMI2=盒子,音量大一点"]):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**general, CONF_SOURCE_ALIASES: bad}
        )
        assert result["errors"] == {CONF_SOURCE_ALIASES: "alias_is_a_command"}, bad
    # An app named like an input would hide it.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**general, CONF_APPS: ["com.x.app=HDMI1"], CONF_SOURCE_ALIASES: []}
    )
    assert result["errors"] == {CONF_APPS: "app_name_is_an_input"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**general, CONF_SOURCE_ALIASES: ["HDMI1=电视盒子，盒子", "盒子应用=游戏"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_SOURCE_ALIASES] == ["HDMI1=电视盒子，盒子", "盒子应用=游戏"]


async def test_options_hdmi_alias_needs_direct_hdmi(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android9")  # switches HDMI only through the source menu
    entry = await add_projector(hass, sim)
    result = await open_options(hass, entry, "general")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 10,
            CONF_APPS: [],
            CONF_POWER_ON_SOURCE: "none",
            CONF_SOURCE_ALIASES: ["HDMI1=电视盒子"],
        },
    )
    assert result["errors"] == {CONF_SOURCE_ALIASES: "invalid_alias"}


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (TimeoutError(), "connect_timeout"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "no_route"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "no_route"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "unknown_host"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "port_closed"),
        (OSError(errno.EACCES, "Permission denied"), "cannot_connect"),
    ],
)
async def test_connect_failures_are_told_apart(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, failure: BaseException, error: str
) -> None:
    """Refused, timed out, no route, unknown name: each says what to check (as a LAN gives
    them; loopback can only refuse, so the socket call is replaced here)."""

    async def open_connection(host: str, port: int) -> Any:
        raise failure  # a TimeoutError is what the connect timeout raises

    monkeypatch.setattr(
        "custom_components.xgimi_projector.projector.transport.asyncio.open_connection",
        open_connection,
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "192.0.2.7", CONF_PORT: 5556, CONF_NAME: "P"}
    )
    assert result["errors"] == {"base": error}
    assert result["description_placeholders"] == {"host": "192.0.2.7", "port": "5556"}
