"""Turning on a "LAN keys only" entry with the wake action (issue #14 §2 on a projector without
ADB), and the voice action on such an entry.

The projector is the GMUI simulator with network ADB off and 上电自动开机 off (only the wake
action can turn it on; the demo's REST plug cannot), woken by the demo's wake script through its
mains API's device endpoint (standing in for BLE/IR). Success is seen in the plug's draw where
there is a calibrated power sensor, else assumed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.media_player.const import MediaPlayerEntityFeature as Feature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.xgimi_projector.const import DOMAIN
from custom_components.xgimi_projector.options import (
    CONF_WAKE_ENTITY,
    CONF_WAKE_WAIT_S,
    POWER_TIMINGS,
)
from custom_components.xgimi_projector.projector.errors import PowerOnCancelledError
from custom_components.xgimi_projector.projector.power import PowerOnPath
from custom_components.xgimi_projector.wake import ISSUE_WAKE_FELL_BACK
from scripts.develop import WAKE_SCRIPT
from simulator import DeviceState, Simulator

from ..conftest import StartSim
from ..projector.conftest import until
from .conftest import PLUG, POWER, power_options, setup_demo_plug, wait_for_state
from .test_config_flow_lan import lan_sim
from .test_lan_entry import MP, REMOTE, add_lan_entry, call, keys_applied
from .test_power import StateLog
from .test_wake import DEAF, setup_wake

PHASE_ATTR = "power_phase"


@pytest.fixture(autouse=True)
def _fast(fast_power: None, hass: HomeAssistant) -> None:
    """Short internal timings; the wake wait is shorter than the option allows, but long
    enough for the REST power sensor to report the boot's draw on a busy machine."""
    hass.data[POWER_TIMINGS]["wake_wait_s"] = 4.0


async def lan_woken(
    hass: HomeAssistant,
    start_sim: StartSim,
    monkeypatch: pytest.MonkeyPatch,
    *,
    wake: str = WAKE_SCRIPT,
    plug: bool = True,
    sensor: bool = True,
    auto_power_on: bool = False,
) -> tuple[Simulator, Any]:
    """A LAN entry on a projector in standby with mains on, its wake action, and (unless
    ``plug=False``) the demo's plug with (unless ``sensor=False``) its power sensor."""
    sim = await lan_sim(
        start_sim,
        monkeypatch,
        mains_port=0,
        mains_on=True,
        auto_power_on=auto_power_on,
        boot_s=0.1,
    )
    sim.device.standby()
    await setup_demo_plug(hass, sim)
    await setup_wake(hass, sim)
    options = power_options(sensor=sensor) if plug else {}
    options |= {CONF_WAKE_ENTITY: wake, CONF_WAKE_WAIT_S: 5}
    entry = await add_lan_entry(hass, sim, options)
    if plug:
        await refresh(hass)
    return sim, entry


async def refresh(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": [POWER, MP]}, blocking=True
    )


async def test_the_wake_turns_it_on_seen_by_the_draw_and_the_plug_stays_on(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, entry = await lan_woken(hass, start_sim, monkeypatch)
    await wait_for_state(hass, MP, "off")
    state = hass.states.get(MP)
    assert state is not None
    assert state.attributes["supported_features"] & Feature.TURN_ON
    plug = StateLog(hass, PLUG)
    phases: list[str] = []
    coordinator = entry.runtime_data

    def _phase() -> None:
        phases.append(str(coordinator.data.phase))
        if coordinator.power.power_on_path is not None:
            phases.append(str(coordinator.power.power_on_path))

    unsub = coordinator.async_add_listener(_phase)
    await call(hass, "media_player", "turn_on", MP)
    unsub()
    await until(lambda: sim.device.state is DeviceState.ON)  # the draw rose: it boots
    assert "waking" in phases
    assert PowerOnPath.WAKE_ACTION in phases
    assert "off" not in plug.states  # mains untouched
    await refresh(hass)
    await wait_for_state(hass, MP, "on")
    assert hass.states.get(MP).attributes["power_source"] == "plug"  # type: ignore[union-attr]
    assert keys_applied(sim) == []  # nothing went over UDP to turn it on
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"{ISSUE_WAKE_FELL_BACK}_{entry.entry_id}")
        is None
    )


async def test_a_deaf_wake_falls_back_to_the_plug_and_raises_the_repair(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draw stays at standby within the wake wait: the plug's cycle (上电自动开机 on)."""
    sim, entry = await lan_woken(hass, start_sim, monkeypatch, wake=DEAF, auto_power_on=True)
    plug = StateLog(hass, PLUG)
    await call(hass, "media_player", "turn_on", MP)
    assert plug.states[:2] == ["off", "on"]
    await until(lambda: sim.device.state is DeviceState.ON)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"{ISSUE_WAKE_FELL_BACK}_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == f"{ISSUE_WAKE_FELL_BACK}_wake_timeout"
    # A wake that works clears it.
    await call(hass, "media_player", "turn_off", MP)
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    await refresh(hass)
    await wait_for_state(hass, MP, "off")
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_WAKE_ENTITY: WAKE_SCRIPT}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await refresh(hass)
    await call(hass, "media_player", "turn_on", MP)
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"{ISSUE_WAKE_FELL_BACK}_{entry.entry_id}")
        is None
    )


