"""The Xiaoai / MQTT / webhook blueprints, run as real automations against the simulator.

Each blueprint is validated with Home Assistant's own blueprint schema, then instantiated with
``use_blueprint`` and driven through stand-in source entities shaped like the real ones
(ha_xiaomi_home's virtual-event entity, hass-xiaomi-miot's conversation sensor, a Mi switch).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
import json
import os
from pathlib import Path
import re
import shutil
import socket
import subprocess
import time
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.components import mqtt
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.components.media_player import (
    MediaPlayerEntity,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import CONF_PORT, EVENT_CALL_SERVICE, EVENT_STATE_CHANGED
from homeassistant.core import Context, Event, HomeAssistant, ServiceCall, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_mock_service,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from custom_components.xgimi_projector.const import (
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_PLUG,
    CONF_REARM_OFF_S,
    DOMAIN,
)
from custom_components.xgimi_projector.options import POWER_TIMINGS
from simulator import Simulator

from ..conftest import StartSim
from .conftest import add_projector, wait_for_state

MP = "media_player.projector"
BLUEPRINT_SOURCE = Path(__file__).resolve().parents[2] / "blueprints/automation/xgimi_projector"
BLUEPRINT_FILES = sorted(p.name for p in BLUEPRINT_SOURCE.glob("*.yaml"))
SOURCE_URL = (
    "https://github.com/xgimi-projector/xgimi_projector/blob/main/"
    "blueprints/automation/xgimi_projector/{}"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
SHANGHAI = ZoneInfo("Asia/Shanghai")
POWERING_ON = {"cutting_power", "waiting", "booting", "connecting"}


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncIterator[None]:
    """Turn the automations off after each test: pending ``for:`` timers are cancelled."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )
        await hass.async_block_till_done()


def install_blueprints(hass: HomeAssistant) -> None:
    """Copy the blueprints into the test config (shared by xdist workers: atomic writes)."""
    target = Path(hass.config.path("blueprints/automation/xgimi_projector"))
    target.mkdir(parents=True, exist_ok=True)
    for source in BLUEPRINT_SOURCE.glob("*.yaml"):
        temporary = target / f".{source.name}.{os.getpid()}"
        shutil.copyfile(source, temporary)
        temporary.replace(target / source.name)


