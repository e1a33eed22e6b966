"""Power through Home Assistant: a real REST switch and sensor on the simulator's mains API.

The plug is configured exactly as ``scripts/develop``'s demo configures it (its YAML is reused),
so these tests also cover the demo's plug path.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.xgimi_projector.const import (
    CONF_APPS,
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_CUT_MAINS,
    CONF_CUT_MAINS_COOLDOWN_S,
    CONF_ON_W,
    CONF_PLUG,
    CONF_POWER_ON_SOURCE,
    CONF_POWER_SENSOR,
    CONF_REARM_OFF_S,
    CONF_SCAN_INTERVAL,
    CONF_SCREEN_OFF_W,
    CONF_STANDBY_W,
    DOMAIN,
)
from custom_components.xgimi_projector.options import POWER_TIMINGS
from simulator import Fault, Simulator

from ..conftest import StartSim
from .conftest import (
    PLUG,
    POWER,
    add_projector,
    open_options,
    power_options,
    setup_demo_plug,
    state_reaches,
    wait_for_state,
)

MP = "media_player.projector"
PHASE = "sensor.projector_power"
SWITCH = "switch.projector_power_switch"
REMOTE = "remote.projector_remote"


@pytest.fixture(autouse=True)
def _fast(fast_power: None) -> None:
    """Every test here uses short internal power timings."""


async def plugged(
    hass: HomeAssistant,
    start_sim: StartSim,
    *,
    options: dict[str, Any] | None = None,
    **sim_kwargs: Any,
) -> tuple[Simulator, MockConfigEntry]:
    sim = await start_sim("gmui_android12", mains_port=0, **sim_kwargs)
    await setup_demo_plug(hass, sim)
    entry = await add_projector(hass, sim, options=power_options() if options is None else options)
    return sim, entry


class StateLog:
    """Every state an entity goes through."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        self.states: list[str] = []

        @callback
        def _changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is not None and (not self.states or self.states[-1] != new.state):
                self.states.append(new.state)

        self.unsub = async_track_state_change_event(hass, entity_id, _changed)


class BufferingTitles(list[str]):
    """The media player's titles while it shows a power-on (state ``buffering``)."""

    def __init__(self, hass: HomeAssistant) -> None:
        super().__init__()

        @callback
        def _title(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is not None and new.state == "buffering":
                self.append(new.attributes.get("media_title", ""))

        self.unsub = async_track_state_change_event(hass, MP, _title)


async def call(hass: HomeAssistant, service: str, entity_id: str = MP) -> None:
    domain = entity_id.split(".", 1)[0]
    await hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=True)


async def to_standby(hass: HomeAssistant, sim: Simulator) -> None:
    """关机 from the remote; the network drops 0.3 s later and HA notices."""
    sim.device.standby()
    await asyncio.sleep(0.4)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [MP, POWER]}, blocking=True
    )
    await wait_for_state(hass, PHASE, "standby")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


# --- state rules ---------------------------------------------------------------------------


async def test_off_not_unavailable_with_a_plug(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim)
    assert hass.states.get(MP).state == "idle"
    assert hass.states.get(PHASE).state == "on"
    await to_standby(hass, sim)
    assert hass.states.get(MP).state == "off"
    assert hass.states.get(MP).attributes["power_phase"] == "standby"
    assert hass.states.get(REMOTE).state == STATE_UNAVAILABLE, "ADB-only entities"
    sim.device.mains_off()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [PLUG, MP]}, blocking=True
    )
    await wait_for_state(hass, PHASE, "mains_off")
    assert hass.states.get(MP).state == "off"


async def test_unavailable_without_a_plug(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim, options={})
    await to_standby_without_plug(hass, sim)
    assert hass.states.get(MP).state == STATE_UNAVAILABLE


async def to_standby_without_plug(hass: HomeAssistant, sim: Simulator) -> None:
    sim.device.standby()
    await asyncio.sleep(0.4)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": MP}, blocking=True
    )
    await wait_for_state(hass, MP, STATE_UNAVAILABLE)


