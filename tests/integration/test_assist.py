"""Assist in Chinese: ``conversation.process`` (zh-cn) with our sentences and intents, on the
simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.media_player.const import DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar, entity_registry as er, intent
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.xgimi_projector.const import CONF_APPS, CONF_SOURCE_ALIASES
from custom_components.xgimi_projector.intents import (
    INTENT_AUTOFOCUS,
    INTENT_MUTE,
    INTENT_SELECT_SOURCE,
    INTENT_SET_VOLUME,
    INTENT_UNMUTE,
    INTENT_VOLUME_RELATIVE,
)
from custom_components.xgimi_projector.projector import KEYCODES, normalize_key_name
from custom_components.xgimi_projector.sentences import MARKER, sentences_path
from simulator import Simulator

from ..conftest import StartSim
from .conftest import add_projector, state_reaches

MP = "media_player.projector"
NO_INTENT = "抱歉，我无法理解您的意思，你可以尝试换个说法"
"""Home Assistant's own zh-cn answer when no sentence matches."""


async def _assist(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "intent", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()


def muted(sim: Simulator) -> bool:
    """Whether the simulated projector is muted now (read afresh after each command)."""
    return sim.device.muted


def _media_player(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        MEDIA_PLAYER_DOMAIN, "xgimi_projector", str(entry.unique_id)
    )
    assert entity_id is not None
    return entity_id


def _switch(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "switch", "xgimi_projector", f"{entry.unique_id}_assist_sentences"
    )
    assert entity_id is not None
    return entity_id


async def _sentences_on(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": _switch(hass, entry)}, blocking=True
    )


async def _ready(
    hass: HomeAssistant, start_sim: StartSim, name: str = "投影仪", **options: Any
) -> tuple[Simulator, MockConfigEntry]:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim, name=name, options=options or None)
    await _assist(hass)
    await _sentences_on(hass, entry)
    return sim, entry


async def say(hass: HomeAssistant, text: str) -> tuple[str, str]:
    """``(response_type, speech)`` of Home Assistant's conversation agent for ``text``."""
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": "zh-cn"},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    response: dict[str, Any] = result["response"]  # type: ignore[assignment]
    return response["response_type"], response["speech"]["plain"]["speech"]


