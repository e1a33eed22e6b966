"""The webhook blueprint; its reply through Xiaomi Home's "play text" notify entity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from ...conftest import StartSim
from .conftest import XiaomiHome
from .helpers import Recorder, projector_on, settle, use_blueprints, wait_until
from .stand_ins import EXECUTE_TEXT, PLAY_TEXT

URL = "/api/webhook/xgimi-voice-test-3f9a"


async def test_webhook_runs_posted_text_and_notifies_the_reply(
    hass: HomeAssistant, start_sim: StartSim, hass_client_no_auth: Any
) -> None:
    sim = await projector_on(hass, start_sim)
    assert await async_setup_component(hass, "webhook", {})
    notified = async_mock_service(hass, "notify", "send_message")
    hass.states.async_set("notify.xiaoai_play_text", "unknown", {})  # another integration's
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "webhook",
            "voice_text_webhook.yaml",
            {"webhook_id": "xgimi-voice-test-3f9a", "reply_notify": "notify.xiaoai_play_text"},
        ),
    )
    client = await hass_client_no_auth()

    # JSON body: run, and the reply goes to the notify entity (another integration's entity,
    # without Xiaomi Home's "action params": the plain text).
    response = await client.post(URL, json={"text": "投影仪音量调到百分之四十"})
    assert response.status == 200
    await wait_until(hass, lambda: sim.device.volume == 6, "volume 40 %")
    await wait_until(hass, lambda: len(notified) == 1, "the reply")
    assert notified[0].data["entity_id"] == ["notify.xiaoai_play_text"]
    assert notified[0].data["message"] == "好的，投影仪音量调到百分之四十"

    # GET is not allowed; a body without the text field and an unknown phrase do nothing.
    await client.get(URL, json={"text": "关闭投影仪"})
    await client.post(URL, json={"query": "关闭投影仪"})
    await client.post(URL, json={"text": "今天天气怎么样"})
    await settle(hass)
    assert rec.texts() == ["投影仪音量调到百分之四十", "今天天气怎么样"]
    assert len(notified) == 1, "no reply for what was not understood"
    assert sim.device.state.value == "on"

    # A form field works too (require_name on: 关机 alone is refused, with the name it runs).
    await client.post(URL, data={"text": "关机"})
    await settle(hass)
    assert sim.device.state.value == "on"
    await client.post(URL, data={"text": "投影仪关机"})
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    assert rec.texts()[-2:] == ["关机", "投影仪关机"]
    assert rec.notified() == []


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
async def test_the_reply_goes_to_play_text_and_a_wrong_entity_is_reported(
    hass: HomeAssistant,
    start_sim: StartSim,
    hass_client_no_auth: Any,
    xiaomi_home: Callable[..., Awaitable[XiaomiHome]],
    caplog: pytest.LogCaptureFixture,
    language: str,
) -> None:
    """Xiaomi Home's "execute text directive" takes two inputs: given one text it only logs
    "invalid action params" and nothing is said. The blueprint sends to "play text" only, and
    says visibly when the reply could not be sent."""
    sim = await projector_on(hass, start_sim)
    assert await async_setup_component(hass, "webhook", {})
    home = await xiaomi_home(language)
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "webhook_play",
            "voice_text_webhook.yaml",
            {"webhook_id": "xgimi-play-text", "reply_notify": PLAY_TEXT},
        ),
        (
            "webhook_execute",
            "voice_text_webhook.yaml",
            {"webhook_id": "xgimi-execute-text", "reply_notify": EXECUTE_TEXT},
        ),
    )
    client = await hass_client_no_auth()

    # The fact: one text to "execute text directive" is only logged, nothing runs.
    with caplog.at_level(logging.ERROR):
        await hass.services.async_call(
            "notify", "send_message", {"entity_id": EXECUTE_TEXT, "message": "好的"}, blocking=True
        )
    assert "invalid action params" in caplog.text
    assert home.execute_text.sent == []

    # "play text": the reply is spoken exactly (Xiaomi Home reads the message as YAML).
    await client.post("/api/webhook/xgimi-play-text", json={"text": "投影仪静音"})
    await wait_until(hass, lambda: sim.device.muted, "muted")
    await wait_until(hass, lambda: home.play_text.sent != [], "the reply")
    assert home.play_text.sent == [["好的，投影仪已静音"]]
    assert rec.notified() == []
    assert rec.reply_failures == []

    # "execute text directive": not sent; a notification and an event say why.
    await client.post("/api/webhook/xgimi-execute-text", json={"text": "投影仪取消静音"})
    await wait_until(hass, lambda: not sim.device.muted, "unmuted")
    await wait_until(hass, lambda: rec.reply_failures != [], "the failure event")
    assert home.execute_text.sent == []
    assert rec.reply_failures == [
        {
            "automation": "automation.webhook_execute",
            "target": EXECUTE_TEXT,
            "reason": "not_play_text",
            "reply": "好的，投影仪已取消静音",
        }
    ]
    [notification] = rec.notified()
    assert (
        notification["notification_id"] == "xgimi_projector_voice_reply_automation.webhook_execute"
    )
    assert EXECUTE_TEXT in notification["message"]
    assert "播放文本" in notification["message"]

    # An unavailable "play text" entity: reported too, not swallowed.
    home.play_text._attr_available = False
    home.play_text.async_write_ha_state()
    await client.post("/api/webhook/xgimi-play-text", json={"text": "投影仪静音"})
    await wait_until(hass, lambda: len(rec.reply_failures) == 2, "the second failure event")
    assert rec.reply_failures[1]["reason"] == "unavailable"
    assert home.play_text.sent == [["好的，投影仪已静音"]]