async def test_running_but_unreachable_is_on_not_off(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Issue #12 (7): ADB is silent but the plug measures the in-use draw: the lamp is on. The
    media player says on (its phase attribute says unreachable), and so does the power switch."""
    sim, _ = await plugged(hass, start_sim)
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    sim.daemon.kick_all()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [POWER, MP]}, blocking=True
    )
    await wait_for_state(hass, PHASE, "unreachable")
    player = hass.states.get(MP)
    assert player.state == "on", "never off while the draw says it runs"
    assert player.attributes["power_phase"] == "unreachable"
    assert "source" not in player.attributes, "nothing is known of what it shows"
    assert hass.states.get(SWITCH).state == "on"


async def test_screen_off_is_off_and_woken_by_key(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim)
    plug_log = StateLog(hass, PLUG)
    sim.device.screen_off()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [POWER, MP]}, blocking=True
    )
    await wait_for_state(hass, PHASE, "screen_off")
    assert hass.states.get(MP).state == "off", "关屏 is not reported as playing"
    await call(hass, "turn_on")
    await wait_for_state(hass, MP, "idle")
    assert sim.device.state.value == "on"
    assert plug_log.states == [], "a wake key, no plug cycle"


async def test_entry_loads_in_standby_and_cold_starts(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await plugged(
        hass, start_sim, options=power_options(**{CONF_POWER_ON_SOURCE: "HDMI1"})
    )
    sim.device.mains_off()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [PLUG, POWER]}, blocking=True
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(MP).state == "off", "loaded from the stored probe"
    await wait_for_state(hass, PHASE, "mains_off")
    phases = StateLog(hass, PHASE)
    await call(hass, "turn_on")
    await wait_for_state(hass, MP, "on")
    assert sim.device.source == "HDMI1", "the power-on source is applied after a cold boot"
    assert "booting" in phases.states
    assert "cutting_power" not in phases.states, "mains was off: no re-arm"
    assert phases.states[-1] == "on"


async def test_rearm_from_standby(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    phases = StateLog(hass, PHASE)
    plug_log = StateLog(hass, PLUG)
    await call(hass, "turn_on")
    await wait_for_state(hass, MP, "idle")
    assert plug_log.states == ["off", "on"]
    assert phases.states[:3] == ["cutting_power", "waiting", "booting"]
    assert phases.states[-1] == "on"


async def test_logbook_links_the_plug_and_the_result_to_the_request(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """The plug's switching and the projector coming on carry the context of the person's
    turn_on: the logbook shows them as triggered by it."""
    sim, entry = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    contexts: dict[str, list[str]] = {PLUG: [], MP: []}

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None:
            contexts[new.entity_id].append(new.context.id)

    unsub = async_track_state_change_event(hass, [PLUG, MP], _changed)
    request = Context()
    await hass.services.async_call(
        "media_player", "turn_on", {"entity_id": MP}, blocking=True, context=request
    )
    await wait_for_state(hass, MP, "idle")
    unsub()
    assert contexts[PLUG]
    assert set(contexts[PLUG]) == {request.id}
    assert contexts[MP][-1] == request.id, "'turned on', triggered by the request"
    assert entry.runtime_data.power_context is None, "served: nothing later is pinned on it"
    assert entry.runtime_data.plug is not None
    assert entry.runtime_data.plug.context is None


async def test_concurrent_turn_on_is_one_cycle(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    plug_log = StateLog(hass, PLUG)
    await asyncio.gather(*(call(hass, "turn_on") for _ in range(3)))
    assert plug_log.states == ["off", "on"]
    assert sim.device.state.value == "on"


async def test_turn_off_during_turn_on(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim, options=power_options(**{CONF_REARM_OFF_S: 3}))
    await to_standby(hass, sim)
    turning_on = asyncio.ensure_future(call(hass, "turn_on"))
    await state_reaches(hass, PHASE, "waiting")
    await call(hass, "turn_off")
    with pytest.raises(HomeAssistantError) as err:
        await turning_on
    assert err.value.translation_key == "power_on_cancelled"
    await wait_for_state(hass, PHASE, "mains_off")
    assert hass.states.get(PLUG).state == "off", "mains left off: a defined state"
    assert not sim.device.mains


async def test_auto_power_on_disabled_raises_and_repairs(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    sim.device.set_auto_power_on(False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "turn_on")
    assert err.value.translation_key == "auto_power_on_off"
    await wait_for_state(hass, PHASE, "failed")
    issue_id = f"power_on_failed_{entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "power_on_failed_auto_power_on_off"
    sim.device.set_auto_power_on(True)
    await call(hass, "turn_on")
    await wait_for_state(hass, MP, "idle")
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_boot_timeout_without_a_sensor(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, entry = await plugged(
        hass, start_sim, options=power_options(sensor=False, **{CONF_BOOT_TIMEOUT_S: 1})
    )
    await to_standby(hass, sim)
    sim.device.set_auto_power_on(False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "turn_on")
    assert err.value.translation_key == "boot_timeout"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"power_on_failed_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "power_on_failed_boot_timeout"


async def test_cut_mains_waits_for_standby(hass: HomeAssistant, start_sim: StartSim) -> None:
    """Soft-off first; mains is cut only after the network is down and the draw is low."""
    sim, _ = await plugged(
        hass,
        start_sim,
        options=power_options(**{CONF_CUT_MAINS: True, CONF_CUT_MAINS_COOLDOWN_S: 0.2}),
        network_drop_s=1.5,
    )
    await call(hass, "turn_off")
    assert sim.device.state.value == "standby"
    await asyncio.sleep(1.0)
    assert sim.device.mains, "never cut while Android may still run (asleep, network up)"
    assert hass.states.get(PHASE).state == "shutting_down"
    await wait_for_state(hass, PLUG, "off")
    assert not sim.device.mains
    await wait_for_state(hass, PHASE, "mains_off")


async def test_plug_unavailable_degrades(
    hass: HomeAssistant, start_sim: StartSim, logs: pytest.LogCaptureFixture
) -> None:
    sim, _ = await plugged(hass, start_sim)
    # The plug's integration reports it offline (a Mi plug off Wi-Fi; the REST switch of the
    # demo never goes unavailable by itself).
    hass.states.async_set(PLUG, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    await call(hass, "volume_up")
    assert hass.states.get(PHASE).state == "on", "ADB control keeps working"
    warnings = [r for r in logs.records if "plug" in r.getMessage() and r.levelname == "WARNING"]
    assert len(warnings) == 1
    sim.device.standby()
    await asyncio.sleep(0.4)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": MP}, blocking=True
    )
    await wait_for_state(hass, PHASE, "plug_unavailable")
    assert hass.states.get(MP).state == STATE_UNAVAILABLE, "no way to turn it on"


async def test_no_plug_turn_on_explains(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await plugged(hass, start_sim, options={})
    await call(hass, "turn_off")
    dropped = asyncio.Event()  # the network goes down; HA has not polled yet
    remove = sim.device.add_reachability_listener(lambda up: None if up else dropped.set())
    if sim.device.reachable:
        await asyncio.wait_for(dropped.wait(), 5)
    remove()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "turn_on")
    assert err.value.translation_key == "no_plug"
    assert "smart plug" in str(err.value), "the message says how to add one"


# --- options flow --------------------------------------------------------------------------


async def test_power_options_and_calibration(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, entry = await plugged(hass, start_sim, options={})
    result = await open_options(hass, entry, "power")
    assert result["type"] is FlowResultType.FORM
    base = {
        CONF_AUTO_POWER_ON: False,
        CONF_REARM_OFF_S: 10,
        CONF_BOOT_TIMEOUT_S: 90,
        CONF_CUT_MAINS: False,
        CONF_CUT_MAINS_COOLDOWN_S: 60,
    }
    flow = result["flow_id"]
    configure = hass.config_entries.options.async_configure
    result = await configure(flow, {**base, CONF_POWER_SENSOR: POWER, CONF_CUT_MAINS: True})
    assert result["errors"] == {CONF_POWER_SENSOR: "needs_plug", CONF_CUT_MAINS: "needs_plug"}
    result = await configure(flow, {**base, CONF_PLUG: "switch.nope"})
    assert result["errors"] == {
        CONF_PLUG: "entity_not_found",
        CONF_AUTO_POWER_ON: "auto_power_on_required",
    }
    result = await configure(
        flow, {**base, CONF_PLUG: PLUG, CONF_POWER_SENSOR: POWER, CONF_AUTO_POWER_ON: True}
    )
    assert result["step_id"] == "calibrate"
    assert result["description_placeholders"]["watts"] == "85.0"
    result = await configure(flow, {})
    assert result["step_id"] == "calibrate_screen_off"
    sim.device.screen_off()
    result = await configure(flow, {"skip": False})
    assert result["step_id"] == "calibrate_standby"
    assert result["description_placeholders"]["screen_off_w"] == "10.0"
    result = await configure(flow, {})  # forgot to power it off: standby reads like 关屏
    assert result["errors"] == {"base": "calibration_screen_off_out_of_range"}
    sim.device.standby()
    result = await configure(flow, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_ON_W] == 85.0
    assert entry.options[CONF_SCREEN_OFF_W] == 10.0
    assert entry.options[CONF_STANDBY_W] == 0.5
    assert entry.options[CONF_PLUG] == PLUG
    await hass.async_block_till_done()
    # The menu now offers recalibration; a sensor with no reading is reported.
    result = await open_options(hass, entry, "calibrate")
    assert result["step_id"] == "calibrate"
    assert sim.mains is not None
    await sim.mains.stop()
    result = await configure(result["flow_id"], {})
    assert result["errors"] == {"base": "no_reading"}


async def test_calibration_skip_screen_off_and_too_close(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await plugged(hass, start_sim, options=power_options(sensor=False))
    result = await open_options(hass, entry, "power")
    configure = hass.config_entries.options.async_configure
    result = await configure(
        result["flow_id"],
        {
            CONF_PLUG: PLUG,
            CONF_POWER_SENSOR: POWER,
            CONF_AUTO_POWER_ON: True,
            CONF_REARM_OFF_S: 10,
            CONF_BOOT_TIMEOUT_S: 90,
            CONF_CUT_MAINS: False,
            CONF_CUT_MAINS_COOLDOWN_S: 60,
        },
    )
    sim.device.standby()  # the user measured "on" while it was off
    result = await configure(result["flow_id"], {})
    result = await configure(result["flow_id"], {"skip": True})
    result = await configure(result["flow_id"], {})
    assert result["errors"] == {"base": "calibration_too_close"}


async def test_removing_the_plug_keeps_other_options(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    _, entry = await plugged(
        hass, start_sim, options=power_options(**{CONF_POWER_ON_SOURCE: "HDMI2"})
    )
    result = await open_options(hass, entry, "power")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_AUTO_POWER_ON: False,
            CONF_REARM_OFF_S: 10,
            CONF_BOOT_TIMEOUT_S: 90,
            CONF_CUT_MAINS: False,
            CONF_CUT_MAINS_COOLDOWN_S: 60,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_PLUG not in entry.options
    assert CONF_ON_W not in entry.options
    assert entry.options[CONF_POWER_ON_SOURCE] == "HDMI2"


async def test_bemfa_contract_never_unavailable_or_unknown(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Bemfa's Mi Home bridge (bemfa_cloud_ha) publishes a switch as on exactly when its state
    is ``on``, and a media player as on only while ``playing``: the power switch is the entity to
    publish. Through a whole off → standby → mains-off → power-on cycle it is a plain on/off
    device, never unavailable or unknown; the media player shows the power-on as it runs."""
    sim, _ = await plugged(hass, start_sim)
    states = StateLog(hass, MP)
    switch = StateLog(hass, SWITCH)
    titles = BufferingTitles(hass)
    await call(hass, "turn_off")
    await to_standby(hass, sim)
    sim.device.mains_off()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [PLUG, POWER, MP]}, blocking=True
    )
    await wait_for_state(hass, PHASE, "mains_off")
    await call(hass, "turn_on")
    await wait_for_state(hass, MP, "idle")
    titles.unsub()
    assert states.states == ["off", "buffering", "idle"], "starting shows where it was pressed"
    assert titles[0]
    assert set(titles) <= {
        "Starting: confirming standby (up to 30 s)",
        "Cutting power",
        "Waiting to re-power",
        "Booting",
        "Connecting",
    }
    assert switch.states == ["off", "on"], "plain on/off for Mi Home"
    assert not {STATE_UNAVAILABLE, "unknown"} & set(states.states + switch.states)


