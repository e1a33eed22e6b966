"""The mirror blueprint: a Mi switch Xiaoai controls natively ⇄ the projector's power."""

from __future__ import annotations

import asyncio

from homeassistant.core import Context, Event, HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
import pytest

from custom_components.xgimi_projector.const import (
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_PLUG,
    CONF_REARM_OFF_S,
)
from custom_components.xgimi_projector.options import POWER_TIMINGS
from simulator import Simulator

from ...conftest import StartSim
from ..conftest import add_projector, wait_for_state
from .helpers import MP, Recorder, projector_on, settle, use_blueprints, wait_until

POWERING_ON = {"cutting_power", "waiting", "booting", "connecting"}
MI_SWITCH = "input_boolean.mi_projector"


async def add_mi_switch(hass: HomeAssistant, initial: bool) -> None:
    """The sacrificial Mi switch; an input_boolean behaves like a switch entity here."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {"mi_projector": {"name": "投影仪", "initial": initial}}},
    )
    await hass.async_block_till_done()


async def user_switch(hass: HomeAssistant, on: bool) -> None:
    """Xiaoai (through the Mi integration) or a person flips the Mi switch."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if on else "turn_off",
        {"entity_id": MI_SWITCH},
        blocking=True,
        context=Context(),
    )


async def refresh_until(hass: HomeAssistant, entity_id: str, expected: str) -> None:
    """Poll the projector now (instead of waiting for the scan interval) until ``expected``."""
    for _ in range(50):
        await hass.services.async_call(
            "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
        )
        await settle(hass, 0.1)
        if hass.states.is_state(entity_id, expected):
            return
    raise AssertionError(f"{entity_id} is {hass.states.get(entity_id)}, expected {expected}")


async def use_mirror(hass: HomeAssistant) -> None:
    """The mirror blueprint between the stand-in Mi switch and the projector."""
    await use_blueprints(
        hass,
        (
            "mirror",
            "mirror_mi_switch.yaml",
            {"switch_entity": MI_SWITCH, "projector": MP, "debounce": 0.3},
        ),
    )


