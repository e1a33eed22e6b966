"""HA test fixtures: a real hass, the integration, and a simulated projector on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from functools import partial
from pathlib import Path
import shutil
import time
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.xgimi_projector.const import (
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_ON_W,
    CONF_PLUG,
    CONF_POWER_SENSOR,
    CONF_REARM_OFF_S,
    CONF_SCREEN_OFF_W,
    CONF_STANDBY_W,
    DOMAIN,
    KEY_FILE,
)
from custom_components.xgimi_projector.options import POWER_TIMINGS
from custom_components.xgimi_projector.projector.stream import EventStream, StreamState
from simulator import PromptMode, Simulator
from simulator.mains import PLUG_YAML

from ..conftest import StartSim
from ..projector.conftest import until


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load our custom integration in every test of this folder."""


@pytest.fixture(autouse=True)
async def homeassistant_core(hass: HomeAssistant) -> None:
    """The core integration (``homeassistant.update_entity`` and friends)."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture(autouse=True)
async def event_streams_closed_first(
    hass: HomeAssistant, start_sim: StartSim
) -> AsyncIterator[None]:
    """Close every entry's event stream before the simulators stop (this fixture needs
    ``start_sim``, so it is torn down first), once its shell is past starting.

    A stream opens right after the first poll, so a short test ends while the simulator may
    still be spawning the stream's shell; stopping the simulator then cancels that spawn, and
    cancelling ``asyncio.create_subprocess_exec`` half-way can wait forever for the child's exit.
    """
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        stream = getattr(getattr(entry, "runtime_data", None), "stream", None)
        if not isinstance(stream, EventStream) or not stream.running:
            continue
        with contextlib.suppress(TimeoutError):
            await until(partial(_started, stream), timeout_s=2.0)
        await stream.close()


def _started(stream: EventStream) -> bool:
    return not _starting(stream)


def _starting(stream: EventStream) -> bool:
    health = stream.health
    if health.state is StreamState.CONNECTING:
        return True
    since = health.streaming_since
    return (
        health.state is StreamState.STREAMING
        and not health.verified
        and since is not None
        and time.time() - since < 0.3
    )


@pytest.fixture(autouse=True)
def fast_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter waits so failures are quick; behaviour is unchanged."""
    monkeypatch.setattr("custom_components.xgimi_projector.const.FLOW_AUTH_TIMEOUT_S", 2.0)
    monkeypatch.setattr("custom_components.xgimi_projector.config_flow.FLOW_AUTH_TIMEOUT_S", 2.0)
    monkeypatch.setattr("custom_components.xgimi_projector.SETUP_AUTH_TIMEOUT_S", 1.0)


@pytest.fixture(autouse=True)
def adb_key(hass: HomeAssistant, shared_key: Path, tmp_path: Path) -> Path:
    """Give the test its own config directory, with this run's key where the integration keeps
    its key.

    The testing config directory of the test plugin is shared by every pytest run on the
    machine (and by xdist workers): another run copying its own key pair there could swap the
    key under a running test, and a private key that does not match its ``.pub`` makes the
    projector prompt.
    """
    hass.config.config_dir = str(tmp_path)
    path = Path(hass.config.path(STORAGE_DIR, KEY_FILE))
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared_key, path)
    shutil.copy(f"{shared_key}.pub", f"{path}.pub")
    return path


async def add_projector(
    hass: HomeAssistant,
    sim: Simulator,
    name: str = "Projector",
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """Add the projector the way a user does (config flow), then set options if given."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_NAME: name}
    )
    if result["type"] is FlowResultType.SHOW_PROGRESS:
        await hass.async_block_till_done()
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    if options:
        # As the options flow does it: store, then reload once.
        hass.config_entries.async_update_entry(entry, options=options)
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    return entry


async def open_options(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> ConfigFlowResult:
    """Open the options flow and pick ``step`` from its menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert step in result["menu_options"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


AddProjector = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
def projector(
    hass: HomeAssistant, start_sim: StartSim
) -> Callable[..., Awaitable[tuple[Simulator, MockConfigEntry]]]:
    """Start a simulator with ``profile`` and add it through the config flow."""

    async def _make(
        profile: str = "gmui_android12", options: dict[str, Any] | None = None, **kwargs: Any
    ) -> tuple[Simulator, MockConfigEntry]:
        kwargs.setdefault("prompt", PromptMode.ACCEPT)
        sim = await start_sim(profile, **kwargs)
        entry = await add_projector(hass, sim, options=options)
        return sim, entry

    return _make


async def state_reaches(
    hass: HomeAssistant, entity_id: str, expected: str, timeout_s: float = 10.0
) -> None:
    """Like :func:`wait_for_state` but without ``async_block_till_done`` (which would also
    wait for a service call that is still running)."""
    reached = asyncio.Event()

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == expected:
            reached.set()

    unsub = async_track_state_change_event(hass, entity_id, _changed)
    try:
        state = hass.states.get(entity_id)
        if state is None or state.state != expected:
            async with asyncio.timeout(timeout_s):
                await reached.wait()
    finally:
        unsub()


async def wait_for_state(
    hass: HomeAssistant, entity_id: str, expected: str, timeout_s: float = 10.0
) -> None:
    """Wait until ``entity_id`` has state ``expected``.

    Home Assistant runs a coordinator's timed refresh as a background task, which
    ``async_block_till_done`` does not wait for, and the simulator answers in real time.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while (state := hass.states.get(entity_id)) is None or state.state != expected:
        if loop.time() > deadline:
            actual = None if state is None else state.state
            raise AssertionError(f"{entity_id} is {actual!r}, expected {expected!r}")
        await asyncio.sleep(0.02)
        await hass.async_block_till_done()


# --- the demo's smart plug (REST switch + sensor on the simulator's mains API) ---------------

PLUG = "switch.projector_plug"
POWER = "sensor.projector_plug_power"
CALIBRATED = {CONF_STANDBY_W: 0.5, CONF_SCREEN_OFF_W: 10.0, CONF_ON_W: 85.0}
"""What the gmui_android12 profile draws."""


@pytest.fixture
def fast_power(hass: HomeAssistant) -> None:
    """Short internal waits (the user-facing ones are set per test through the options)."""
    hass.data[POWER_TIMINGS] = {
        "connect_interval_s": 0.05,
        "auto_power_on_grace_s": 0.4,
        "standby_unreachable_s": 0.3,
        "soft_off_confirm_s": 2.0,
        "wake_confirm_s": 0.3,
        "state_poll_s": 0.05,
        "standby_poll_s": 0.05,
        "standby_watch_max_s": 10.0,
        "draw_dwell_s": 0.0,
    }


async def setup_demo_plug(hass: HomeAssistant, sim: Simulator) -> None:
    """The demo's REST switch and power sensor, pointed at this simulator's mains API."""
    config = parse_yaml(PLUG_YAML.format(mains_port=sim.mains_port))
    assert isinstance(config, dict)
    assert await async_setup_component(hass, "switch", {"switch": config["switch"]})
    assert await async_setup_component(hass, "sensor", {"sensor": config["sensor"]})
    await hass.async_block_till_done()
    assert hass.states.get(PLUG) is not None
    assert hass.states.get(POWER) is not None


def power_options(*, sensor: bool = True, **extra: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        CONF_PLUG: PLUG,
        CONF_AUTO_POWER_ON: True,
        CONF_REARM_OFF_S: 0.3,
        CONF_BOOT_TIMEOUT_S: 5,
    }
    if sensor:
        options |= {CONF_POWER_SENSOR: POWER, **CALIBRATED}
    return options | extra
