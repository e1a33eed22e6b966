"""Setup, unload, reload, retry, reauth and availability, against the simulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.xgimi_projector.const import CONF_DEVICE_INFO, DOMAIN
from simulator import Fault, PromptMode

from ..conftest import StartSim
from ..projector.conftest import until
from .conftest import add_projector, wait_for_state

ENTITY = "media_player.projector"


class Clock:
    """Moves Home Assistant's timers forward (the simulator keeps real time)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    async def tick(self, hass: HomeAssistant, seconds: float = 11) -> None:
        self.offset += timedelta(seconds=seconds)
        async_fire_time_changed(hass, dt_util.utcnow() + self.offset)
        await hass.async_block_till_done()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _tick_until(hass: HomeAssistant, clock: Clock, expected: str) -> None:
    """Keep polling (HA time) until the state is reached; the library's back-off is real time."""
    for _ in range(40):
        await clock.tick(hass, 31)
        await asyncio.sleep(0.25)
        if hass.states.get(ENTITY).state == expected:
            return
    raise AssertionError(f"{ENTITY} never became {expected!r}")


async def test_setup_unload_reload(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(ENTITY) is not None
    await until(lambda: sim.daemon.connection_count == 2)  # command session + event stream
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(ENTITY).state == STATE_UNAVAILABLE
    for _ in range(100):  # the daemon sees the close on its next read
        if sim.daemon.connection_count == 0:
            break
        await asyncio.sleep(0.01)
    assert sim.daemon.connection_count == 0, "unload closes the ADB session"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(ENTITY).state == "idle"


def _entry(sim_port: int, serial: str, options: dict[str, Any] | None = None) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Projector",
        unique_id=serial,
        data={CONF_HOST: "127.0.0.1", CONF_PORT: sim_port, CONF_DEVICE_INFO: {"serial": serial}},
        options=options or {},
    )


async def test_unreachable_at_startup_retries(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    sim.device.mains_off()
    entry = _entry(sim.port, sim.device.profile.props["ro.serialno"])
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "127.0.0.1" in (entry.reason or "")


async def test_wireless_debugging_port_at_startup_retries_even_with_a_plug(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Only "unreachable" is standby; a wrong kind of port is an error even with a plug."""
    sim = await start_sim("gmui_android12", faults=[Fault.STLS])
    entry = _entry(
        sim.port,
        sim.device.profile.props["ro.serialno"],
        options={"plug": "switch.projector_plug", "auto_power_on_confirmed": True},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "wireless-debugging" in (entry.reason or "")


async def test_key_no_longer_trusted_starts_reauth(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.NEVER)
    entry = _entry(sim.port, sim.device.profile.props["ro.serialno"])
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_unavailable_logged_once_and_recovers(
    hass: HomeAssistant,
    start_sim: StartSim,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    assert hass.states.get(ENTITY).state == "idle"
    caplog.set_level(logging.INFO)
    caplog.clear()
    sim.device.mains_off()
    await clock.tick(hass)
    await wait_for_state(hass, ENTITY, STATE_UNAVAILABLE)
    for _ in range(2):
        await clock.tick(hass)
        await asyncio.sleep(0.2)
    failures = [r for r in caplog.records if "not reachable" in r.getMessage()]
    assert len(failures) == 1, [r.getMessage() for r in caplog.records]
    sim.device.mains_on()
    await sim.device.fast_forward()
    await _tick_until(hass, clock, "idle")
    recovered = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert len(recovered) == 1


@pytest.mark.parametrize("fault", [Fault.CLOSE_MID_COMMAND, Fault.CLOSE_AFTER_CNXN, Fault.STLS])
async def test_fault_modes_make_it_unavailable_then_recover(
    hass: HomeAssistant, start_sim: StartSim, clock: Clock, fault: Fault
) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    sim.faults.set(fault)
    sim.daemon.kick_all()
    await clock.tick(hass)
    await wait_for_state(hass, ENTITY, STATE_UNAVAILABLE)
    sim.faults.clear()
    await _tick_until(hass, clock, "idle")


async def test_reboot_is_survived(hass: HomeAssistant, start_sim: StartSim, clock: Clock) -> None:
    sim = await start_sim("androidtv10")
    await add_projector(hass, sim)
    sim.device.reboot()
    await sim.device.fast_forward()
    await clock.tick(hass)
    await wait_for_state(hass, ENTITY, "idle")  # a stale session is retried at once


async def test_log_lines_name_the_projector_and_its_address(
    hass: HomeAssistant, start_sim: StartSim, caplog: pytest.LogCaptureFixture
) -> None:
    """Not just a host: the name and host:port, so two projectors' lines are told apart."""
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim, name="客厅投影仪")
    label = f"客厅投影仪 (127.0.0.1:{sim.port})"
    assert entry.runtime_data.projector.label == label
    assert entry.runtime_data.name == label
    caplog.set_level(logging.DEBUG, logger="custom_components.xgimi_projector")
    await hass.config_entries.async_reload(entry.entry_id)
    assert f"Connected to {label}" in caplog.text


async def test_a_corrupt_adb_key_is_a_repair_not_a_crash(
    hass: HomeAssistant, start_sim: StartSim, adb_key: Path
) -> None:
    """The key is never replaced (the projectors trust it): setup stops with an error that
    says what to do, and a repair issue shows it."""
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    await hass.config_entries.async_unload(entry.entry_id)
    adb_key.write_bytes(b"not a key")
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"adb_key_invalid_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["path"] == str(adb_key)
    assert adb_key.read_bytes() == b"not a key"
