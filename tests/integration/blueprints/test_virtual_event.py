"""The virtual-event blueprint against a stand-in of Xiaomi Home's real event entity.

The entity's state is the time an event *arrived* (Home Assistant sets it), ``unknown`` before
its first event, and the old event restored when it comes back; Xiaomi Home then sends its last
virtual event again (``docs/xiaoai.md`` §2.1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import logging
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.xgimi_projector.const import DOMAIN

from ...conftest import StartSim
from .conftest import XiaomiHome
from .helpers import MP, Recorder, projector_on, settle, use_blueprints, wait_until
from .stand_ins import EVENT_ENTITY

VOLUMES = {"投影仪音量二十": "音量调到百分之二十", "投影仪音量六十": "音量调到百分之六十"}
V20, V60 = 3, 9
"""The simulator's volume steps (of 15) for 20 % and 60 %."""
REMOTE = 12
"""A volume somebody set with the remote since."""
REPLAY_LOG = "is the replay of its last one: ignored"


async def used(hass: HomeAssistant, home: XiaomiHome) -> None:
    """The entity has had events before (another scene's): it is no longer ``unknown``."""
    home.event.emit("打开空调")
    await settle(hass, 0.1)


def blueprint(**inputs: Any) -> tuple[str, str, dict[str, Any]]:
    return (
        "virtual_event",
        "xiaoai_virtual_event.yaml",
        {"event_entity": EVENT_ENTITY, "event_map": VOLUMES, "projector": MP, **inputs},
    )


async def test_the_first_event_of_a_new_entity_runs(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_home: Callable[..., Awaitable[XiaomiHome]],
) -> None:
    """A brand-new event entity is ``unknown`` until its first event: that event must run (it
    is the user's first command after setting up)."""
    sim = await projector_on(hass, start_sim)
    home = await xiaomi_home()
    assert hass.states.get(EVENT_ENTITY).state == "unknown"
    rec = Recorder(hass)
    await use_blueprints(hass, blueprint())

    home.event.emit("投影仪音量二十")
    await wait_until(hass, lambda: sim.device.volume == V20, "volume 20 %")
    [call] = rec.voice_calls()
    assert call["text"] == "音量调到百分之二十"
    assert call["require_name"] is False
    assert call["entity_id"] == [MP]
    assert call["source"] == EVENT_ENTITY
    # An event name that is not mapped: nothing.
    home.event.emit("打开空调")
    await settle(hass)
    assert len(rec.voice_calls()) == 1


async def test_a_replay_after_a_return_never_runs_a_different_event_runs_at_once(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_home: Callable[..., Awaitable[XiaomiHome]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Reconnect, integration reload, Home Assistant restart: the replay of the last event is
    dropped however late it comes (within the replay window, whatever the start-up guard), even
    after other events; a different event runs at once."""
    caplog.set_level(logging.INFO, logger=f"custom_components.{DOMAIN}")
    sim = await projector_on(hass, start_sim)
    home = await xiaomi_home()
    await used(hass, home)
    await use_blueprints(hass, blueprint(startup_guard=1))
    await settle(hass, 1.1)  # past the start-up guard
    home.event.emit("投影仪音量二十")
    await wait_until(hass, lambda: sim.device.volume == V20, "volume 20 %")
    await settle(hass, 1.2)  # the return comes later than the last event

    # Reconnect: unavailable, then back with the old event; later the hub sends it again.
    home.event.set_online(False)
    home.event.set_online(True)
    assert hass.states.get(EVENT_ENTITY).attributes["事件名称"] == "投影仪音量二十"
    await settle(hass, 1.5)  # later than the start-up guard
    sim.device.set_volume(REMOTE)
    home.event.emit("投影仪音量二十")
    await settle(hass, 0.6)
    assert sim.device.volume == REMOTE, "the late replay must not undo the remote"
    assert REPLAY_LOG in caplog.text
    home.event.emit("投影仪音量六十")
    await wait_until(hass, lambda: sim.device.volume == V60, "a different event at once")
    await settle(hass, 1.2)

    # Integration reload: a different event first (it runs), then the late replay (dropped),
    # then the user saying it again (runs).
    await home.reload()
    assert hass.states.get(EVENT_ENTITY).attributes["事件名称"] == "投影仪音量六十"
    home.event.emit("投影仪音量二十")
    await wait_until(hass, lambda: sim.device.volume == V20, "a different event at once")
    sim.device.set_volume(REMOTE)
    caplog.clear()
    home.event.emit("投影仪音量六十")
    await settle(hass, 0.6)
    assert sim.device.volume == REMOTE
    assert REPLAY_LOG in caplog.text
    home.event.emit("投影仪音量六十")
    await wait_until(hass, lambda: sim.device.volume == V60, "the user again")
    await settle(hass, 1.2)

    # Restart: no state, then the restored one; the replay is dropped.
    await home.restart()
    assert hass.states.get(EVENT_ENTITY).attributes["事件名称"] == "投影仪音量六十"
    sim.device.set_volume(REMOTE)
    caplog.clear()
    home.event.emit("投影仪音量六十")
    await settle(hass, 0.6)
    assert sim.device.volume == REMOTE
    assert REPLAY_LOG in caplog.text


async def test_after_the_replay_window_the_same_event_runs(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_home: Callable[..., Awaitable[XiaomiHome]],
) -> None:
    sim = await projector_on(hass, start_sim)
    home = await xiaomi_home()
    await used(hass, home)
    await use_blueprints(hass, blueprint(replay_window=1))
    home.event.emit("投影仪音量二十")
    await wait_until(hass, lambda: sim.device.volume == V20, "volume 20 %")
    await settle(hass, 1.2)
    home.event.set_online(False)
    home.event.set_online(True)
    await settle(hass, 1.2)
    sim.device.set_volume(REMOTE)
    home.event.emit("投影仪音量二十")
    await wait_until(hass, lambda: sim.device.volume == V20, "the user, after the window")


@pytest.mark.parametrize("language", ["de", "zh-Hant", "en"])
async def test_the_event_name_is_found_in_any_integration_language(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_home: Callable[..., Awaitable[XiaomiHome]],
    language: str,
) -> None:
    """The argument's attribute is named in Xiaomi Home's own language setting (Ereignisname,
    事件名稱, Event Name…), not HA's: the blueprint finds it without being told."""
    sim = await projector_on(hass, start_sim)
    home = await xiaomi_home(language)
    await used(hass, home)
    rec = Recorder(hass)
    await use_blueprints(hass, blueprint())
    home.event.emit("投影仪音量二十")
    await wait_until(hass, lambda: sim.device.volume == V20, "volume 20 %")
    assert rec.texts() == ["音量调到百分之二十"]


async def test_a_configured_attribute_key_is_used_as_given(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_home: Callable[..., Awaitable[XiaomiHome]],
) -> None:
    sim = await projector_on(hass, start_sim)
    home = await xiaomi_home("en")
    await used(hass, home)
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "english_key",
            "xiaoai_virtual_event.yaml",
            {"event_entity": EVENT_ENTITY, "event_key": "Event Name"},
        ),
        (
            "chinese_key",
            "xiaoai_virtual_event.yaml",
            {"event_entity": EVENT_ENTITY, "event_key": "事件名称"},
        ),
    )
    # The default mapping (打开/关闭投影仪), no projector chosen; the wrong key reads nothing.
    home.event.emit("关闭投影仪")
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    await settle(hass)
    assert rec.texts() == ["关闭投影仪"]
    assert rec.voice_calls()[0]["entity_id"] == []