async def test_mirror_follows_both_ways_without_loops(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await projector_on(hass, start_sim)
    await add_mi_switch(hass, initial=True)
    rec = Recorder(hass)
    await use_mirror(hass)

    # "小爱同学，关闭投影仪" → the switch turns off → the projector turns off exactly once.
    await user_switch(hass, False)
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    await wait_until(hass, lambda: not sim.device.reachable, "network down")
    # Without a plug a projector in deep standby is unavailable: the switch is left alone.
    await refresh_until(hass, MP, "unavailable")
    await settle(hass, 1.0)
    assert rec.count("media_player", "turn_off", by_automation=True) == 1
    assert rec.count("media_player", "turn_on") == 0
    assert rec.count("homeassistant", "turn_on") == rec.count("homeassistant", "turn_off") == 0
    assert rec.history(MI_SWITCH) == ["off"]

    # The projector comes on by itself (here: a mains cycle with 上电自动开机): the switch
    # follows, and that does not send anything back to the projector.
    sim.device.mains_off()
    sim.device.mains_on()
    await wait_until(hass, lambda: sim.device.state.value == "on", "boot")
    await refresh_until(hass, MP, "idle")
    await wait_until(hass, lambda: hass.states.is_state(MI_SWITCH, "on"), "switch on")
    await settle(hass, 1.5)
    assert rec.count("homeassistant", "turn_on", by_automation=True) == 1
    assert rec.count("media_player", "turn_on") == 0
    assert rec.count("media_player", "turn_off") == 1
    assert rec.history(MI_SWITCH) == ["off", "on"]
    assert sim.device.state.value == "on"


async def projector_with_plug(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> Simulator:
    """A projector whose smart plug (a template switch) switches the simulator's mains."""
    hass.data[POWER_TIMINGS] = {"connect_interval_s": 0.2, "standby_unreachable_s": 0.3}
    sim = await start_sim("gmui_android12")

    @callback
    def mains(call: ServiceCall) -> None:
        (sim.device.mains_on if call.service == "mains_on" else sim.device.mains_off)()

    hass.services.async_register("test", "mains_on", mains)
    hass.services.async_register("test", "mains_off", mains)
    assert await async_setup_component(
        hass,
        "switch",
        {
            "switch": [
                {
                    "platform": "template",
                    "switches": {
                        "projector_plug": {
                            "turn_on": {"action": "test.mains_on"},
                            "turn_off": {"action": "test.mains_off"},
                        }
                    },
                }
            ]
        },
    )
    await hass.async_block_till_done()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.projector_plug"}, blocking=True
    )
    assert hass.states.is_state("switch.projector_plug", "on")
    await add_projector(
        hass,
        sim,
        options={
            CONF_PLUG: "switch.projector_plug",
            CONF_AUTO_POWER_ON: True,
            CONF_REARM_OFF_S: 1.5,
            CONF_BOOT_TIMEOUT_S: 10,
        },
    )
    return sim


async def test_mirror_keeps_the_switch_on_while_the_plug_powers_on(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Projector off from HA → switch off; switch on → a plug power-on (state off for seconds,
    power_phase cutting_power/waiting/booting/connecting) without the switch going off."""
    sim = await projector_with_plug(hass, start_sim, monkeypatch)
    await add_mi_switch(hass, initial=True)
    rec = Recorder(hass)
    await use_mirror(hass)

    # Off from Home Assistant: the switch follows, nothing else happens.
    await hass.services.async_call(
        "media_player", "turn_off", {"entity_id": MP}, blocking=True, context=Context()
    )
    await wait_until(hass, lambda: hass.states.is_state(MI_SWITCH, "off"), "switch off")
    await wait_until(hass, lambda: not sim.device.reachable, "network down")
    await settle(hass, 1.0)
    assert rec.count("homeassistant", "turn_off", by_automation=True) == 1
    assert rec.count("media_player", "turn_on") == 0
    assert rec.count("media_player", "turn_off") == 1, "only ours"
    assert sim.device.state.value == "standby"
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": MP}, blocking=True
    )
    await wait_for_state(hass, MP, "off")
    triggered: list[str] = []

    @callback
    def _triggered(event: Event) -> None:
        phase = hass.states.get(MP).attributes.get("power_phase")
        triggered.append(f"{event.data['source']}|{phase}")

    hass.bus.async_listen("automation_triggered", _triggered)

    # "打开投影仪": the switch turns on, the plug cycles, the projector boots.
    await user_switch(hass, True)
    await wait_until(hass, lambda: sim.device.state.value == "on", "boot", timeout_s=15)
    await wait_for_state(hass, MP, "idle")
    await settle(hass, 1.0)
    phases = [a.get("power_phase") for eid, _, a in rec.states if eid == MP]
    assert {"cutting_power", "waiting", "booting"} <= set(phases), phases
    assert any(
        t.startswith(f"state of {MP}") and t.split("|")[1] in POWERING_ON for t in triggered
    ), f"the mirror must have looked at the projector while it powered on: {triggered}"
    assert rec.history(MI_SWITCH) == ["off", "on"], "never off while powering on"
    assert rec.count("media_player", "turn_on", by_automation=True) == 1
    assert rec.count("homeassistant", "turn_off", by_automation=True) == 1
    assert rec.count("homeassistant", "turn_on") == 0, "the switch was on already"
    assert hass.states.is_state(MI_SWITCH, "on")


async def test_mirror_switch_off_cancels_a_power_on(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """打开投影仪, then at once 关闭投影仪: the state is still off; the power-on is cancelled."""
    sim = await projector_with_plug(hass, start_sim, monkeypatch)
    await hass.services.async_call("media_player", "turn_off", {"entity_id": MP}, blocking=True)
    await wait_until(hass, lambda: not sim.device.reachable, "network down")
    await add_mi_switch(hass, initial=False)
    rec = Recorder(hass)
    await use_mirror(hass)
    await user_switch(hass, True)
    # Not wait_until: async_block_till_done would wait for the whole power-on (the
    # automation's media_player.turn_on call runs until the projector is on).
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while hass.states.get(MP).attributes.get("power_phase") != "waiting":
        assert loop.time() < deadline, "the power-on did not start"
        await asyncio.sleep(0.02)
    await user_switch(hass, False)
    await wait_until(
        hass, lambda: hass.states.get(MP).attributes.get("power_phase") == "mains_off", "cancel"
    )
    await settle(hass, 2.0)
    assert rec.count("media_player", "turn_on", by_automation=True) == 1
    assert rec.count("media_player", "turn_off", by_automation=True) == 1
    assert rec.count("homeassistant", "turn_on") == rec.count("homeassistant", "turn_off") == 0
    assert sim.device.state.value == "mains_off", "the plug was left off: no boot"
    assert hass.states.is_state(MP, "off")
    assert rec.history(MI_SWITCH) == ["on", "off"]
