"""A real Home Assistant in this process, started by its own bootstrap, and the two integrations.

``start_hass`` does what ``hass --config DIR --skip-pip`` does (``homeassistant.runner``):
``bootstrap.async_setup_hass`` with a ``RuntimeConfig``, then ``hass.async_start()`` — on the
event loop of the caller, who must have installed ``runner.HassEventLoopPolicy`` (see
``__main__``). The configuration is a minimal ``configuration.yaml`` (so HA loads its core and
default integrations, frontend and HTTP on a free loopback port included) and a link to our
custom component. Both integrations are added through their config flows, as a person would,
with their default settings.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
import socket
from typing import Any

from adb_shell.auth.keygen import keygen
from homeassistant import bootstrap
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.const import CONF_DEVICE_CLASS, CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.runner import RuntimeConfig

from .sims import ROOT, SimProcess

OURS = "xgimi_projector"
ANDROIDTV = "androidtv"

CONFIGURATION_YAML = """\
# Written by scripts/benchha: a plain Home Assistant (core and default integrations).
homeassistant:
  name: bench
  country: CN
  language: en
  time_zone: Asia/Shanghai
  unit_system: metric

http:
  server_host: 127.0.0.1
  server_port: {port}

logger:
  default: warning
"""


class SetupError(Exception):
    """An integration could not be added (its flow did not create an entry)."""


@dataclass
class Projector:
    """One config entry of one integration against one simulator."""

    integration: str
    sim: SimProcess
    entry: ConfigEntry
    entity_id: str

    @property
    def label(self) -> str:
        return f"{self.integration}/{self.sim.profile}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(config_dir: Path) -> None:
    """configuration.yaml and the link to our custom component (before the loop runs)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(port=_free_port()), encoding="utf-8"
    )
    link = config_dir / "custom_components" / OURS
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(ROOT / "custom_components" / OURS, target_is_directory=True)


async def start_hass(config_dir: Path) -> HomeAssistant:
    hass = await bootstrap.async_setup_hass(
        RuntimeConfig(config_dir=str(config_dir), skip_pip=True, log_no_color=True)
    )
    if hass is None:
        raise SetupError(f"Home Assistant did not start (see {config_dir}/home-assistant.log)")
    await hass.async_start()
    return hass


def _media_player(hass: HomeAssistant, entry: ConfigEntry) -> str:
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.domain == "media_player":
            return entity.entity_id
    raise SetupError(f"{entry.domain} entry {entry.title} has no media player")


async def _finish(hass: HomeAssistant, result: Any, timeout_s: float = 60.0) -> Any:
    """Drive a flow through its progress steps (what the frontend does)."""
    async with asyncio.timeout(timeout_s):
        while result["type"] is FlowResultType.SHOW_PROGRESS:
            await asyncio.sleep(0.2)
            result = await hass.config_entries.flow.async_configure(result["flow_id"])
    return result


async def add_ours(hass: HomeAssistant, sim: SimProcess) -> Projector:
    """Our config flow: address, then authorization on the projector (accepted at once)."""
    flow = hass.config_entries.flow
    result = await flow.async_init(OURS, context={"source": SOURCE_USER})
    result = await flow.async_configure(
        result["flow_id"],
        {CONF_HOST: sim.host, CONF_PORT: sim.port, CONF_NAME: f"ours {sim.profile}"},
    )
    result = await _finish(hass, result)
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise SetupError(f"{OURS} on {sim.label}: {result.get('errors') or result.get('reason')}")
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    return Projector(OURS, sim, entry, _media_player(hass, entry))


async def add_androidtv(hass: HomeAssistant, sim: SimProcess, key: Path) -> Projector:
    """HA core's Android TV flow with its defaults (device class ``auto``, adb-shell, no ADB
    server); the key path goes in its advanced ``adbkey`` field, as a person would type it."""
    if not await asyncio.to_thread(key.exists):
        await asyncio.to_thread(keygen, str(key))
    flow = hass.config_entries.flow
    result = await flow.async_init(
        ANDROIDTV, context={"source": SOURCE_USER, "show_advanced_options": True}
    )
    result = await flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: sim.host,
            CONF_DEVICE_CLASS: "auto",
            CONF_PORT: sim.port,
            "adbkey": str(key),
            "adb_server_port": 5037,
        },
    )
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise SetupError(
            f"{ANDROIDTV} on {sim.label}: {result.get('errors') or result.get('reason')}"
        )
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    return Projector(ANDROIDTV, sim, entry, _media_player(hass, entry))


async def set_loaded(hass: HomeAssistant, projectors: list[Projector], loaded: bool) -> None:
    """Load or unload config entries (the integration stops talking to the projector)."""
    for projector in projectors:
        if loaded:
            await hass.config_entries.async_setup(projector.entry.entry_id)
        else:
            await hass.config_entries.async_unload(projector.entry.entry_id)
    await hass.async_block_till_done()