async def test_every_sentence_class(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, entry = await _ready(hass, start_sim)
    maximum = sim.device.volume_max

    assert await say(hass, "音量调到三十") == ("action_done", "好的，投影仪音量调到百分之二十七")
    assert sim.device.volume == round(0.3 * maximum)
    kind, speech = await say(hass, "音量调到百分之六十")
    assert (kind, sim.device.volume) == ("action_done", round(0.6 * maximum))
    assert speech == "好的，投影仪音量调到百分之六十"
    await say(hass, "把投影仪的音量调到5格")
    assert sim.device.volume == 5

    kind, speech = await say(hass, "音量调高")
    assert (kind, sim.device.volume) == ("action_done", 7)
    assert speech.startswith("好的，投影仪音量调高了，现在是百分之")
    await say(hass, "投影仪声音调低三格")
    assert sim.device.volume == 4
    await say(hass, "小声点")
    assert sim.device.volume == 2

    assert await say(hass, "静音") == ("action_done", "好的，投影仪已静音")
    assert muted(sim)
    assert await say(hass, "投影仪静音") == ("action_done", "投影仪已经是静音了")
    assert await say(hass, "取消静音") == ("action_done", "好的，投影仪已取消静音")
    assert not muted(sim)

    assert await say(hass, "切换到HDMI1") == ("action_done", "好的，已切换到HDMI1")
    assert sim.device.source == "HDMI1"

    before = len(sim.device.key_log)
    assert await say(hass, "自动对焦") == ("action_done", "好的，投影仪正在自动对焦")
    assert [e.code for e in sim.device.key_log[before:]] == [
        KEYCODES[normalize_key_name("autofocus")]
    ]

    # Home Assistant's own sentences still work next to ours.
    kind, _ = await say(hass, "打开投影仪")
    assert kind == "action_done"
    kind, _ = await say(hass, "关闭投影仪")
    assert kind == "action_done"
    # Home Assistant's intent lets a service run on in the background after 0.2 s.
    await state_reaches(hass, _media_player(hass, entry), "off")
    assert sim.device.state.value == "standby"
    # A command for a projector that is off is answered, as the voice action does.
    assert await say(hass, "静音") == ("error", "投影仪现在连不上，请检查网络")


async def test_refusals_send_nothing(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await _ready(hass, start_sim)
    sim.device.set_volume(5)
    keys = len(sim.device.key_log)
    source = sim.device.source
    for text, speech in (
        ("音量调到一百五十", "抱歉，我没听懂"),
        ("音量调到很多", "抱歉，我没听懂"),
        ("音量调高一百零一格", "抱歉，我没听懂"),
        ("切换到HDMI3", "抱歉，投影仪不能直接切换到HDMI3，可以切换到"),
        ("切换到爱奇艺然后关机", "抱歉，投影仪不能直接切换到爱奇艺然后关机，可以切换到"),
    ):
        kind, said = await say(hass, text)
        assert kind == "error", text
        assert said.startswith(speech), (text, said)
    # Nothing was sent: no key, the same volume and source.
    assert len(sim.device.key_log) == keys
    assert (sim.device.volume, sim.device.source, sim.device.muted) == (5, source, False)
    assert await say(hass, "今天天气怎么样呀投影仪") == ("error", NO_INTENT)


async def test_source_alias_and_named_projector(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim, _ = await _ready(
        hass, start_sim, name="客厅投影仪", **{CONF_APPS: [], CONF_SOURCE_ALIASES: ["HDMI2=盒子"]}
    )
    assert await say(hass, "请把客厅投影仪切换到盒子") == ("action_done", "好的，已切换到HDMI2")
    assert sim.device.source == "HDMI2"
    kind, _ = await say(hass, "客厅投影仪的音量调到三十")
    assert kind == "action_done"
    assert sim.device.volume == round(0.3 * sim.device.volume_max)
    # 投影仪 is any projector; a name that is none of ours is not our sentence.
    kind, speech = await say(hass, "卧室投影仪静音")
    assert kind == "error"
    assert "卧室投影仪" in speech, "Home Assistant's own answer: no device of that name"
    assert not muted(sim)
    assert (await say(hass, "投影仪静音"))[0] == "action_done"
    assert muted(sim)


async def test_two_projectors_by_name_and_area(hass: HomeAssistant, start_sim: StartSim) -> None:
    first = await start_sim("gmui_android12")
    second = await start_sim("gmui_android8")
    living = await add_projector(hass, first, name="客厅投影仪")
    bedroom = await add_projector(hass, second, name="卧室投影仪")
    await _assist(hass)
    await _sentences_on(hass, living)
    await hass.async_block_till_done()
    # Both switches show the one file.
    assert hass.states.get(_switch(hass, bedroom)).state == "on"  # type: ignore[union-attr]
    text = sentences_path(hass.config.config_dir).read_text(encoding="utf-8")
    assert "卧室投影仪" in text
    assert "客厅投影仪" in text

    assert await say(hass, "静音") == ("error", "抱歉，我不确定你要做什么，请一次说一个操作")
    assert not muted(first)
    assert not muted(second)
    assert (await say(hass, "卧室投影仪静音"))[0] == "action_done"
    assert muted(second)
    assert not muted(first)

    # The speaking device's area picks the projector there.
    area = ar.async_get(hass).async_create("书房")
    er.async_get(hass).async_update_entity(_media_player(hass, living), area_id=area.id)
    response = await intent.async_handle(
        hass,
        "test",
        INTENT_MUTE,
        {"preferred_area_id": {"value": area.id}},
        assistant="conversation",
    )
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert muted(first)
    # By area name, as Home Assistant's media player intents take it.
    response = await intent.async_handle(
        hass, "test", INTENT_UNMUTE, {"area": {"value": "书房"}}, assistant="conversation"
    )
    assert response.speech["plain"]["speech"] == "好的，客厅投影仪已取消静音"
    assert not muted(first)


async def test_intents_as_tools(hass: HomeAssistant, start_sim: StartSim) -> None:
    """What an LLM agent sees and calls: descriptions, slot schemas, values in any form."""
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim, name="投影仪")
    await _assist(hass)
    ours = {
        INTENT_SET_VOLUME,
        INTENT_VOLUME_RELATIVE,
        INTENT_MUTE,
        INTENT_UNMUTE,
        INTENT_SELECT_SOURCE,
        INTENT_AUTOFOCUS,
    }
    handlers = {h.intent_type: h for h in intent.async_get(hass) if h.intent_type in ours}
    assert set(handlers) == ours
    for handler in handlers.values():
        assert handler.description
        assert handler.slot_schema is not None
        assert "name" in {str(key) for key in handler.slot_schema}
        assert handler.platforms == {MEDIA_PLAYER_DOMAIN}

    async def call(intent_type: str, **slots: Any) -> intent.IntentResponse:
        return await intent.async_handle(
            hass, "test", intent_type, {k: {"value": v} for k, v in slots.items()}
        )

    await call(INTENT_SET_VOLUME, volume=40, name="投影仪")
    assert sim.device.volume == round(0.4 * sim.device.volume_max)
    await call(INTENT_VOLUME_RELATIVE, direction="down", amount="3格")
    assert sim.device.volume == round(0.4 * sim.device.volume_max) - 3
    response = await call(INTENT_SELECT_SOURCE, source="hdmi2")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert sim.device.source == "HDMI2"
    with pytest.raises(intent.InvalidSlotInfo):
        await call(INTENT_VOLUME_RELATIVE, direction="sideways")
    # An amount that makes it another command is refused, not run as that command.
    volume = sim.device.volume
    response = await call(INTENT_VOLUME_RELATIVE, direction="up", amount="到三十")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.speech["plain"]["speech"] == "抱歉，我没听懂"
    assert sim.device.volume == volume
    with pytest.raises(intent.MatchFailedError):
        await call(INTENT_MUTE, name="电视")


async def test_no_projector_loaded(hass: HomeAssistant) -> None:
    await _assist(hass)
    assert await async_setup_component(hass, "xgimi_projector", {})
    with pytest.raises(intent.MatchFailedError):
        await intent.async_handle(hass, "test", INTENT_AUTOFOCUS, {})


async def test_the_file_goes_with_the_last_projector(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    living = await add_projector(hass, await start_sim("gmui_android12"), name="客厅投影仪")
    bedroom = await add_projector(hass, await start_sim("gmui_android8"), name="卧室投影仪")
    await _assist(hass)
    await _sentences_on(hass, living)
    path = sentences_path(hass.config.config_dir)
    assert await hass.config_entries.async_remove(living.entry_id)
    await hass.async_block_till_done()
    assert path.exists(), "another projector still uses it"
    assert await hass.config_entries.async_remove(bedroom.entry_id)
    await hass.async_block_till_done()
    assert not path.exists()
    assert await say(hass, "静音") == ("error", NO_INTENT)


async def test_switch_writes_removes_and_refuses_a_foreign_file(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim, name="投影仪")
    await _assist(hass)
    switch = _switch(hass, entry)
    path = sentences_path(hass.config.config_dir)
    state = hass.states.get(switch)
    assert state is not None
    assert state.state == "off"
    assert state.attributes.get("friendly_name") == "投影仪 Chinese Assist sentences"
    assert er.async_get(hass).async_get(switch).entity_category == "config"  # type: ignore[union-attr]
    assert await say(hass, "静音") == ("error", NO_INTENT)

    await _sentences_on(hass, entry)
    assert path.read_text(encoding="utf-8").startswith(MARKER)
    assert hass.states.get(switch).state == "on"  # type: ignore[union-attr]
    assert (await say(hass, "静音"))[0] == "action_done"
    assert muted(sim)
    await _sentences_on(hass, entry)  # again: nothing changes

    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert not path.exists()
    assert hass.states.get(switch).state == "off"  # type: ignore[union-attr]
    assert await say(hass, "取消静音") == ("error", NO_INTENT)
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)

    foreign = "intents:\n  HassNevermind:\n    data:\n      - sentences: [算了]\n"
    path.write_text(foreign, encoding="utf-8")
    for service in ("turn_on", "turn_off"):
        with pytest.raises(HomeAssistantError) as caught:
            await hass.services.async_call("switch", service, {"entity_id": switch}, blocking=True)
        assert caught.value.translation_key == "assist_sentences_foreign"
        assert path.read_text(encoding="utf-8") == foreign
    assert hass.states.get(switch).state == "off"  # type: ignore[union-attr]

    path.unlink()
    path.mkdir()  # a directory of that name: not ours either
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert caught.value.translation_key == "assist_sentences_foreign"
    assert path.is_dir()


async def test_a_file_that_cannot_be_written_is_reported(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim, name="投影仪")
    switch = _switch(hass, entry)
    blocker = Path(hass.config.config_dir) / "custom_sentences"
    blocker.write_text("not a directory", encoding="utf-8")
    for service in ("turn_on", "turn_off"):
        with pytest.raises(HomeAssistantError) as caught:
            await hass.services.async_call("switch", service, {"entity_id": switch}, blocking=True)
        assert caught.value.translation_key == "assist_sentences_failed"
        assert str(sentences_path(hass.config.config_dir)) in str(caught.value)
    assert blocker.read_text(encoding="utf-8") == "not a directory"


async def test_the_file_follows_the_projectors_names_at_start(
    hass: HomeAssistant, start_sim: StartSim, caplog: pytest.LogCaptureFixture
) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim, name="投影仪")
    await _assist(hass)
    await _sentences_on(hass, entry)
    er.async_get(hass).async_update_entity(_media_player(hass, entry), aliases={"大屏幕"})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert "大屏幕" in sentences_path(hass.config.config_dir).read_text(encoding="utf-8")
    assert (await say(hass, "大屏幕静音"))[0] == "action_done"
    assert muted(sim)

    # A file that cannot be written again is reported, and left as it was.
    path = sentences_path(hass.config.config_dir)
    before = path.read_text(encoding="utf-8")
    path.with_name(f".{path.name}.tmp").mkdir()
    er.async_get(hass).async_update_entity(_media_player(hass, entry), aliases={"小屏幕"})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert "Could not update the Chinese Assist sentences" in caplog.text
    assert path.read_text(encoding="utf-8") == before
    assert hass.states.get(_switch(hass, entry)).state == "on"  # type: ignore[union-attr]


async def test_media_player_volume_step_and_mute(hass: HomeAssistant, start_sim: StartSim) -> None:
    """What Home Assistant's relative-volume and mute intents call on the media player."""
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    sim.device.set_volume(5)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": MP}, blocking=True
    )
    state = hass.states.get(MP)
    assert state is not None
    assert state.attributes["is_volume_muted"] is False
    component = hass.data[MEDIA_PLAYER_DOMAIN]
    entity = component.get_entity(MP)
    assert entity.volume_step == pytest.approx(1 / sim.device.volume_max)
    await entity.async_volume_up()
    assert sim.device.volume == 6
    await entity.async_volume_down()
    assert sim.device.volume == 5
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN,
        "volume_mute",
        {"entity_id": MP, "is_volume_muted": True},
        blocking=True,
    )
    assert muted(sim)
    await entry.runtime_data.async_refresh()
    assert hass.states.get(MP).attributes["is_volume_muted"] is True  # type: ignore[union-attr]