async def test_power_options_keep_the_calibration_for_the_same_sensor(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    calibrated = {CONF_STANDBY_W: 0.5, CONF_ON_W: 85.0}  # calibrated without 关屏
    options = {k: v for k, v in power_options().items() if k != CONF_SCREEN_OFF_W}
    _, entry = await plugged(hass, start_sim, options=options)
    result = await open_options(hass, entry, "power")
    configure = hass.config_entries.options.async_configure
    form = {
        CONF_PLUG: PLUG,
        CONF_POWER_SENSOR: "sensor.nope",
        CONF_AUTO_POWER_ON: True,
        CONF_REARM_OFF_S: 15,
        CONF_BOOT_TIMEOUT_S: 120,
        CONF_CUT_MAINS: False,
        CONF_CUT_MAINS_COOLDOWN_S: 60,
    }
    result = await configure(result["flow_id"], form)
    assert result["errors"] == {CONF_POWER_SENSOR: "entity_not_found"}
    result = await configure(result["flow_id"], {**form, CONF_POWER_SENSOR: POWER})
    assert result["type"] is FlowResultType.CREATE_ENTRY, "same sensor: no new calibration"
    assert entry.options[CONF_REARM_OFF_S] == 15
    assert {key: entry.options[key] for key in calibrated} == calibrated
    assert CONF_SCREEN_OFF_W not in entry.options


async def test_calibration_reads_again_refuses_an_on_reading_for_screen_off_and_restarts(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """The dialog names the sensor, can read it again without moving on, refuses a 关屏 reading
    that is still the "on" draw, and can start again from step 1 after a failed result."""
    sim, entry = await plugged(hass, start_sim)
    result = await open_options(hass, entry, "calibrate")
    flow = result["flow_id"]
    configure = hass.config_entries.options.async_configure
    assert result["description_placeholders"]["sensor"] == "Projector plug power"
    sim.device.screen_off()
    result = await configure(flow, {"reread": True})
    assert result["step_id"] == "calibrate", "read again: same step, fresh reading"
    assert result["description_placeholders"]["watts"] == "10.0"
    sim.device.screen_on()
    result = await configure(flow, {"reread": True})
    assert result["description_placeholders"]["watts"] == "85.0"
    result = await configure(flow, {})
    assert result["step_id"] == "calibrate_screen_off"
    result = await configure(flow, {"skip": False})  # 关屏 not chosen yet
    assert result["step_id"] == "calibrate_screen_off"
    assert result["errors"] == {"base": "screen_off_same_as_on"}
    result = await configure(flow, {"skip": True})
    assert result["step_id"] == "calibrate_standby"
    result = await configure(flow, {})  # still on: too close to tell apart
    assert result["errors"] == {"base": "calibration_too_close"}
    result = await configure(flow, {"restart": True})
    assert result["step_id"] == "calibrate"
    assert result["description_placeholders"]["on_w"] == "—", "the readings start afresh"


async def test_numbers_out_of_range_are_refused_in_the_users_language(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Not the selector's English "value is too small": our message, with the range."""
    _, entry = await plugged(hass, start_sim)
    result = await open_options(hass, entry, "power")
    form = {
        CONF_PLUG: PLUG,
        CONF_AUTO_POWER_ON: True,
        CONF_REARM_OFF_S: 2,
        CONF_BOOT_TIMEOUT_S: 90,
        CONF_CUT_MAINS: False,
        CONF_CUT_MAINS_COOLDOWN_S: 99999,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["errors"] == {
        CONF_REARM_OFF_S: "rearm_off_s_range",
        CONF_CUT_MAINS_COOLDOWN_S: "cut_mains_cooldown_s_range",
    }
    assert result["description_placeholders"]["rearm_off_s_min"] == "3"
    assert result["description_placeholders"]["cut_mains_cooldown_s_max"] == "1800"
    assert entry.options[CONF_REARM_OFF_S] != 2, "nothing saved"


async def test_a_power_on_just_after_an_off_says_it_is_confirming_standby(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Seen in the browser: for the seconds before mains may be cut the dialog showed the
    phase "standby", as if nothing happened. It says that it is starting."""
    hass.data[POWER_TIMINGS]["standby_unreachable_s"] = 4.0
    sim, _ = await plugged(hass, start_sim)
    await to_standby(hass, sim)
    titles = BufferingTitles(hass)
    await call(hass, "turn_on")
    titles.unsub()
    assert titles[0] == "Starting: confirming standby (up to 30 s)"
    assert "Standby (关机)" not in titles


async def test_calibration_waits_for_a_reading_reported_after_it_asked(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A polling sensor ignores an update request that follows another: the step takes the
    next reading the sensor reports, not the one from before the projector changed state."""
    monkeypatch.setattr(
        "custom_components.xgimi_projector.options_flow.FRESH_READING_WAIT", timedelta(seconds=2)
    )
    slow = "sensor.slow_plug_power"
    hass.states.async_set(slow, "85.0", {"unit_of_measurement": "W", "device_class": "power"})
    _, entry = await plugged(hass, start_sim, options=power_options(sensor=False))
    result = await open_options(hass, entry, "power")
    form = {
        CONF_PLUG: PLUG,
        CONF_POWER_SENSOR: slow,
        CONF_AUTO_POWER_ON: True,
        CONF_REARM_OFF_S: 10,
        CONF_BOOT_TIMEOUT_S: 90,
        CONF_CUT_MAINS: False,
        CONF_CUT_MAINS_COOLDOWN_S: 60,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["step_id"] == "calibrate"
    # The person switched to 关屏; the sensor reports it a moment after the step asked.
    hass.loop.call_later(
        0.3, lambda: hass.states.async_set(slow, "10.0", {"unit_of_measurement": "W"})
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["step_id"] == "calibrate_screen_off"
    assert result["description_placeholders"]["on_w"] == "10.0", "the later report"


async def test_saving_unchanged_options_does_not_reload(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    _, entry = await plugged(hass, start_sim)
    form = {CONF_SCAN_INTERVAL: 20, CONF_APPS: [], CONF_POWER_ON_SOURCE: "none"}
    for _ in range(2):  # the second save changes nothing
        result = await open_options(hass, entry, "general")
        result = await hass.config_entries.options.async_configure(result["flow_id"], form)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
    assert entry.options[CONF_SCAN_INTERVAL] == 20
