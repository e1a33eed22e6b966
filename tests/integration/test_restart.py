"""Home Assistant restarting during a plug power-on (issue #12, failure 4).

Home Assistant does not unload entries when it stops, and cancels background tasks (the
power-on) before ``EVENT_HOMEASSISTANT_STOP``. A shutdown job restores mains if the cycle had
cut it, and the request is kept in ``.storage``: the next start finishes it, or says why not.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from typing import Any

from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.xgimi_projector.const import (
    CONF_POWER_ON_SOURCE,
    CONF_REARM_OFF_S,
    DOMAIN,
)
from custom_components.xgimi_projector.options import POWER_TIMINGS

from ..conftest import StartSim
from .conftest import PLUG, power_options, setup_demo_plug, state_reaches, wait_for_state
from .test_power import MP, PHASE, StateLog, call, plugged, to_standby


@pytest.fixture(autouse=True)
def _fast(fast_power: None) -> None:
    """Every test here uses short internal power timings."""


def key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}.power"


def ago(seconds: float) -> str:
    return (dt_util.utcnow() - timedelta(seconds=seconds)).isoformat()


def seed(hass_storage: dict[str, Any], entry: MockConfigEntry, **record: str) -> None:
    """What an earlier run left in ``.storage``."""
    hass_storage[key(entry)] = {"version": 1, "key": key(entry), "data": record}


async def test_a_stop_during_the_rearm_restores_mains_and_the_restart_finishes_it(
    hass: HomeAssistant, start_sim: StartSim, hass_storage: dict[str, Any]
) -> None:
    sim, entry = await plugged(
        hass,
        start_sim,
        options=power_options(**{CONF_REARM_OFF_S: 3, CONF_POWER_ON_SOURCE: "HDMI1"}),
    )
    await to_standby(hass, sim)
    turning_on = asyncio.ensure_future(call(hass, "turn_on"))
    await state_reaches(hass, PHASE, "waiting")
    assert not sim.device.mains
    for _ in range(250):  # written in the background (no block_till_done: the call runs on)
        if key(entry) in hass_storage:
            break
        await asyncio.sleep(0.02)
    assert "requested_at" in hass_storage[key(entry)]["data"], "kept once the plug is touched"

    await hass.async_stop()
    with pytest.raises(HomeAssistantError):
        await turning_on
    assert sim.device.mains, "mains restored on the way down: the projector boots"
    record = hass_storage[key(entry)]["data"]
    assert set(record) == {"requested_at", "boot_started_at"}

    async with async_test_home_assistant(config_dir=hass.config.config_dir) as restarted:
        restarted.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        restarted.data[POWER_TIMINGS] = hass.data[POWER_TIMINGS]
        assert await async_setup_component(restarted, "homeassistant", {})
        await setup_demo_plug(restarted, sim)
        plug_log = StateLog(restarted, PLUG)
        again = MockConfigEntry(
            domain=DOMAIN,
            entry_id=entry.entry_id,
            unique_id=entry.unique_id,
            title=entry.title,
            data=dict(entry.data),
            options=dict(entry.options),
        )
        again.add_to_hass(restarted)
        assert await restarted.config_entries.async_setup(entry.entry_id)
        await wait_for_state(restarted, MP, "on")
        assert sim.device.source == "HDMI1", "finished: the power-on source is applied"
        assert plug_log.states == [], "the boot under way is waited for, not cut again"
        await restarted.async_block_till_done()
        assert key(entry) not in hass_storage, "done: forgotten"
        assert await restarted.config_entries.async_unload(entry.entry_id)
        await restarted.async_stop(force=True)


async def test_a_power_on_cut_short_with_mains_off_is_finished_after_the_restart(
    hass: HomeAssistant, start_sim: StartSim, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant was killed (no clean stop) while the cycle had mains off."""
    sim, entry = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    sim.device.mains_off()
    seed(hass_storage, entry, requested_at=ago(30))
    await hass.config_entries.async_reload(entry.entry_id)
    await wait_for_state(hass, MP, "idle")
    assert sim.device.mains
    await hass.async_block_till_done()
    assert key(entry) not in hass_storage


