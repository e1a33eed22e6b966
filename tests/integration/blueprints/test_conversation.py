"""The conversation blueprint against a stand-in of Xiaomi Miot Auto's conversation sensor.

Each poll fetches the newest three records of the speaker's log: the newest is the state,
``content`` and ``timestamp``; the older ones are ``history`` (queries only, no times); a failed
poll keeps the state and clears the attributes (``docs/xiaoai.md`` §1.2).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.xgimi_projector.const import DOMAIN

from ...conftest import StartSim
from .conftest import XiaomiMiot
from .helpers import MP, Recorder, projector_on, settle, use_blueprints, wait_until
from .stand_ins import CONVERSATION, SPEAKER, ConversationLog

now = dt_util.utcnow


def blueprint(alias: str = "conversation", **inputs: Any) -> tuple[str, str, dict[str, Any]]:
    return (
        alias,
        "xiaoai_conversation.yaml",
        {"conversation_sensor": CONVERSATION, "speaker": SPEAKER, **inputs},
    )


async def test_fresh_named_commands_run_once_and_are_answered(
    hass: HomeAssistant, start_sim: StartSim, xiaomi_miot: XiaomiMiot
) -> None:
    sim = await projector_on(hass, start_sim)
    log = xiaomi_miot.log
    log.say("今天天气怎么样", now() - timedelta(minutes=10))
    log.poll()
    rec = Recorder(hass)
    await use_blueprints(hass, blueprint(cut_answer=True, freshness=30))

    # A stale record (newer than the previous one, but older than the freshness): nothing.
    log.say("投影仪音量调到百分之二十", now() - timedelta(minutes=5))
    log.poll()
    await settle(hass)
    assert rec.texts() == []

    # A fresh sentence naming the projector: run, cut Xiaoai's answer, speak the reply.
    said = log.say("小爱同学，投影仪音量调到百分之二十", now() - timedelta(seconds=3))
    log.poll()
    await wait_until(hass, lambda: len(xiaomi_miot.spoken) == 1, "the reply")
    assert sim.device.volume == 3
    assert rec.texts() == ["小爱同学，投影仪音量调到百分之二十"]
    [call] = rec.voice_calls()
    assert call["require_name"] is True
    assert call["source"] == CONVERSATION
    assert call["history"] == ["投影仪音量调到百分之二十", "今天天气怎么样"]
    assert xiaomi_miot.speaker.pauses == 1
    reply = xiaomi_miot.spoken[0].data
    assert reply["entity_id"] == SPEAKER
    assert reply["execute"] is False
    assert reply["silent"] is False
    assert reply["text"] == "好的，投影仪音量调到百分之二十"

    # The same record again after a failed poll, after unavailable, and an old window the cloud
    # answers with: nothing runs again.
    sim.device.set_volume(9)
    log.fail()
    await settle(hass, 0.1)
    log.poll()
    await settle(hass)
    log.unavailable()
    await settle(hass, 0.1)
    log.poll()
    await settle(hass)
    log.poll(upto=said - timedelta(seconds=1))
    await settle(hass, 0.1)
    log.poll()
    await settle(hass)
    assert sim.device.volume == 9
    assert len(xiaomi_miot.spoken) == 1

    # Sentences for Xiaoai itself (no projector named, another device): refused by
    # voice_command, and the speaker is left alone.
    log.say("暂停")
    log.poll()
    await settle(hass)
    log.say("打开空调")
    log.poll()
    await settle(hass)
    assert xiaomi_miot.speaker.pauses == 1
    assert len(xiaomi_miot.spoken) == 1
    # A record without a query keeps the old state: the old text must not run again.
    log.say(None)
    log.poll()
    await settle(hass)
    assert [c["text"] for c in rec.voice_calls()][-1] == ""

    # Later commands still work.
    log.say("关闭投影仪")
    log.poll()
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    await wait_until(hass, lambda: len(xiaomi_miot.spoken) == 2, "the second reply")
    assert xiaomi_miot.speaker.pauses == 2


async def test_every_sentence_of_a_poll_runs_oldest_first_each_once(
    hass: HomeAssistant, start_sim: StartSim, xiaomi_miot: XiaomiMiot
) -> None:
    """Two or three sentences said within one poll: the older ones are only in ``history``."""
    sim = await projector_on(hass, start_sim)
    log = xiaomi_miot.log
    log.say("今天天气怎么样", now() - timedelta(minutes=10))
    log.poll()
    await use_blueprints(hass, blueprint())

    log.say("投影仪音量调到百分之二十")
    log.say("投影仪静音")
    log.poll()
    await wait_until(hass, lambda: len(xiaomi_miot.spoken) == 1, "the reply")
    assert sim.device.volume == 3
    assert sim.device.muted
    assert (
        xiaomi_miot.spoken[0].data["text"] == "好的，投影仪音量调到百分之二十。好的，投影仪已静音"
    )

    # A failed poll in between, then two sentences: both run, the old ones do not.
    log.fail()
    await settle(hass, 0.1)
    sim.device.set_volume(9)
    log.say("投影仪取消静音")
    log.say("投影仪音量调到百分之四十")
    log.poll()
    await wait_until(hass, lambda: len(xiaomi_miot.spoken) == 2, "the second reply")
    assert sim.device.volume == 6
    assert not sim.device.muted
    assert (
        xiaomi_miot.spoken[1].data["text"]
        == "好的，投影仪已取消静音。好的，投影仪音量调到百分之四十"
    )

    # Three within one poll (the whole window), in the order they were said.
    log.say("投影仪音量调到百分之二十")
    log.say("打开空调")
    log.say("投影仪静音")
    log.poll()
    await wait_until(hass, lambda: len(xiaomi_miot.spoken) == 3, "the third reply")
    assert sim.device.volume == 3
    assert sim.device.muted


async def test_our_reply_logged_by_the_speaker_is_never_a_command(
    hass: HomeAssistant, start_sim: StartSim, xiaomi_miot: XiaomiMiot
) -> None:
    """If the speaker logs its spoken answer as a record, the reply comes back as a sentence:
    "好的，投影仪音量调到百分之二十" must not set the volume again, nor be answered."""
    sim = await projector_on(hass, start_sim)
    log = xiaomi_miot.log
    xiaomi_miot.logs_answers = True
    log.say("今天天气怎么样", now() - timedelta(minutes=10))
    log.poll()
    rec = Recorder(hass)
    await use_blueprints(hass, blueprint())

    log.say("投影仪音量调到百分之二十")
    log.poll()
    await wait_until(hass, lambda: len(xiaomi_miot.spoken) == 1, "the reply")
    assert log.records[-1][1] == "好的，投影仪音量调到百分之二十", "the speaker logged it"
    sim.device.set_volume(12)
    log.poll()
    await settle(hass, 0.6)
    assert rec.texts()[-1] == "好的，投影仪音量调到百分之二十"
    assert sim.device.volume == 12
    assert len(xiaomi_miot.spoken) == 1


async def test_reply_options_and_a_reply_that_cannot_be_spoken(
    hass: HomeAssistant, start_sim: StartSim, xiaomi_miot: XiaomiMiot
) -> None:
    """Reply off: the speaker is left alone. A TTS entity: tts.speak instead of xiaomi_miot.
    A speaker that is not Xiaomi Miot Auto's, without TTS: a notification says so."""
    sim = await projector_on(hass, start_sim)
    tts_calls = async_mock_service(hass, "tts", "speak")
    logs = {
        name: ConversationLog(hass, f"sensor.xiaomi_{name}_conversation")
        for name in ("x08c_77aa", "l05c_0b1d")
    }
    for log in (xiaomi_miot.log, *logs.values()):
        log.say("今天天气怎么样", now() - timedelta(minutes=1))
        log.poll()
    hass.states.async_set("media_player.kitchen", "idle", {})
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        blueprint("quiet", reply=False),
        (
            "with_tts",
            "xiaoai_conversation.yaml",
            {
                "conversation_sensor": logs["x08c_77aa"].entity_id,
                "speaker": SPEAKER,
                "tts_entity": "tts.edge_tts",
                "projector": MP,
            },
        ),
        (
            "other_speaker",
            "xiaoai_conversation.yaml",
            {"conversation_sensor": logs["l05c_0b1d"].entity_id, "speaker": "media_player.kitchen"},
        ),
    )
    xiaomi_miot.log.say("投影仪静音")
    xiaomi_miot.log.poll()
    await wait_until(hass, lambda: sim.device.muted, "muted")
    await settle(hass)
    assert xiaomi_miot.speaker.pauses == 0
    assert xiaomi_miot.spoken == []
    assert tts_calls == []

    logs["x08c_77aa"].say("投影仪取消静音")
    logs["x08c_77aa"].poll()
    await wait_until(hass, lambda: not sim.device.muted, "unmuted")
    await wait_until(hass, lambda: len(tts_calls) == 1, "the TTS reply")
    assert tts_calls[0].data["entity_id"] == ["tts.edge_tts"]
    assert tts_calls[0].data["media_player_entity_id"] == SPEAKER
    assert tts_calls[0].data["message"] == "好的，投影仪已取消静音"
    assert xiaomi_miot.spoken == []
    assert rec.notified() == []

    logs["l05c_0b1d"].say("投影仪静音")
    logs["l05c_0b1d"].poll()
    await wait_until(hass, lambda: rec.reply_failures != [], "the failure event")
    assert sim.device.muted
    assert rec.reply_failures == [
        {
            "automation": "automation.other_speaker",
            "target": "media_player.kitchen",
            "reason": "not_xiaomi_miot",
            "reply": "好的，投影仪已静音",
        }
    ]
    [notification] = rec.notified()
    assert "media_player.kitchen" in notification["message"]
    assert len([c for c in rec.calls if c[0] == DOMAIN]) == 3
