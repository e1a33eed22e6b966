"""Shared fixtures. Every test talks only to 127.0.0.1 (Home Assistant's plugin enforces it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from custom_components.xgimi_projector.projector.adbkey import ensure_key
from simulator import Simulator


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The simulator listens on 127.0.0.1: allow creating sockets (hosts stay restricted)."""


@pytest.fixture(scope="session")
def shared_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA key for the whole run (generating one costs ~100 ms)."""
    path = tmp_path_factory.mktemp("keys") / "adbkey"
    ensure_key(path)
    return path


StartSim = Callable[..., Awaitable[Simulator]]


@pytest.fixture
async def start_sim() -> AsyncIterator[StartSim]:
    """Start simulated projectors on 127.0.0.1 (fast boot and network drop); stop them after."""
    sims: list[Simulator] = []

    async def _start(profile: str = "gmui_android9", **kwargs: Any) -> Simulator:
        kwargs.setdefault("prompt_delay_s", 0.05)
        kwargs.setdefault("boot_s", 0.2)
        kwargs.setdefault("network_drop_s", 0.3)
        sim = Simulator(profile, **kwargs)
        await sim.start()
        sims.append(sim)
        return sim

    yield _start
    for sim in sims:
        await sim.stop()