async def test_without_a_plug_the_wake_alone_turns_it_on_assumed(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No plug, no sensor: the wake makes the entry able to turn on; nothing can confirm it,
    so it is assumed on (and both turn-ons at once run one wake)."""
    sim, _ = await lan_woken(hass, start_sim, monkeypatch, plug=False)
    state = hass.states.get(MP)
    assert state is not None
    assert state.attributes["supported_features"] & Feature.TURN_ON
    assert state.attributes["power_source"] == "assumed"
    runs = StateLog(hass, WAKE_SCRIPT)
    await asyncio.gather(
        call(hass, "media_player", "turn_on", MP), call(hass, "remote", "turn_on", REMOTE)
    )
    await until(lambda: sim.device.state is DeviceState.ON)
    assert runs.states.count("on") == 1
    assert hass.states.get(MP).state == "on"  # type: ignore[union-attr]


async def test_a_deaf_wake_without_a_plug_fails_when_the_draw_says_so(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power sensor but no plug to fall back to is not possible (the sensor needs the plug):
    without a plug a deaf wake cannot be detected, so this uses a failing wake instead."""
    sim, _ = await lan_woken(hass, start_sim, monkeypatch, wake="button.broken_wake", plug=False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "media_player", "turn_on", MP)
    assert err.value.translation_key == "wake_action_failed"
    assert sim.device.state is DeviceState.STANDBY
    assert hass.states.get(MP).state != "on"  # type: ignore[union-attr]


async def test_turn_off_while_waking_stops_the_power_on(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, entry = await lan_woken(hass, start_sim, monkeypatch, wake=DEAF)
    power = entry.runtime_data.power
    task = power.start_turn_on()
    await until(lambda: power.power_on_path is PowerOnPath.WAKE_ACTION)
    await call(hass, "media_player", "turn_off", MP)
    with pytest.raises(PowerOnCancelledError):
        await task
    assert hass.states.get(PLUG).state == "on"  # type: ignore[union-attr]
    assert power.job is None


async def test_turn_off_during_the_plug_cycle_leaves_mains_off(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, entry = await lan_woken(hass, start_sim, monkeypatch, wake=DEAF, auto_power_on=True)
    hass.data[POWER_TIMINGS]["rearm_off_s"] = 5.0
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    power = entry.runtime_data.power
    task = power.start_turn_on()
    await until(lambda: power.power_on_path is PowerOnPath.PLUG)
    await until(lambda: hass.states.get(PLUG).state == "off")  # type: ignore[union-attr]
    sent = len(keys_applied(sim))
    await call(hass, "media_player", "turn_off", MP)
    with pytest.raises(PowerOnCancelledError):
        await task
    assert hass.states.get(PLUG).state == "off"  # type: ignore[union-attr]
    assert len(keys_applied(sim)) == sent  # mains is off: no key to send
    assert hass.states.get(MP).state == "off"  # type: ignore[union-attr]


# --- the voice action on a LAN entry ----------------------------------------------------------


async def voice(hass: HomeAssistant, text: str) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "voice_command", {"text": text}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def test_voice_on_and_off_on_a_lan_entry(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """打开投影仪 runs the wake action; 关闭投影仪 sends the protocol's power-off code."""
    sim, _ = await lan_woken(hass, start_sim, monkeypatch)
    response = await voice(hass, "打开投影仪")
    assert response["matched"] is True
    assert response["intent"] == "turn_on"
    assert response["outcome"] in ("done", "powering_on")
    await until(lambda: sim.device.state is DeviceState.ON)
    await refresh(hass)
    await wait_for_state(hass, MP, "on")
    response = await voice(hass, "关闭投影仪")
    assert response["outcome"] == "done", response
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    assert keys_applied(sim) == [30]


async def test_voice_volume_step_on_a_lan_entry(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    await add_lan_entry(hass, sim)
    await call(hass, "remote", "send_command", REMOTE, command=["ok"])  # assumed on
    volume = sim.device.volume
    response = await voice(hass, "投影仪音量调高")
    assert response["outcome"] == "done", response
    await until(lambda: sim.device.volume > volume)


@pytest.mark.parametrize("text", ["把投影仪音量调到百分之六十", "投影仪切换到HDMI1", "投影仪暂停"])
async def test_voice_commands_lan_keys_cannot_do_are_refused_in_chinese(
    hass: HomeAssistant, start_sim: StartSim, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    sim = await lan_sim(start_sim, monkeypatch)
    await add_lan_entry(hass, sim)
    await call(hass, "remote", "send_command", REMOTE, command=["ok"])  # assumed on
    assert sim.lan is not None
    sent = len(sim.lan.datagrams)
    response = await voice(hass, text)
    assert response["matched"] is True, response
    assert response["outcome"] == "not_supported", response
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response["reply"]), response
    assert len(sim.lan.datagrams) == sent