async def use_blueprints(
    hass: HomeAssistant, *automations: tuple[str, str, dict[str, Any]]
) -> None:
    """Set up ``(alias, blueprint file, inputs)`` automations; each must load (state on)."""
    install_blueprints(hass)
    config = [
        {"alias": alias, "use_blueprint": {"path": f"xgimi_projector/{file}", "input": inputs}}
        for alias, file, inputs in automations
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    for alias, file, _ in automations:
        state = hass.states.get(f"automation.{alias}")
        assert state is not None, alias
        assert state.state == "on", f"{file} did not load: {state}"


class Recorder:
    """Service calls and state changes seen on the bus."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], Context]] = []
        self.states: list[tuple[str, str | None, dict[str, Any]]] = []

        @callback
        def _call(event: Event) -> None:
            data = event.data
            self.calls.append(
                (data["domain"], data["service"], dict(data.get("service_data", {})), event.context)
            )

        @callback
        def _state(event: Event) -> None:
            new = event.data["new_state"]
            self.states.append(
                (
                    event.data["entity_id"],
                    None if new is None else new.state,
                    {} if new is None else dict(new.attributes),
                )
            )

        hass.bus.async_listen(EVENT_CALL_SERVICE, _call)
        hass.bus.async_listen(EVENT_STATE_CHANGED, _state)

    def count(self, domain: str, service: str, *, by_automation: bool | None = None) -> int:
        """Calls of ``domain.service``; ``by_automation`` keeps those an automation made."""
        return sum(
            1
            for d, s, _, context in self.calls
            if (d, s) == (domain, service)
            and (by_automation is None or (context.parent_id is not None) is by_automation)
        )

    def texts(self) -> list[str]:
        return [data["text"] for d, s, data, _ in self.calls if (d, s) == (DOMAIN, "voice_command")]

    def history(self, entity_id: str) -> list[str | None]:
        return [state for eid, state, _ in self.states if eid == entity_id]


async def settle(hass: HomeAssistant, seconds: float = 0.3) -> None:
    """Let timers, automations and the simulator run for ``seconds`` of real time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()


async def wait_until(
    hass: HomeAssistant, check: Callable[[], bool], what: str, timeout_s: float = 10.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
        await hass.async_block_till_done()


async def projector_on(hass: HomeAssistant, start_sim: StartSim, **kwargs: Any) -> Simulator:
    options = kwargs.pop("options", None)
    sim = await start_sim("gmui_android12", **kwargs)
    await add_projector(hass, sim, options=options)
    assert sim.device.state.value == "on"
    assert sim.device.volume == 8
    return sim


# --- schema ----------------------------------------------------------------------------------


def test_all_five_blueprints_exist() -> None:
    assert BLUEPRINT_FILES == [
        "mirror_mi_switch.yaml",
        "voice_text_mqtt.yaml",
        "voice_text_webhook.yaml",
        "xiaoai_conversation.yaml",
        "xiaoai_virtual_event.yaml",
    ]


@pytest.mark.parametrize("file", BLUEPRINT_FILES)
def test_blueprint_schema_and_metadata(file: str) -> None:
    data = yaml_util.load_yaml(str(BLUEPRINT_SOURCE / file))
    blueprint = Blueprint(
        data, path=file, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert blueprint.validate() is None, "min_version must not exceed the tested HA version"
    meta = blueprint.metadata
    assert meta["source_url"] == SOURCE_URL.format(file)
    assert meta["homeassistant"]["min_version"] == "2025.4.0"
    for text in (meta["name"], meta["description"]):
        assert CJK.search(text), text
        assert LATIN_WORD.search(text), text
    assert blueprint.inputs
    for key, spec in blueprint.inputs.items():
        assert "selector" in spec, key
        assert CJK.search(spec["name"]) or key == "webhook_id", key
        assert CJK.search(spec["description"]), key
        assert LATIN_WORD.search(spec["description"]), key
    assert data["mode"] in ("queued", "parallel")


# --- ha_xiaomi_home virtual event --------------------------------------------------------------

EVENT_ZH = "event.xiaomi_cn_123_hub1_virtual_event_e_4_1"
EVENT_EN = "event.xiaomi_cn_456_hub1_virtual_event_e_4_1"


def fire_virtual_event(
    hass: HomeAssistant,
    entity_id: str,
    name: str,
    *,
    key: str = "事件名称",
    at: datetime | None = None,
) -> None:
    """What ha_xiaomi_home's event entity writes when the hub emits a virtual event."""
    when = at or dt_util.utcnow()
    hass.states.async_set(
        entity_id,
        when.isoformat(timespec="milliseconds"),
        {
            "event_types": ["虚拟事件发生" if key == "事件名称" else "Virtual Event Occurred"],
            "event_type": "虚拟事件发生" if key == "事件名称" else "Virtual Event Occurred",
            key: name,
            "friendly_name": "中枢网关 虚拟事件发生",
        },
    )


async def test_virtual_event_runs_mapped_commands_and_ignores_replays(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await projector_on(hass, start_sim)
    fire_virtual_event(hass, EVENT_ZH, "关闭投影仪", at=dt_util.utcnow())
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "virtual_event",
            "xiaoai_virtual_event.yaml",
            {
                "event_entity": EVENT_ZH,
                "event_map": {"投影仪音量六十": "音量调到百分之六十", "关闭投影仪": "关闭投影仪"},
                "projector": MP,
                "startup_guard": 1,
            },
        ),
    )

    # Right after start (Home Assistant or the automation): ignored.
    fire_virtual_event(hass, EVENT_ZH, "投影仪音量六十")
    await settle(hass, 0.2)
    assert rec.texts() == []
    await settle(hass, 1.0)

    # An event name that is not mapped: nothing.
    fire_virtual_event(hass, EVENT_ZH, "打开空调")
    await settle(hass)
    assert rec.texts() == []

    # A mapped event: the command arrives (require_name off: the text need not name it).
    fire_virtual_event(hass, EVENT_ZH, "投影仪音量六十")
    await wait_until(hass, lambda: sim.device.volume == 9, "volume 60 %")
    assert rec.texts() == ["音量调到百分之六十"]
    call = next(c for c in rec.calls if c[0] == DOMAIN)
    assert call[2]["require_name"] is False
    assert call[2]["entity_id"] == [MP]

    # Reconnect replay: unavailable → the old event again → the last event re-emitted.
    hass.states.async_set(EVENT_ZH, "unavailable", {"friendly_name": "中枢网关 虚拟事件发生"})
    await settle(hass, 0.1)
    fire_virtual_event(hass, EVENT_ZH, "关闭投影仪", at=dt_util.utcnow() - timedelta(minutes=5))
    await settle(hass, 0.1)
    fire_virtual_event(hass, EVENT_ZH, "关闭投影仪")
    await settle(hass)
    # An old event (a stale timestamp) from an ordinary state.
    fire_virtual_event(hass, EVENT_ZH, "关闭投影仪", at=dt_util.utcnow() - timedelta(minutes=3))
    await settle(hass)
    # Unknown (a freshly added entity) → an event: ignored too.
    hass.states.async_set(EVENT_ZH, "unknown", {})
    await settle(hass, 0.1)
    fire_virtual_event(hass, EVENT_ZH, "关闭投影仪")
    await settle(hass)
    assert rec.texts() == ["音量调到百分之六十"]
    assert sim.device.state.value == "on"

    # Once the entity has been back for the guard time, events work again.
    await settle(hass, 1.0)
    fire_virtual_event(hass, EVENT_ZH, "关闭投影仪")
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    assert rec.texts() == ["音量调到百分之六十", "关闭投影仪"]


async def test_virtual_event_english_attribute_key(
    hass: HomeAssistant, start_sim: StartSim
) -> None:
    sim = await projector_on(hass, start_sim)
    fire_virtual_event(hass, EVENT_EN, "x", key="Event Name", at=dt_util.utcnow())
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "virtual_event_en",
            "xiaoai_virtual_event.yaml",
            {"event_entity": EVENT_EN, "event_key": "Event Name", "startup_guard": 0},
        ),
    )
    # The default mapping (打开/关闭投影仪), the English attribute key, no projector chosen.
    fire_virtual_event(hass, EVENT_EN, "关闭投影仪", key="Event Name")
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    assert rec.texts() == ["关闭投影仪"]
    call = next(c for c in rec.calls if c[0] == DOMAIN)
    assert call[2]["entity_id"] == []
    # The Chinese key is not read when the English one is configured.
    fire_virtual_event(hass, EVENT_EN, "打开投影仪", key="事件名称")
    await settle(hass)
    assert rec.texts() == ["关闭投影仪"]


