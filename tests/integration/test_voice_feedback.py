"""Voice feedback where a person looks: the last voice command sensor, the logbook, and a
reply that could not be spoken."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from custom_components.xgimi_projector import logbook as our_logbook
from custom_components.xgimi_projector.const import DOMAIN
from custom_components.xgimi_projector.voice_feedback import (
    EVENT_VOICE_COMMAND,
    EVENT_VOICE_REPLY_FAILED,
)

from ..conftest import StartSim
from .conftest import add_projector

MP = "media_player.projector"
LAST = "sensor.projector_last_voice_command"


async def voice(hass: HomeAssistant, text: str) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "voice_command", {"text": text}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def test_the_last_command_its_outcome_and_reply_are_shown(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    assert hass.states.get(LAST).state == "unknown", "nothing said yet"
    events: list[Event] = []
    hass.bus.async_listen(EVENT_VOICE_COMMAND, callback(lambda event: events.append(event)))
    response = await voice(hass, "投影仪音量调到百分之六十")
    await hass.async_block_till_done()
    state = hass.states.get(LAST)
    assert state.state == response["reply"]
    assert state.attributes["text"] == "投影仪音量调到百分之六十"
    assert state.attributes["intent"] == "volume_set"
    assert state.attributes["outcome"] == "done"
    assert state.attributes["reply_status"] == "returned"
    assert events[-1].data["entity_id"] == MP
    assert events[-1].data["reply"] == response["reply"]
    # Not understood: shown too (on the only projector), with the refusal.
    response = await voice(hass, "投影仪跳个舞")
    await hass.async_block_till_done()
    state = hass.states.get(LAST)
    assert state.attributes["refusal"] == response["refusal"]
    assert state.attributes["intent"] is None

    # A blueprint could not speak the reply (a notify entity that takes two inputs …).
    response = await voice(hass, "投影仪音量调到百分之三十")
    hass.bus.async_fire(
        EVENT_VOICE_REPLY_FAILED,
        {"reason": "two_inputs", "reply": response["reply"], "target": "notify.x"},
    )
    await hass.async_block_till_done()
    state = hass.states.get(LAST)
    assert state.attributes["reply_status"] == "failed"
    assert state.attributes["reply_error"] == "two_inputs"


async def test_the_logbook_tells_what_was_said_and_answered(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    """Our logbook platform, called the way the logbook calls it, names the projector, the
    sentence and the reply."""
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    events: list[Event] = []
    hass.bus.async_listen(EVENT_VOICE_COMMAND, callback(lambda event: events.append(event)))
    response = await voice(hass, "投影仪音量调到百分之六十")
    await hass.async_block_till_done()
    described: dict[str, Any] = {}
    our_logbook.async_describe_events(
        hass, lambda _domain, event_type, describe: described.__setitem__(event_type, describe)
    )
    lazy = SimpleNamespace(data=events[-1].data, context_id=events[-1].context.id)
    entry = described[EVENT_VOICE_COMMAND](lazy)
    assert entry["entity_id"] == MP
    assert "投影仪音量调到百分之六十" in entry["message"]
    assert response["reply"] in entry["message"]
    failed = described[EVENT_VOICE_REPLY_FAILED](
        SimpleNamespace(data={"reason": "offline", "reply": "好的"}, context_id=None)
    )
    assert "offline" in failed["message"]


async def test_aliases_that_are_not_strings_are_ignored(
    hass: HomeAssistant, start_sim: StartSim, entity_registry: er.EntityRegistry
) -> None:
    """From Home Assistant 2026.4 an entity's aliases hold a placeholder object too."""
    sim = await start_sim("gmui_android12")
    await add_projector(hass, sim)
    entity_registry.async_update_entity(MP, aliases={"客厅投影"})
    entry = entity_registry.async_get(MP)
    assert entry is not None
    object.__setattr__(entry, "aliases", {"客厅投影", object()})
    response = await voice(hass, "客厅投影音量调到百分之六十")
    assert response["matched"] is True
