"""The options flow of a "LAN keys only" entry: only what applies without ADB (the plug and its
power sensor with calibration, the re-arm of 上电自动开机, the wake action); not the general step
(poll interval, apps, power-on source, source aliases) nor the plug options that watch ADB."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, UnknownStep
import pytest

from custom_components.xgimi_projector.const import (
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_CUT_MAINS,
    CONF_CUT_MAINS_COOLDOWN_S,
    CONF_ON_W,
    CONF_PLUG,
    CONF_POWER_SENSOR,
    CONF_REARM_OFF_S,
    CONF_SCAN_INTERVAL,
    CONF_STANDBY_W,
)
from custom_components.xgimi_projector.options import CONF_WAKE_ENTITY, CONF_WAKE_WAIT_S
from custom_components.xgimi_projector.options_flow import ADB_SCOPE, LAN_SCOPE
from scripts.develop import WAKE_SCRIPT

from ..conftest import StartSim
from .conftest import CALIBRATED, PLUG, POWER, add_projector, open_options, setup_demo_plug
from .test_config_flow_lan import lan_sim
from .test_lan_entry import MP, add_lan_entry
from .test_wake import setup_wake


def fields(result: Any) -> set[str]:
    return {str(key) for key in result["data_schema"].schema}


async def menu(hass: HomeAssistant, entry: Any) -> list[str]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    hass.config_entries.options.async_abort(result["flow_id"])
    options = result["menu_options"]
    assert isinstance(options, list)
    return [str(option) for option in options]


async def test_lan_menu_and_power_fields(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch, mains_port=0)
    await setup_demo_plug(hass, sim)
    entry = await add_lan_entry(hass, sim)
    assert await menu(hass, entry) == ["power", "wake"]
    result = await open_options(hass, entry, "power")
    assert result["step_id"] == "power"
    assert fields(result) == {CONF_PLUG, CONF_POWER_SENSOR, CONF_AUTO_POWER_ON, CONF_REARM_OFF_S}
    # The plug without its sensor: stored without calibration, and nothing of ADB's.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PLUG: PLUG, CONF_AUTO_POWER_ON: True, CONF_REARM_OFF_S: 3}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == {CONF_PLUG: PLUG, CONF_AUTO_POWER_ON: True, CONF_REARM_OFF_S: 3}
    await hass.async_block_till_done()
    state = hass.states.get(MP)
    assert state is not None
    assert state.attributes["supported_features"] & 128  # TURN_ON: the plug can turn it on


async def test_lan_power_step_drops_adb_only_settings_and_calibrates(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings only an ADB entry uses (left from before) are not kept; a new power sensor goes
    on to the calibration, which the menu then offers."""
    sim = await lan_sim(start_sim, monkeypatch, mains_port=0, mains_on=True)
    await setup_demo_plug(hass, sim)
    stale = {CONF_SCAN_INTERVAL: 30, CONF_BOOT_TIMEOUT_S: 60, CONF_CUT_MAINS: True}
    entry = await add_lan_entry(hass, sim, {**stale, CONF_CUT_MAINS_COOLDOWN_S: 60})
    result = await open_options(hass, entry, "power")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_PLUG: PLUG, CONF_POWER_SENSOR: POWER, CONF_AUTO_POWER_ON: True, CONF_REARM_OFF_S: 5},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "calibrate"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["step_id"] == "calibrate_screen_off"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"skip": True})
    assert result["step_id"] == "calibrate_standby"
    sim.device.mains_off()  # anything clearly below the "on" reading
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    options = dict(entry.options)
    assert options[CONF_SCAN_INTERVAL] == 30  # not the power step's: untouched
    for key in (CONF_BOOT_TIMEOUT_S, CONF_CUT_MAINS, CONF_CUT_MAINS_COOLDOWN_S):
        assert key not in options
    assert options[CONF_ON_W] > options[CONF_STANDBY_W]
    await hass.async_block_till_done()
    assert await menu(hass, entry) == ["power", "wake", "calibrate"]


async def test_lan_entry_cannot_reach_the_general_step(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    entry = await add_lan_entry(hass, sim)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises((InvalidData, UnknownStep)):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "general"}
        )


async def test_lan_wake_step_makes_it_able_to_turn_on(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch, mains_port=0)
    await setup_wake(hass, sim)
    entry = await add_lan_entry(hass, sim)
    assert not hass.states.get(MP).attributes["supported_features"] & 128  # type: ignore[union-attr]
    result = await open_options(hass, entry, "wake")
    assert fields(result) == {CONF_WAKE_ENTITY, "wake_command", CONF_WAKE_WAIT_S}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_WAKE_ENTITY: WAKE_SCRIPT, CONF_WAKE_WAIT_S: 20}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == {CONF_WAKE_ENTITY: WAKE_SCRIPT, CONF_WAKE_WAIT_S: 20}
    await hass.async_block_till_done()
    assert hass.states.get(MP).attributes["supported_features"] & 128  # type: ignore[union-attr]


async def test_adb_entry_keeps_every_step_and_field(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12", mains_port=0)
    await setup_demo_plug(hass, sim)
    entry = await add_projector(
        hass, sim, options={CONF_PLUG: PLUG, CONF_POWER_SENSOR: POWER, **CALIBRATED}
    )
    assert await menu(hass, entry) == [*ADB_SCOPE.steps, "calibrate"]
    result = await open_options(hass, entry, "power")
    assert fields(result) == set(ADB_SCOPE.power_fields)
    assert LAN_SCOPE.power_fields < ADB_SCOPE.power_fields
    assert set(LAN_SCOPE.steps) < set(ADB_SCOPE.steps)