# --- hass-xiaomi-miot conversation sensor -------------------------------------------------------

CONVERSATION = "sensor.xiaomi_lx06_dea6_conversation"
SPEAKER = "media_player.xiaomi_lx06_dea6_play_control"


class FakeXiaoaiSpeaker(MediaPlayerEntity):
    """hass-xiaomi-miot's speaker media_player, as far as the blueprint uses it."""

    _attr_name = "Xiaomi LX06 dea6 Play Control"
    _attr_unique_id = "lx06_dea6_play_control"
    _attr_supported_features = MediaPlayerEntityFeature.PAUSE | MediaPlayerEntityFeature.PLAY
    _attr_state = MediaPlayerState.PLAYING

    def __init__(self) -> None:
        self.pauses = 0

    async def async_media_pause(self) -> None:
        self.pauses += 1
        self._attr_state = MediaPlayerState.PAUSED
        self.async_write_ha_state()


class _XiaomiMiotFlow(ConfigFlow):
    VERSION = 1


@pytest.fixture
async def xiaomi_miot(
    hass: HomeAssistant,
) -> AsyncIterator[tuple[FakeXiaoaiSpeaker, list[ServiceCall]]]:
    """A stand-in xiaomi_miot integration: the speaker entity and ``intelligent_speaker``."""
    speaker = FakeXiaoaiSpeaker()
    spoken: list[ServiceCall] = []

    async def async_setup(hass: HomeAssistant, config: Any) -> bool:
        async def intelligent_speaker(call: ServiceCall) -> None:
            spoken.append(call)

        hass.services.async_register("xiaomi_miot", "intelligent_speaker", intelligent_speaker)
        return True

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, ["media_player"])
        return True

    async def async_setup_platform(
        hass: HomeAssistant, entry: ConfigEntry, add: AddEntitiesCallback
    ) -> None:
        add([speaker])

    mock_integration(
        hass,
        MockModule("xiaomi_miot", async_setup=async_setup, async_setup_entry=async_setup_entry),
    )
    mock_platform(
        hass, "xiaomi_miot.media_player", MockPlatform(async_setup_entry=async_setup_platform)
    )
    mock_platform(hass, "xiaomi_miot.config_flow", None)
    with mock_config_flow("xiaomi_miot", _XiaomiMiotFlow):
        entry = MockConfigEntry(domain="xiaomi_miot", title="Xiaomi Miot")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert hass.states.get(SPEAKER) is not None
        yield speaker, spoken


