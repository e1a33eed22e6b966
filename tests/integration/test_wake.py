"""The wake action through Home Assistant: the demo's wake script on the simulator's mains API.

The projector has 上电自动开机 off, so the demo's REST plug cannot turn it on: only the wake
action can. The script is the demo's own (``scripts/develop``'s YAML is reused), so these tests
also cover the demo's wake path; other wake entities (a template button, a remote) are set up
the way a person would.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.xgimi_projector.const import CONF_PLUG, DOMAIN
from custom_components.xgimi_projector.options import (
    CONF_WAKE_COMMAND,
    CONF_WAKE_ENTITY,
    CONF_WAKE_WAIT_S,
    POWER_TIMINGS,
)
from custom_components.xgimi_projector.projector.power import PowerOnPath
from scripts.develop import SCRIPTS_YAML, WAKE_SCRIPT, WAKE_YAML
from simulator import Simulator

from ..conftest import StartSim
from .conftest import (
    PLUG,
    add_projector,
    open_options,
    power_options,
    setup_demo_plug,
    state_reaches,
)
from .test_power import MP, PHASE, BufferingTitles, StateLog, call, to_standby

WAKE_BUTTON = "button.projector_wake"
"""A template button (as an ESPHome BLE button would be: pressing it sends the wake)."""
BROKEN_BUTTON = "button.broken_wake"
DEAF = "script.deaf_wake"
"""A wake the projector never hears (BLE out of range)."""


@pytest.fixture(autouse=True)
def _fast(fast_power: None, hass: HomeAssistant) -> None:
    """Short internal timings, and a short wait for the wake (5 s is the shortest option)."""
    hass.data[POWER_TIMINGS]["wake_wait_s"] = 1.5


async def setup_wake(hass: HomeAssistant, sim: Simulator) -> None:
    """The demo's wake script, a template button doing the same, a button that fails, and a
    script that wakes nothing."""
    config = parse_yaml(WAKE_YAML.format(mains_port=sim.mains_port))
    assert isinstance(config, dict)
    assert await async_setup_component(hass, "rest_command", config)
    scripts = parse_yaml(SCRIPTS_YAML)
    assert isinstance(scripts, dict)
    scripts["deaf_wake"] = {"sequence": [{"delay": 0}]}
    assert await async_setup_component(hass, "script", {"script": scripts})
    buttons = [
        {"name": "Projector wake", "press": [{"action": "rest_command.projector_wake"}]},
        {"name": "Broken wake", "press": [{"action": "esphome.no_such_node_wake"}]},
    ]
    assert await async_setup_component(hass, "template", {"template": [{"button": buttons}]})
    await hass.async_block_till_done()
    assert hass.states.get(WAKE_SCRIPT) is not None
    assert hass.states.get(WAKE_BUTTON) is not None


async def woken(
    hass: HomeAssistant,
    start_sim: StartSim,
    *,
    wake: str = WAKE_SCRIPT,
    plug: bool = True,
    boot_s: float = 0.2,
) -> tuple[Simulator, MockConfigEntry]:
    """A projector with 上电自动开机 off, the demo's plug (unless ``plug=False``) and a wake."""
    sim = await start_sim("gmui_android12", mains_port=0, auto_power_on=False, boot_s=boot_s)
    await setup_demo_plug(hass, sim)
    await setup_wake(hass, sim)
    options = power_options() if plug else {}
    options |= {CONF_WAKE_ENTITY: wake, CONF_WAKE_WAIT_S: 5}
    entry = await add_projector(hass, sim, options=options)
    return sim, entry


# --- the wake path ------------------------------------------------------------------------


