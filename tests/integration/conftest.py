"""HA test fixtures: a real hass, the integration, and a simulated projector on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import os
from pathlib import Path
import shutil
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.xgimi_projector.const import DOMAIN, KEY_FILE
from simulator import PromptMode, Simulator

from ..conftest import StartSim


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load our custom integration in every test of this folder."""


@pytest.fixture(autouse=True)
async def homeassistant_core(hass: HomeAssistant) -> None:
    """The core integration (``homeassistant.update_entity`` and friends)."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture(autouse=True)
def fast_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter waits so failures are quick; behaviour is unchanged."""
    monkeypatch.setattr("custom_components.xgimi_projector.const.FLOW_AUTH_TIMEOUT_S", 2.0)
    monkeypatch.setattr("custom_components.xgimi_projector.config_flow.FLOW_AUTH_TIMEOUT_S", 2.0)
    monkeypatch.setattr("custom_components.xgimi_projector.SETUP_AUTH_TIMEOUT_S", 1.0)


@pytest.fixture(autouse=True)
def adb_key(hass: HomeAssistant, shared_key: Path) -> Path:
    """Put the session's pre-generated key where the integration keeps its key.

    The test config directory is shared by pytest-xdist workers, so the copy is atomic.
    """
    path = Path(hass.config.path(STORAGE_DIR, KEY_FILE))
    path.parent.mkdir(parents=True, exist_ok=True)
    for source, target in ((shared_key, path), (Path(f"{shared_key}.pub"), Path(f"{path}.pub"))):
        temporary = target.with_name(f"{target.name}.{os.getpid()}")
        shutil.copy(source, temporary)
        temporary.replace(target)
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
        hass.config_entries.async_update_entry(entry, options=options)
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