def conversation(
    hass: HomeAssistant,
    query: str | None,
    when: datetime | None,
    *,
    state: str | None = None,
    history: list[str] | None = None,
    entity_id: str = CONVERSATION,
) -> None:
    """What hass-xiaomi-miot's XiaoaiConversationSensor writes after a poll.

    A failed poll keeps the state (the last query) and clears the attributes; a record without
    a query keeps the old state too.
    """
    current = hass.states.get(entity_id)
    hass.states.async_set(
        entity_id,
        state or query or (current.state if current else "unknown"),
        {
            "content": query,
            "answers": [{"type": "TTS", "tts": {"text": "好的"}}] if query else [],
            "history": history or [],
            "timestamp": when.astimezone(SHANGHAI) if when else None,
            "icon": "mdi:account-voice",
            "friendly_name": "Xiaomi LX06 dea6 Conversation",
        },
    )


async def test_conversation_runs_fresh_named_commands_once_and_replies(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_miot: tuple[FakeXiaoaiSpeaker, list[ServiceCall]],
) -> None:
    sim = await projector_on(hass, start_sim)
    speaker, spoken = xiaomi_miot
    now = dt_util.utcnow
    conversation(hass, "今天天气怎么样", now() - timedelta(minutes=10))
    rec = Recorder(hass)
    await use_blueprints(
        hass,
        (
            "conversation",
            "xiaoai_conversation.yaml",
            {
                "conversation_sensor": CONVERSATION,
                "speaker": SPEAKER,
                "cut_answer": True,
                "freshness": 30,
            },
        ),
    )

    # A stale record (newer than the previous one, but older than the freshness): nothing.
    conversation(hass, "投影仪音量调到百分之二十", now() - timedelta(minutes=5))
    await settle(hass)
    assert rec.texts() == []

    # A fresh sentence naming the projector: run, cut Xiaoai's answer, speak the reply.
    record = now() - timedelta(seconds=3)
    conversation(hass, "小爱同学，投影仪音量调到百分之二十", record, history=["今天天气怎么样"])
    await wait_until(hass, lambda: len(spoken) == 1, "the reply")
    assert sim.device.volume == 3
    assert rec.texts() == ["小爱同学，投影仪音量调到百分之二十"]
    call = next(c for c in rec.calls if c[0] == DOMAIN)
    assert call[2]["require_name"] is True
    assert speaker.pauses == 1
    assert spoken[0].data["entity_id"] == SPEAKER
    assert spoken[0].data["execute"] is False
    assert spoken[0].data["silent"] is False
    assert "百分之二十" in spoken[0].data["text"]

    # The same record again with other attributes changed: the timestamp did not change.
    conversation(hass, "小爱同学，投影仪音量调到百分之二十", record, history=["x", "y"])
    await settle(hass)
    # A record older than the previous one (fresh, but out of order): nothing.
    conversation(hass, "关闭投影仪", record - timedelta(seconds=2))
    await settle(hass)
    # A failed poll (attributes cleared), then the same record again.
    conversation(hass, None, None)
    await settle(hass, 0.1)
    conversation(hass, "小爱同学，投影仪音量调到百分之二十", record)
    await settle(hass)
    # Unavailable, then the same record again, then even a fresh one right from unavailable.
    hass.states.async_set(CONVERSATION, "unavailable", {})
    await settle(hass, 0.1)
    conversation(hass, "小爱同学，投影仪音量调到百分之二十", record)
    await settle(hass, 0.1)
    hass.states.async_set(CONVERSATION, "unavailable", {})
    await settle(hass, 0.1)
    conversation(hass, "关闭投影仪", now())
    await settle(hass)
    assert rec.texts() == ["小爱同学，投影仪音量调到百分之二十"]
    assert sim.device.state.value == "on"

    # Sentences for Xiaoai itself (no projector named, or another device): voice_command says
    # no, and the speaker is left alone.
    conversation(hass, "暂停", now())
    await settle(hass)
    conversation(hass, "打开空调", now() + timedelta(milliseconds=10))
    await settle(hass)
    assert rec.texts()[1:] == ["暂停", "打开空调"]
    # A record without a query keeps the old state: the old text must not run again.
    conversation(hass, None, now() + timedelta(milliseconds=20), state="打开空调")
    await settle(hass)
    assert len(rec.texts()) == 3
    assert speaker.pauses == 1
    assert len(spoken) == 1

    # Later commands still work.
    conversation(hass, "关闭投影仪", now())
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    await wait_until(hass, lambda: len(spoken) == 2, "the second reply")
    assert speaker.pauses == 2


# --- mirror a Mi switch ------------------------------------------------------------------------

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