async def test_a_stale_power_on_is_reported_not_finished(
    hass: HomeAssistant,
    start_sim: StartSim,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim, entry = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    sim.device.mains_off()
    seed(hass_storage, entry, requested_at=ago(30 * 60), boot_started_at=ago(30 * 60))
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert not sim.device.mains, "half an hour later, nobody expects it to start"
    issue_id = f"power_on_interrupted_{entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "power_on_interrupted"
    assert issue.translation_placeholders == {"name": entry.title, "minutes": "30"}
    assert "interrupted by a restart" in caplog.text
    assert key(entry) not in hass_storage
    await call(hass, "turn_on")
    await wait_for_state(hass, MP, "idle")
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None, "on: resolved"


async def test_a_resumed_power_on_that_fails_is_reported(
    hass: HomeAssistant,
    start_sim: StartSim,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    sim, entry = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    sim.device.set_auto_power_on(False)
    seed(hass_storage, entry, requested_at=ago(20), boot_started_at="not a time")
    await hass.config_entries.async_reload(entry.entry_id)
    assert "finishing the power-on a restart interrupted" in caplog.text
    await wait_for_state(hass, PHASE, "failed")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"power_on_failed_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "power_on_failed_auto_power_on_off"
    await hass.async_block_till_done()
    assert "the power-on a restart interrupted failed" in caplog.text
    assert key(entry) not in hass_storage


async def test_an_unreadable_record_is_reported(
    hass: HomeAssistant, start_sim: StartSim, hass_storage: dict[str, Any]
) -> None:
    _, entry = await plugged(hass, start_sim)
    seed(hass_storage, entry, requested_at="yesterday-ish")
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"power_on_interrupted_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["minutes"] == "?"


async def test_a_reload_during_the_rearm_finishes_the_power_on(
    hass: HomeAssistant, start_sim: StartSim, hass_storage: dict[str, Any]
) -> None:
    """Options saved during a power-on reload the entry: the new one finishes it."""
    sim, entry = await plugged(hass, start_sim, options=power_options(**{CONF_REARM_OFF_S: 3}))
    await to_standby(hass, sim)
    turning_on = asyncio.ensure_future(call(hass, "turn_on"))
    await state_reaches(hass, PHASE, "waiting")
    await hass.config_entries.async_reload(entry.entry_id)
    with pytest.raises(HomeAssistantError):
        await turning_on
    await wait_for_state(hass, MP, "idle")
    await hass.async_block_till_done()
    assert key(entry) not in hass_storage


async def test_a_reload_during_a_resumed_power_on_finishes_it_again(
    hass: HomeAssistant,
    start_sim: StartSim,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim, entry = await plugged(hass, start_sim, boot_s=3.0)
    await to_standby(hass, sim)
    sim.device.mains_off()
    seed(hass_storage, entry, requested_at=ago(30))
    await hass.config_entries.async_reload(entry.entry_id)
    for _ in range(250):  # mains is back on: the boot has begun
        if "boot_started_at" in hass_storage[key(entry)]["data"]:
            break
        await asyncio.sleep(0.02)
    assert sim.device.state.value == "booting"
    await hass.config_entries.async_reload(entry.entry_id)
    assert "boot_started_at" in hass_storage[key(entry)]["data"], "still pending"
    await wait_for_state(hass, MP, "idle")
    await hass.async_block_till_done()
    assert key(entry) not in hass_storage
    assert "interrupted failed" not in caplog.text, "a close is not a failure"


async def test_removing_the_entry_forgets_its_request(
    hass: HomeAssistant, start_sim: StartSim, hass_storage: dict[str, Any]
) -> None:
    _, entry = await plugged(hass, start_sim)
    seed(hass_storage, entry, requested_at=ago(5))
    await hass.config_entries.async_remove(entry.entry_id)
    assert key(entry) not in hass_storage
