"""``xgimi_projector.voice_command`` on the simulator: sentences in, actions and replies out."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
import voluptuous as vol

from custom_components.xgimi_projector import voice_executor
from custom_components.xgimi_projector.const import (
    CONF_APPS,
    CONF_REARM_OFF_S,
    CONF_SOURCE_ALIASES,
    DOMAIN,
)
from custom_components.xgimi_projector.projector import KEYCODES, normalize_key_name
from simulator import Fault, Simulator

from ..conftest import StartSim
from .conftest import add_projector, power_options, setup_demo_plug, state_reaches

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


@pytest.mark.parametrize(
    ("text", "volume_before", "volume_after", "outcome"),
    [
        ("投影仪音量大一点", 5, 7, "done"),
        ("投影仪音量调高三格", 5, 8, "done"),
        ("投影仪音量调低百分之二十", 9, 6, "done"),
        ("投影仪声音小一点", 5, 3, "done"),
        ("投影仪音量调到5格", 9, 5, "done"),
        ("投影仪音量大一点", 15, 15, "already"),
        ("投影仪音量小一点", 0, 0, "already"),
    ],
)
async def test_volume_steps(
    hass: HomeAssistant,
    start_sim: StartSim,
    text: str,
    volume_before: int,
    volume_after: int,
    outcome: str,
) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    sim.device.set_volume(volume_before)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": MP}, blocking=True
    )
    response = await voice(hass, text)
    assert response["outcome"] == outcome, response
    assert sim.device.volume == volume_after
    assert response["reply"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("投影仪回到主页", "HOME"),
        ("投影仪返回", "BACK"),
        ("投影仪自动对焦", "autofocus"),
    ],
)
async def test_keys(hass: HomeAssistant, start_sim: StartSim, text: str, key: str) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    before = len(sim.device.key_log)
    response = await voice(hass, text)
    assert response["outcome"] == "done"
    pressed = [event.code for event in sim.device.key_log[before:]]
    assert pressed == [KEYCODES[normalize_key_name(key)]]


async def test_mute_play_stop(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    assert (await voice(hass, "投影仪静音"))["outcome"] == "done"
    assert sim.device.muted
    assert (await voice(hass, "投影仪静音"))["outcome"] == "already"
    assert (await voice(hass, "投影仪取消静音"))["outcome"] == "done"
    assert not sim.device.muted
    sim.device.start_media("com.ktcp.video", 2)  # paused
    assert (await voice(hass, "投影仪继续播放"))["intent"] == "play"
    assert (await voice(hass, "投影仪停止播放"))["intent"] == "stop"


async def test_hdmi_not_selectable_on_gmui9(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android9")
    await add_projector(hass, sim)
    await hass.config.async_update(language="zh-Hans")
    await hass.config_entries.async_reload(hass.config_entries.async_entries(DOMAIN)[0].entry_id)
    await hass.async_block_till_done()
    response = await voice(hass, "投影仪切换到HDMI1")
    assert response["outcome"] == "not_supported"
    # The reply names what is possible instead (issue: "不支持切换信号源" and nothing else).
    assert response["reply"] == "抱歉，投影仪不能直接切换到HDMI1，可以切换到主页、信号源菜单"
    response = await voice(hass, "投影仪切换到信号源菜单")
    assert response["outcome"] == "done"
    assert sim.device.key_log[-1].code == 2102


async def test_commands_while_off_and_failures(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    sim.faults.set(Fault.CLOSE_MID_COMMAND)
    response = await voice(hass, "投影仪暂停")
    assert response["outcome"] == "failed"
    assert "失败" in response["reply"]
    sim.faults.clear()
    await voice(hass, "关闭投影仪")
    response = await voice(hass, "投影仪音量调到三十")
    assert response["outcome"] == "unavailable"
    response = await voice(hass, "投影仪开着吗")
    assert response["reply"] != ""
    assert "开着" not in response["reply"] or "没" in response["reply"]
    await asyncio.sleep(0.4)  # the network drops; no plug: nothing can turn it on
    response = await voice(hass, "打开投影仪")
    assert response["outcome"] == "no_plug"
    assert "插座" in response["reply"]


async def test_two_projectors(hass: HomeAssistant, start_sim: StartSim) -> None:
    first = await start_sim("gmui_android12")
    second = await start_sim("gmui_android8")
    await add_projector(hass, first, name="客厅投影")
    await add_projector(hass, second, name="卧室投影")
    response = await voice(hass, "打开投影仪")
    assert response["matched"] is False
    assert response["refusal"] == "ambiguous"
    response = await voice(hass, "卧室投影音量调到百分之二十")
    assert response["target"] == "media_player.wo_shi_tou_ying"
    assert second.device.volume == 3
    response = await voice(
        hass, "投影仪音量调到百分之四十", entity_id="media_player.ke_ting_tou_ying"
    )
    assert first.device.volume == 6


async def test_power_on_through_the_plug(
    hass: HomeAssistant,
    start_sim: StartSim,
    fast_power: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plug cycle is answered at once with its progress; a quick wake as done."""
    monkeypatch.setattr(voice_executor, "QUICK_ANSWER_S", 0.3)
    sim = await start_sim("gmui_android12", mains_port=0)
    await setup_demo_plug(hass, sim)
    await add_projector(hass, sim, options=power_options(**{CONF_REARM_OFF_S: 1}))
    await voice(hass, "关闭投影仪")
    await asyncio.sleep(0.4)
    response = await voice(hass, "小爱同学，打开投影仪")
    assert response["outcome"] == "powering_on"
    assert response["reply"].startswith("好的，投影仪正在")
    await state_reaches(hass, MP, "idle")
    response = await voice(hass, "打开投影仪")
    assert response["outcome"] == "already"
    await voice(hass, "关闭投影仪")
    await asyncio.sleep(0.4)
    hass.config_entries.async_update_entry(
        hass.config_entries.async_entries(DOMAIN)[0],
        options=power_options(**{CONF_REARM_OFF_S: 0.2}),
    )
    await hass.async_block_till_done()
    response = await voice(hass, "打开投影仪", wait=True)
    assert response["outcome"] == "done"
    assert sim.device.state.value == "on"


