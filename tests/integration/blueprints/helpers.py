"""Shared helpers: install and use the blueprints, record what happens, wait for it.

Each blueprint is validated with Home Assistant's own blueprint schema, then instantiated with
``use_blueprint`` and driven through stand-in source entities that follow the real integrations
(``docs/xiaoai.md`` §1.2, §2.1, §2.2): see :mod:`.stand_ins`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import os
from pathlib import Path
import shutil
from typing import Any

from homeassistant.const import EVENT_CALL_SERVICE, EVENT_STATE_CHANGED
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component

from custom_components.xgimi_projector.const import DOMAIN
from simulator import Simulator

from ...conftest import StartSim
from ..conftest import add_projector

MP = "media_player.projector"
BLUEPRINT_SOURCE = Path(__file__).resolve().parents[3] / "blueprints/automation/xgimi_projector"
BLUEPRINT_FILES = sorted(p.name for p in BLUEPRINT_SOURCE.glob("*.yaml"))
REPLY_FAILED = "xgimi_projector_voice_reply_failed"


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
    """Service calls, state changes and reply failures seen on the bus."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], Context]] = []
        self.states: list[tuple[str, str | None, dict[str, Any]]] = []
        self.reply_failures: list[dict[str, Any]] = []

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

        @callback
        def _failed(event: Event) -> None:
            self.reply_failures.append(dict(event.data))

        hass.bus.async_listen(EVENT_CALL_SERVICE, _call)
        hass.bus.async_listen(EVENT_STATE_CHANGED, _state)
        hass.bus.async_listen(REPLY_FAILED, _failed)

    def count(self, domain: str, service: str, *, by_automation: bool | None = None) -> int:
        """Calls of ``domain.service``; ``by_automation`` keeps those an automation made."""
        return sum(
            1
            for d, s, _, context in self.calls
            if (d, s) == (domain, service)
            and (by_automation is None or (context.parent_id is not None) is by_automation)
        )

    def voice_calls(self) -> list[dict[str, Any]]:
        return [data for d, s, data, _ in self.calls if (d, s) == (DOMAIN, "voice_command")]

    def texts(self) -> list[str]:
        return [data["text"] for data in self.voice_calls()]

    def history(self, entity_id: str) -> list[str | None]:
        return [state for eid, state, _ in self.states if eid == entity_id]

    def notified(self) -> list[dict[str, Any]]:
        """The persistent notifications created (their service data)."""
        return [
            data for d, s, data, _ in self.calls if (d, s) == ("persistent_notification", "create")
        ]


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