async def test_the_wake_script_turns_it_on_and_leaves_the_plug_alone(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await woken(hass, start_sim)
    await to_standby(hass, sim)
    phases = StateLog(hass, PHASE)
    plug = StateLog(hass, PLUG)
    titles = BufferingTitles(hass)
    script_contexts: list[str] = []

    @callback
    def _script(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == "on":
            script_contexts.append(new.context.id)

    unsub = async_track_state_change_event(hass, WAKE_SCRIPT, _script)
    request = Context()
    await hass.services.async_call(
        "media_player", "turn_on", {"entity_id": MP}, blocking=True, context=request
    )
    unsub()
    titles.unsub()
    assert hass.states.get(MP).state in ("on", "idle")
    assert sim.device.state.value == "on"
    assert plug.states == [], "mains untouched"
    assert "waking" in phases.states
    assert "cutting_power" not in phases.states
    assert "Waking (BLE/IR)" in titles, "the media player says which path runs"
    assert script_contexts == [request.id], "the wake is logged as caused by the request"
    assert entry.runtime_data.data.wake_error is None


async def test_a_button_wakes_it_and_the_path_is_known_at_once(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await woken(hass, start_sim, wake=WAKE_BUTTON)
    await to_standby(hass, sim)
    coordinator = entry.runtime_data
    paths: list[PowerOnPath | None] = []
    unsub = coordinator.async_add_listener(lambda: paths.append(coordinator.data.power_on_path))
    task = coordinator.power.start_turn_on()
    assert coordinator.power.snapshot().power_on_path is PowerOnPath.WAKE_ACTION
    await task
    unsub()
    assert paths[0] is PowerOnPath.WAKE_ACTION, "what the voice reply reads"
    assert sim.device.state.value == "on"


async def test_concurrent_turn_on_is_one_wake(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await woken(hass, start_sim)
    await to_standby(hass, sim)
    runs = StateLog(hass, WAKE_SCRIPT)
    await asyncio.gather(*(call(hass, "turn_on") for _ in range(3)))
    assert runs.states.count("on") == 1, "one wake for three requests"
    assert sim.device.state.value == "on"


async def test_turn_off_cancels_a_waking_turn_on(hass: HomeAssistant, start_sim: StartSim) -> None:
    """The wake was sent: turn_off cancels the turn_on, and the projector, once it answers, is
    powered off softly. Mains is never touched."""
    sim, _ = await woken(hass, start_sim, boot_s=1.0)
    await to_standby(hass, sim)
    plug = StateLog(hass, PLUG)
    turning_on = asyncio.ensure_future(call(hass, "turn_on"))
    await state_reaches(hass, PHASE, "waking")
    await call(hass, "turn_off")
    with pytest.raises(HomeAssistantError) as err:
        await turning_on
    assert err.value.translation_key == "power_on_cancelled"
    async with asyncio.timeout(10):
        while sim.device.state.value != "standby" or hass.states.get(PHASE).state != "standby":
            await asyncio.sleep(0.05)
            await hass.services.async_call(
                "homeassistant", "update_entity", {"entity_id": MP}, blocking=True
            )
    assert plug.states == []


# --- fallback and failures ---------------------------------------------------------------


async def test_a_wake_not_heard_falls_back_to_the_plug_and_repairs(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await woken(hass, start_sim, wake=DEAF)
    sim.device.set_auto_power_on(True)  # the plug can do it; the wake cannot
    await to_standby(hass, sim)
    phases = StateLog(hass, PHASE)
    plug = StateLog(hass, PLUG)
    titles = BufferingTitles(hass)
    await call(hass, "turn_on")
    titles.unsub()
    assert sim.device.state.value == "on"
    assert plug.states == ["off", "on"]
    assert phases.states[:3] == ["waking", "wake_failed", "waiting"]
    assert "Wake failed: cycling the plug" in titles
    issue_id = f"wake_fell_back_{entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "wake_fell_back_wake_timeout"
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"power_on_failed_{entry.entry_id}") is None


async def test_a_failing_button_without_a_plug_is_a_power_on_repair(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await woken(hass, start_sim, wake=BROKEN_BUTTON, plug=False)
    await call(hass, "turn_off")
    # At once (Home Assistant has not polled it in standby): turn_on waits until the network
    # is gone, then runs the wake action.
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "turn_on")
    assert err.value.translation_key == "wake_action_failed"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["entity"] == BROKEN_BUTTON
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"power_on_failed_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "power_on_failed_wake_action_failed"
    assert sim.device.state.value == "standby"


async def test_an_unavailable_wake_falls_back_and_says_so(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, entry = await woken(hass, start_sim)
    sim.device.set_auto_power_on(True)
    hass.states.async_set(WAKE_SCRIPT, STATE_UNAVAILABLE)
    await to_standby(hass, sim)
    await call(hass, "turn_on")
    assert sim.device.state.value == "on"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"wake_fell_back_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "wake_fell_back_wake_action_unavailable"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["entity"] == WAKE_SCRIPT
    # The script is back: the next wake works, and the repair goes.
    hass.states.async_set(WAKE_SCRIPT, "off")
    await call(hass, "turn_off")
    await to_standby(hass, sim)
    phases = StateLog(hass, PHASE)
    await call(hass, "turn_on")
    assert "waking" in phases.states
    assert "cutting_power" not in phases.states
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"wake_fell_back_{entry.entry_id}") is None
    # Fails again, then the entry is removed: its repair goes with it.
    hass.states.async_set(WAKE_SCRIPT, STATE_UNAVAILABLE)
    await call(hass, "turn_off")
    await to_standby(hass, sim)
    await call(hass, "turn_on")
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"wake_fell_back_{entry.entry_id}")
    await hass.config_entries.async_remove(entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"wake_fell_back_{entry.entry_id}") is None


async def test_an_ir_remote_sends_its_command(hass: HomeAssistant, start_sim: StartSim) -> None:
    """A remote (a Broadlink or Xiaomi IR remote) sends the configured code."""
    sim = await start_sim("gmui_android12", mains_port=0, auto_power_on=False)
    await setup_demo_plug(hass, sim)
    await setup_wake(hass, sim)
    sent: list[dict[str, Any]] = []

    async def send_command(call_: Any) -> None:
        sent.append(dict(call_.data))
        await hass.services.async_call("rest_command", "projector_wake", blocking=True)

    hass.states.async_set("remote.living_room_ir", "on")
    options = power_options() | {
        CONF_WAKE_ENTITY: "remote.living_room_ir",
        CONF_WAKE_COMMAND: "b64:JgBQAAABKZIUEhQ=",
        CONF_WAKE_WAIT_S: 5,
    }
    await add_projector(hass, sim, options=options)
    # Stands in for an IR blaster's integration (the remote platform needs hardware); after
    # the entry loaded, whose own remote set the service up.
    hass.services.async_register("remote", "send_command", send_command)
    await to_standby(hass, sim)
    await call(hass, "turn_on")
    assert sent == [{"entity_id": "remote.living_room_ir", "command": ["b64:JgBQAAABKZIUEhQ="]}]
    assert sim.device.state.value == "on"


async def test_a_wake_action_alone_keeps_it_off_not_unavailable_in_standby(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim, _ = await woken(hass, start_sim, plug=False)
    await to_standby(hass, sim)
    assert hass.states.get(MP).state == "off"
    await call(hass, "turn_on")
    assert sim.device.state.value == "on"


async def test_a_wake_action_alone_turns_it_on(hass: HomeAssistant, start_sim: StartSim) -> None:
    """No plug at all: the wake action makes the entry able to turn on (turned off moments ago,
    before Home Assistant polls the projector in standby)."""
    sim, entry = await woken(hass, start_sim, plug=False)
    await call(hass, "turn_off")
    assert hass.states.get(MP).state == "off"
    assert entry.runtime_data.data.can_power_on
    await call(hass, "turn_on")
    assert sim.device.state.value == "on"


# --- options flow -------------------------------------------------------------------------


async def test_wake_options_are_validated_in_the_users_language(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12", mains_port=0)
    await setup_demo_plug(hass, sim)
    await setup_wake(hass, sim)
    hass.states.async_set("remote.living_room_ir", "on")
    entry = await add_projector(hass, sim, options=power_options())
    result = await open_options(hass, entry, "wake")
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["wake_wait_s_min"] == "5"
    assert result["description_placeholders"]["command_max"] == "100"
    flow = result["flow_id"]
    configure = hass.config_entries.options.async_configure
    with pytest.raises(InvalidData):  # the selector offers only buttons, scripts, remotes
        await configure(flow, {CONF_WAKE_ENTITY: PLUG, CONF_WAKE_WAIT_S: 30})
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({CONF_WAKE_ENTITY: "button.nope"}, {CONF_WAKE_ENTITY: "entity_not_found"}),
        ({CONF_WAKE_ENTITY: "remote.living_room_ir"}, {CONF_WAKE_COMMAND: "wake_command_required"}),
        (
            {CONF_WAKE_ENTITY: WAKE_SCRIPT, CONF_WAKE_COMMAND: "power"},
            {CONF_WAKE_COMMAND: "wake_command_needs_remote"},
        ),
        ({CONF_WAKE_COMMAND: "power"}, {CONF_WAKE_COMMAND: "wake_command_needs_remote"}),
        (
            {CONF_WAKE_ENTITY: "remote.living_room_ir", CONF_WAKE_COMMAND: "x" * 101},
            {CONF_WAKE_COMMAND: "wake_command_invalid"},
        ),
        (
            {CONF_WAKE_ENTITY: "remote.living_room_ir", CONF_WAKE_COMMAND: "a\nb"},
            {CONF_WAKE_COMMAND: "wake_command_invalid"},
        ),
        ({CONF_WAKE_WAIT_S: 4}, {CONF_WAKE_WAIT_S: "wake_wait_s_range"}),
        ({CONF_WAKE_WAIT_S: 301}, {CONF_WAKE_WAIT_S: "wake_wait_s_range"}),
    ]
    for form, errors in cases:
        result = await configure(flow, {CONF_WAKE_WAIT_S: 30, **form})
        assert result["errors"] == errors, form
    result = await configure(
        flow,
        {
            CONF_WAKE_ENTITY: "remote.living_room_ir",
            CONF_WAKE_COMMAND: "  power  ",
            CONF_WAKE_WAIT_S: 20,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_WAKE_ENTITY] == "remote.living_room_ir"
    assert entry.options[CONF_WAKE_COMMAND] == "power"
    assert entry.options[CONF_WAKE_WAIT_S] == 20
    assert entry.options[CONF_PLUG] == PLUG, "the plug's options are kept"
    await hass.async_block_till_done()
    # Clearing the entity removes the command with it; the wait stays.
    result = await open_options(hass, entry, "wake")
    schema_keys = {str(key): key for key in result["data_schema"].schema}
    suggested = schema_keys[CONF_WAKE_ENTITY].description["suggested_value"]
    assert suggested == "remote.living_room_ir", "the form shows what is set"
    result = await configure(result["flow_id"], {CONF_WAKE_WAIT_S: 30})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_WAKE_ENTITY not in entry.options
    assert CONF_WAKE_COMMAND not in entry.options
    assert entry.options[CONF_WAKE_WAIT_S] == 30
    await hass.async_block_till_done()