async def test_conversation_reply_options(
    hass: HomeAssistant,
    start_sim: StartSim,
    xiaomi_miot: tuple[FakeXiaoaiSpeaker, list[ServiceCall]],
) -> None:
    """Reply off: the speaker is left alone. A TTS entity: tts.speak instead of xiaomi_miot."""
    sim = await projector_on(hass, start_sim)
    speaker, spoken = xiaomi_miot
    tts_calls = async_mock_service(hass, "tts", "speak")
    other = "sensor.xiaomi_x08c_77aa_conversation"
    for entity_id in (CONVERSATION, other):
        conversation(
            hass, "今天天气怎么样", dt_util.utcnow() - timedelta(minutes=1), entity_id=entity_id
        )
    await use_blueprints(
        hass,
        (
            "conversation_quiet",
            "xiaoai_conversation.yaml",
            {"conversation_sensor": CONVERSATION, "speaker": SPEAKER, "reply": False},
        ),
        (
            "conversation_tts",
            "xiaoai_conversation.yaml",
            {
                "conversation_sensor": other,
                "speaker": SPEAKER,
                "tts_entity": "tts.edge_tts",
                "projector": MP,
            },
        ),
    )
    conversation(hass, "投影仪静音", dt_util.utcnow())
    await wait_until(hass, lambda: sim.device.muted, "muted")
    await settle(hass)
    assert speaker.pauses == 0
    assert spoken == []
    assert tts_calls == []

    conversation(hass, "投影仪取消静音", dt_util.utcnow(), entity_id=other)
    await wait_until(hass, lambda: not sim.device.muted, "unmuted")
    await wait_until(hass, lambda: len(tts_calls) == 1, "the TTS reply")
    assert tts_calls[0].data["entity_id"] == ["tts.edge_tts"]
    assert tts_calls[0].data["media_player_entity_id"] == SPEAKER
    assert tts_calls[0].data["message"]
    assert spoken == []
    assert speaker.pauses == 0


# --- webhook -----------------------------------------------------------------------------------


async def test_webhook_runs_posted_text_and_notifies_the_reply(
    hass: HomeAssistant, start_sim: StartSim, hass_client_no_auth: Any
) -> None:
    sim = await projector_on(hass, start_sim)
    assert await async_setup_component(hass, "webhook", {})
    notified = async_mock_service(hass, "notify", "send_message")
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
    url = "/api/webhook/xgimi-voice-test-3f9a"

    # JSON body: run, and the reply goes to the notify entity.
    response = await client.post(url, json={"text": "投影仪音量调到百分之四十"})
    assert response.status == 200
    await wait_until(hass, lambda: sim.device.volume == 6, "volume 40 %")
    await wait_until(hass, lambda: len(notified) == 1, "the reply")
    assert notified[0].data["entity_id"] == ["notify.xiaoai_play_text"]
    assert "百分之四十" in notified[0].data["message"]

    # GET is not allowed; a body without the text field and an unknown phrase do nothing.
    await client.get(url, json={"text": "关闭投影仪"})
    await client.post(url, json={"query": "关闭投影仪"})
    await client.post(url, json={"text": "今天天气怎么样"})
    await settle(hass)
    assert rec.texts() == ["投影仪音量调到百分之四十", "今天天气怎么样"]
    assert len(notified) == 1, "no reply for what was not understood"
    assert sim.device.state.value == "on"

    # A form field works too (require_name on: 关机 alone is refused, with the name it runs).
    await client.post(url, data={"text": "关机"})
    await settle(hass)
    assert sim.device.state.value == "on"
    await client.post(url, data={"text": "投影仪关机"})
    await wait_until(hass, lambda: sim.device.state.value == "standby", "standby")
    assert rec.texts()[-2:] == ["关机", "投影仪关机"]


# --- MQTT (a real mosquitto broker on loopback) --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[int]:
    """A throw-away mosquitto broker on 127.0.0.1; its port."""
    binary = shutil.which("mosquitto") or shutil.which(
        "mosquitto", path="/usr/sbin:/usr/local/sbin:/opt/homebrew/sbin"
    )
    if binary is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    port = _free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    broker = subprocess.Popen(
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if broker.poll() is not None or time.monotonic() > deadline:
                    stderr = broker.stderr.read().decode() if broker.stderr else ""
                    pytest.fail(f"mosquitto did not start: {stderr}")
                time.sleep(0.05)
        yield port
    finally:
        broker.terminate()
        try:
            broker.wait(5)
        except subprocess.TimeoutExpired:
            broker.kill()
            broker.wait()
        if broker.stderr:
            broker.stderr.close()


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