async def test_a_replayed_request_id_runs_once(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await _sim_and_entry(hass, start_sim)
    first = await voice(hass, "投影仪音量调到百分之二十", request_id="conv:1700000000.5")
    assert first["matched"] is True
    assert sim.device.volume == 3
    sim.device.set_volume(9)
    replay = await voice(hass, "投影仪音量调到百分之二十", request_id="conv:1700000000.5")
    assert replay["matched"] is False
    assert replay["refusal"] == "duplicate"
    assert replay["reply"] == "", "a replay says nothing"
    assert sim.device.volume == 9
    other = await voice(hass, "投影仪音量调到百分之二十", request_id="conv:1700000007.0")
    assert other["matched"] is True
    assert sim.device.volume == 3


async def test_each_projector_has_its_own_source_names(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    first = await start_sim("gmui_android12")
    second = await start_sim("gmui_android8")
    await add_projector(hass, first, name="客厅投影", options={CONF_SOURCE_ALIASES: ["HDMI2=盒子"]})
    await add_projector(
        hass, second, name="卧室投影", options={CONF_SOURCE_ALIASES: ["HDMI1=盒子"]}
    )
    assert (await voice(hass, "客厅投影切到盒子"))["outcome"] == "done"
    assert first.device.source == "HDMI2"
    assert (await voice(hass, "卧室投影切到盒子"))["outcome"] == "done"
    assert second.device.source == "HDMI1"
    response = await voice(hass, "投影仪切到盒子")
    assert response["matched"] is False, "which one? refused, not guessed"
    with pytest.raises(vol.Invalid):
        await voice(hass, "打开投影仪", entity_id="all")


async def test_our_own_reply_coming_back_is_dropped(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """A speaker that logs its spoken answer sends the reply back: it is no command, and it is
    answered with silence (an answer could come back in turn)."""
    sim = await _sim_and_entry(hass, start_sim)
    first = await voice(hass, "投影仪音量调到百分之二十")
    assert first["reply"] == "好的，投影仪音量调到百分之二十"
    sim.device.set_volume(9)
    echo = await voice(hass, first["reply"])
    assert echo["matched"] is False
    assert echo["refusal"] == "echo"
    assert echo["reply"] == ""
    assert sim.device.volume == 9
    # Reply-shaped text is refused by the parser even when it is not the last reply.
    other = await voice(hass, "好的，投影仪音量调到百分之八十")
    assert other["refusal"] == "own_reply"
    assert other["reply"] == ""
    assert sim.device.volume == 9
    # The user's own command (without 好的) still runs.
    again = await voice(hass, "投影仪音量调到百分之二十")
    assert again["matched"] is True
    assert sim.device.volume == 3


async def test_every_new_sentence_of_a_conversation_log_runs_once_oldest_first(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Two sentences within one poll: the older one is only in ``history``."""
    sim = await _sim_and_entry(hass, start_sim)
    source = "sensor.xiaomi_lx06_dea6_conversation"
    response = await voice(
        hass,
        "投影仪静音",
        source=source,
        record_time=1000.0,
        history=["投影仪音量调到百分之二十", "今天天气怎么样"],
        previous=["今天天气怎么样", "讲个笑话"],
    )
    assert [r["text"] for r in response["records"]] == ["投影仪音量调到百分之二十", "投影仪静音"]
    assert [r["intent"] for r in response["records"]] == ["volume_set", "mute"]
    assert response["intent"] == "mute", "the top-level keys answer the newest sentence"
    assert sim.device.volume == 3
    assert sim.device.muted

    # The same record again (a replayed poll): nothing; an older one: nothing.
    sim.device.set_volume(9)
    for when in (1000.0, 990.0):
        replay = await voice(
            hass,
            "投影仪静音",
            source=source,
            record_time=when,
            history=["投影仪音量调到百分之二十", "今天天气怎么样"],
            previous=["今天天气怎么样"],
        )
        assert replay["refusal"] == "duplicate"
        assert replay["records"] == []
    # A stale window was shown in between: the next poll runs only what is really new.
    response = await voice(
        hass,
        "投影仪取消静音",
        source=source,
        record_time=1010.0,
        history=["投影仪静音", "投影仪音量调到百分之二十"],
        previous=["今天天气怎么样", "讲个笑话"],
    )
    assert [r["text"] for r in response["records"]] == ["投影仪取消静音"]
    assert sim.device.volume == 9
    assert not sim.device.muted
    # Back from unavailable (no previous poll): the history could be hours old, even if the
    # window handled last does not show it.
    response = await voice(
        hass,
        "投影仪取消静音",
        source=source,
        record_time=5000.0,
        history=["投影仪静音", "投影仪音量调到百分之二十"],
    )
    assert [r["text"] for r in response["records"]] == ["投影仪取消静音"]
    assert sim.device.volume == 9
    # Without a previous window the history's sentences may be old: only the newest runs.
    response = await voice(
        hass, "投影仪暂停", source="sensor.other", record_time=5.0, history=["关闭投影仪"]
    )
    assert [r["text"] for r in response["records"]] == ["投影仪暂停"]
    assert sim.device.state.value == "on"
    # A record without a query ("" newest) still runs the history sentence that is new.
    response = await voice(
        hass,
        "",
        source="sensor.other",
        record_time=6.0,
        history=["投影仪音量调到百分之四十", "投影仪暂停"],
        previous=["投影仪暂停", "关闭投影仪"],
    )
    assert [r["refusal"] for r in response["records"]] == [None, "empty"]
    assert sim.device.volume == 6


async def test_the_replay_after_a_return_is_dropped_other_sentences_run(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """ha_xiaomi_home sends the last virtual event again after the entity came back."""
    sim = await _sim_and_entry(hass, start_sim)
    source = "event.xiaomi_cn_123_hub1_virtual_event_e_4_1"
    # The first event after the return is the replay itself: dropped.
    first = await voice(
        hass, "关闭投影仪", require_name=False, source=source, replay_of="关闭投影仪"
    )
    assert first["refusal"] == "replay"
    assert first["reply"] == ""
    assert sim.device.state.value == "on"
    # Another return; a different sentence first runs at once, the late replay is dropped, and
    # the user saying it again afterwards is obeyed.
    other = await voice(
        hass, "静音", require_name=False, source=source, replay_of="关闭投影仪", replay_window=60
    )
    assert other["matched"] is True
    assert sim.device.muted
    late = await voice(hass, "关闭投影仪", require_name=False, source=source)
    assert late["refusal"] == "replay"
    assert sim.device.state.value == "on"
    again = await voice(hass, "关闭投影仪", require_name=False, source=source)
    assert again["matched"] is True
    assert sim.device.state.value == "standby"
    # After the replay window the same sentence is the user's.
    await voice(hass, "打开投影仪", require_name=False, source=source)
    await voice(hass, "投影仪静音", source=source, replay_of="投影仪取消静音", replay_window=0.2)
    await asyncio.sleep(0.3)
    response = await voice(hass, "投影仪取消静音", source=source)
    assert response["refusal"] != "replay"


async def test_per_source_fields_need_a_source(hass: HomeAssistant, start_sim: StartSim) -> None:
    await _sim_and_entry(hass, start_sim)
    with pytest.raises(vol.Invalid):
        await voice(hass, "投影仪静音", record_time=1.0)
    with pytest.raises(vol.Invalid):
        await voice(hass, "投影仪静音", replay_of="关闭投影仪")
