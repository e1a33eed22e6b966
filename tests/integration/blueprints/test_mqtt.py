"""The MQTT blueprint against HA's real MQTT client and a real mosquitto broker."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.components import mqtt
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ...conftest import StartSim
from .helpers import MP, Recorder, projector_on, settle, use_blueprints, wait_until


async def test_mqtt_text_runs_and_the_reply_is_published(
    hass: HomeAssistant, start_sim: StartSim, mosquitto: int, mock_hass_config: None
) -> None:
    """HA's real MQTT client (not the ``mqtt_mock`` fixtures) against mosquitto.

    MQTT's entry set-up reads configuration.yaml, which the test config directory does not
    have: ``mock_hass_config`` serves an empty one, as Home Assistant's own MQTT tests do.
    """
    sim = await projector_on(hass, start_sim)
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN,
        data={mqtt.CONF_BROKER: "127.0.0.1", CONF_PORT: mosquitto},
        options={mqtt.CONF_DISCOVERY: False},
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_until(hass, lambda: mqtt.is_connected(hass), "the MQTT client to connect")
    received: dict[str, list[str]] = {"xiaoai/reply": [], "bridge/reply": [], "probe": []}
    json_replies: list[dict[str, Any]] = []

    @callback
    def _received(message: mqtt.ReceiveMessage) -> None:
        received[message.topic].append(str(message.payload))
        if message.topic == "bridge/reply":
            json_replies.append(json.loads(message.payload))

    unsubscribe = [
        await mqtt.async_subscribe(hass, topic, _received)
        for topic in ("xiaoai/reply", "bridge/reply")
    ]
    replies = received["xiaoai/reply"]
    # A bridge that published with retain: the broker hands the old sentence to every new
    # subscription (here: the automation starting), which the start-up guard must ignore.
    await mqtt.async_publish(hass, "xiaoai/asr", "投影仪关机", retain=True)
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "mqtt_plain",
            "voice_text_mqtt.yaml",
            {"reply_topic": "xiaoai/reply", "startup_guard": 3},
        ),
        (
            "mqtt_json",
            "voice_text_mqtt.yaml",
            {
                "topic": "bridge/asr",
                "json_key": "data.text",
                "projector": MP,
                "require_name": False,
                "reply_topic": "bridge/reply",
                "reply_format": "json",
                "startup_guard": 0,
            },
        ),
    )

    started = hass.states.get("automation.mqtt_plain").last_changed

    def elapsed() -> float:
        return (dt_util.utcnow() - started).total_seconds()

    # HA sends SUBSCRIBE after a short cooldown: a probe subscribed after the automations'
    # triggers coming back through the broker means theirs are active too (and the retained
    # message has been delivered).
    unsubscribe.append(await mqtt.async_subscribe(hass, "probe", _received))
    while not received["probe"]:
        await mqtt.async_publish(hass, "probe", "ping")
        await settle(hass, 0.1)

    # JSON with a nested key and require_name off; every result is published as JSON.
    await mqtt.async_publish(hass, "bridge/asr", json.dumps({"data": {"text": "投影仪开着吗"}}))
    await mqtt.async_publish(hass, "bridge/asr", json.dumps({"data": {"other": "关闭投影仪"}}))
    await mqtt.async_publish(hass, "bridge/asr", "关闭投影仪")  # not JSON: no text
    await wait_until(hass, lambda: len(json_replies) == 1, "the JSON reply")
    await mqtt.async_publish(hass, "bridge/asr", json.dumps({"data": {"text": "静音"}}))
    await wait_until(hass, lambda: sim.device.muted, "muted")
    await wait_until(hass, lambda: len(json_replies) == 2, "the second JSON reply")
    assert json_replies[0]["matched"] is True
    assert json_replies[0]["intent"] == "query"
    assert json_replies[0]["target"] == MP
    assert json_replies[1]["intent"] == "mute"
    assert json_replies[1]["outcome"] == "done"
    assert rec.texts() == ["投影仪开着吗", "静音"]
    assert elapsed() < 3, "too slow to check the start-up guard"
    assert sim.device.state.value == "on", "the retained sentence was ignored"
    assert replies == []

    # After the guard: plain text on the default topic runs, and only the sentence comes back.
    await settle(hass, 3.05 - elapsed())
    await mqtt.async_publish(hass, "xiaoai/asr", "小爱同学，投影仪音量调到百分之四十")
    await wait_until(hass, lambda: sim.device.volume == 6, "volume 40 %")
    await wait_until(hass, lambda: len(replies) == 1, "the reply")
    assert "百分之四十" in replies[0]
    # Not understood: no reply in text format (Xiaoai answers by itself); empty: nothing.
    await mqtt.async_publish(hass, "xiaoai/asr", "今天天气怎么样")
    await mqtt.async_publish(hass, "xiaoai/asr", "")
    await mqtt.async_publish(hass, "xiaoai/asr", "投影仪关机")
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    await wait_until(hass, lambda: len(replies) == 2, "the second reply")
    assert rec.texts()[2:] == ["小爱同学，投影仪音量调到百分之四十", "今天天气怎么样", "投影仪关机"]
    assert len(json_replies) == 2

    for unsub in unsubscribe:
        unsub()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
