"""``xgimi_projector.voice_command`` on the simulator: sentences in, actions and replies out."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
import voluptuous as vol

from custom_components.xgimi_projector.const import CONF_APPS, CONF_SOURCE_ALIASES, DOMAIN
from simulator import Simulator

from ..conftest import StartSim
from .conftest import add_projector

MP = "media_player.projector"


async def voice(hass: HomeAssistant, text: str, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "voice_command", {"text": text, **data}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def _sim_and_entry(hass: HomeAssistant, start_sim: StartSim, **options: Any) -> Simulator:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim, options=options or None)
    return sim


async def test_volume_set_and_query(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    response = await voice(hass, "小爱同学，把投影仪音量调到百分之六十")
    assert response["matched"] is True
    assert response["intent"] == "volume_set"
    assert response["target"] == MP
    assert sim.device.volume == 9, "60 % of 15 steps"
    assert "百分之六十" in response["reply"]
    response = await voice(hass, "投影仪开着吗")
    assert response["intent"] == "query"
    assert response["reply"].startswith("投影仪开着")


async def test_unknown_negated_and_other_devices_send_nothing(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    before = list(sim.device.command_log)
    for text, refusal in (
        ("别关投影仪", "negation"),
        ("打开空调", "other_device"),
        ("今天天气怎么样", "unknown"),
        ("暂停", "no_target"),
        ("投影仪 ; reboot", "unknown"),
    ):
        response = await voice(hass, text)
        assert response["matched"] is False, text
        assert response["refusal"] == refusal, text
        assert response["reply"]
    assert sim.device.state.value == "on"
    polls_only = [c for c in sim.device.command_log[len(before) :] if "@@xg" not in c]
    assert polls_only == []


async def test_source_alias_and_pause(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(
        hass,
        start_sim,
        **{CONF_APPS: [], CONF_SOURCE_ALIASES: ["HDMI2=电视盒子,盒子"]},
    )
    response = await voice(hass, "投影仪切换到电视盒子")
    assert response["intent"] == "source"
    assert response["outcome"] == "done"
    assert sim.device.source == "HDMI2"
    response = await voice(hass, "暂停", require_name=False)
    assert response["intent"] == "pause"


async def test_turn_off_then_on_again_is_reported(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    response = await voice(hass, "关闭投影仪")
    assert response["outcome"] == "done"
    assert sim.device.state.value == "standby"
    response = await voice(hass, "关掉投影仪")
    assert response["outcome"] == "already"


async def test_named_projector_and_unknown_target(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    er.async_get(hass).async_update_entity(MP, aliases={"大屏"})
    response = await voice(hass, "大屏音量调到十")
    assert response["matched"] is True
    assert sim.device.volume == 2, "10 % of 15 steps, rounded"
    with pytest.raises(ServiceValidationError) as err:
        await voice(hass, "打开投影仪", entity_id="media_player.nope")
    assert err.value.translation_key == "voice_unknown_target"
    with pytest.raises(vol.Invalid):
        await voice(hass, "投" * 201)
