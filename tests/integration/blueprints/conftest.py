"""Fixtures for the blueprint tests: the stand-in integrations and a throw-away MQTT broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
import shutil
import socket
import subprocess
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from .stand_ins import (
    EVENT_ENTITY,
    SPEAKER,
    ConversationLog,
    FakeXiaoaiSpeaker,
    HubVirtualEvent,
    SpeakerTextAction,
    execute_text_entity,
    play_text_entity,
)


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncIterator[None]:
    """Turn the automations off after each test: pending ``for:`` timers are cancelled."""
    assert await async_setup_component(hass, "persistent_notification", {})
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )
        await hass.async_block_till_done()


class _Flow(ConfigFlow):
    VERSION = 1


# --- Xiaomi Miot Auto ------------------------------------------------------------------------


@dataclass
class XiaomiMiot:
    """The stand-in Xiaomi Miot Auto: a speaker, what it was told to say, its conversation log."""

    speaker: FakeXiaoaiSpeaker
    log: ConversationLog
    spoken: list[ServiceCall] = field(default_factory=list)
    logs_answers: bool = False
    """Model a speaker that logs its own spoken answer as a record of the conversation."""


@pytest.fixture
async def xiaomi_miot(hass: HomeAssistant) -> AsyncIterator[XiaomiMiot]:
    """A stand-in xiaomi_miot integration: the speaker entity and ``intelligent_speaker``."""
    miot = XiaomiMiot(FakeXiaoaiSpeaker(), ConversationLog(hass))

    async def async_setup(hass: HomeAssistant, config: Any) -> bool:
        async def intelligent_speaker(call: ServiceCall) -> None:
            miot.spoken.append(call)
            if miot.logs_answers:
                miot.log.say(call.data["text"])

        hass.services.async_register("xiaomi_miot", "intelligent_speaker", intelligent_speaker)
        return True

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, ["media_player"])
        return True

    async def async_setup_platform(
        hass: HomeAssistant, entry: ConfigEntry, add: AddEntitiesCallback
    ) -> None:
        add([miot.speaker])

    mock_integration(
        hass,
        MockModule("xiaomi_miot", async_setup=async_setup, async_setup_entry=async_setup_entry),
    )
    mock_platform(
        hass, "xiaomi_miot.media_player", MockPlatform(async_setup_entry=async_setup_platform)
    )
    mock_platform(hass, "xiaomi_miot.config_flow", None)
    with mock_config_flow("xiaomi_miot", _Flow):
        entry = MockConfigEntry(domain="xiaomi_miot", title="Xiaomi Miot")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert hass.states.get(SPEAKER) is not None
        yield miot


# --- Xiaomi Home -----------------------------------------------------------------------------


class XiaomiHome:
    """The stand-in Xiaomi Home integration; its entities are new objects after a reload."""

    def __init__(self, hass: HomeAssistant, language: str) -> None:
        self.hass = hass
        self.language = language
        self.entry = MockConfigEntry(domain="xiaomi_home", title="Xiaomi Home")
        self.event = HubVirtualEvent(language)
        self.play_text: SpeakerTextAction = play_text_entity()
        self.execute_text: SpeakerTextAction = execute_text_entity()

    def new_entities(self) -> None:
        self.event = HubVirtualEvent(self.language)
        self.play_text = play_text_entity()
        self.execute_text = execute_text_entity()

    async def reload(self) -> None:
        """The integration is reloaded: the entities go (unavailable) and come back restored."""
        self.new_entities()
        assert await self.hass.config_entries.async_reload(self.entry.entry_id)
        await self.hass.async_block_till_done()

    async def restart(self) -> None:
        """As after a Home Assistant restart: no state, then the entity restored."""
        assert await self.hass.config_entries.async_unload(self.entry.entry_id)
        await self.hass.async_block_till_done()
        self.hass.states.async_remove(EVENT_ENTITY)
        self.new_entities()
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done()


@pytest.fixture
def xiaomi_home(hass: HomeAssistant) -> Iterator[Callable[..., Awaitable[XiaomiHome]]]:
    """Set up the stand-in Xiaomi Home with its integration language (default 简体中文)."""
    created: list[XiaomiHome] = []

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, ["event", "notify"])
        return True

    async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        return await hass.config_entries.async_unload_platforms(entry, ["event", "notify"])

    async def add_event(hass: HomeAssistant, entry: ConfigEntry, add: AddEntitiesCallback) -> None:
        add([created[0].event])

    async def add_notify(hass: HomeAssistant, entry: ConfigEntry, add: AddEntitiesCallback) -> None:
        add([created[0].play_text, created[0].execute_text])

    mock_integration(
        hass,
        MockModule(
            "xiaomi_home",
            async_setup_entry=async_setup_entry,
            async_unload_entry=async_unload_entry,
        ),
    )
    mock_platform(hass, "xiaomi_home.event", MockPlatform(async_setup_entry=add_event))
    mock_platform(hass, "xiaomi_home.notify", MockPlatform(async_setup_entry=add_notify))
    mock_platform(hass, "xiaomi_home.config_flow", None)

    async def make(language: str = "zh-Hans") -> XiaomiHome:
        home = XiaomiHome(hass, language)
        created.append(home)
        home.entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(home.entry.entry_id)
        await hass.async_block_till_done()
        return home

    with mock_config_flow("xiaomi_home", _Flow):
        yield make


# --- MQTT ------------------------------------------------------------------------------------


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
