"""Fixtures: a simulated projector on 127.0.0.1 and a library client for it; for the power
tests, one virtual clock shared by the simulator and the power manager, and a plug that
switches the simulator's mains."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
import shutil
from typing import Any

import pytest

from custom_components.xgimi_projector.projector import (
    UNREACHABLE,
    Backoff,
    PowerManager,
    PowerPhase,
    PowerSettings,
    PowerThresholds,
    Projector,
    Timeouts,
)
from simulator import Simulator, VirtualClock

from ..conftest import StartSim

FAST = Timeouts(transport_s=1.0, read_s=1.0, command_s=5.0, auth_s=2.0)
NO_BACKOFF = Backoff(initial_s=0.0, factor=1.0, max_s=0.0)


@pytest.fixture
def key_path(shared_key: Path, tmp_path: Path) -> Path:
    path = tmp_path / "adbkey"
    shutil.copy(shared_key, path)
    shutil.copy(f"{shared_key}.pub", f"{path}.pub")
    return path


MakeProjector = Callable[..., Projector]


@pytest.fixture
async def make_projector(key_path: Path) -> AsyncIterator[MakeProjector]:
    made: list[Projector] = []

    def _make(sim: Simulator, **kwargs: Any) -> Projector:
        kwargs.setdefault("timeouts", FAST)
        kwargs.setdefault("backoff", NO_BACKOFF)
        projector = Projector("127.0.0.1", sim.port, key_path=key_path, **kwargs)
        made.append(projector)
        return projector

    yield _make
    for projector in made:
        await projector.close()


# --- power --------------------------------------------------------------------------------

SIM_THRESHOLDS = PowerThresholds.from_calibration(standby_w=0.5, on_w=65.0)
"""What the simulated projector draws (standby 0.5 W, on 65 W)."""

FAST_POWER = PowerSettings(
    rearm_off_s=0.2,
    boot_timeout_s=5.0,
    connect_interval_s=0.05,
    auto_power_on_grace_s=0.3,
    standby_unreachable_s=0.3,
    soft_off_confirm_s=2.0,
    wake_confirm_s=0.3,
    state_poll_s=0.05,
    standby_poll_s=0.05,
    standby_watch_max_s=10.0,
    draw_dwell_s=0.0,
    cut_mains_cooldown_s=0.2,
    thresholds=SIM_THRESHOLDS,
)
"""Short timings (virtual seconds): the sequences' shape, not their real durations."""


@pytest.fixture
def clock() -> VirtualClock:
    """Virtual time for the simulator and the power manager alike."""
    return VirtualClock()


class SimPlug:
    """A plug that switches the simulator's mains and reads its power draw."""

    def __init__(self, sim: Simulator, *, sensor: bool = True) -> None:
        self.sim = sim
        self.sensor = sensor
        self.available = True
        self.calls: list[str] = []

    @property
    def is_on(self) -> bool | None:
        return self.sim.device.mains

    @property
    def has_power_sensor(self) -> bool:
        return self.sensor

    def power_w(self) -> float | None:
        return self.sim.device.power_w if self.sensor else None

    async def refresh_power(self) -> float | None:
        return self.power_w()

    async def turn_on(self) -> None:
        self.calls.append("on")
        self.sim.device.mains_on()

    async def turn_off(self) -> None:
        self.calls.append("off")
        self.sim.device.mains_off()


class Recorder:
    """The phases seen through ``on_change``, and the sleeps asked of the clock."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.phases: list[PowerPhase] = []
        self.manager: PowerManager | None = None
        self._seen: dict[PowerPhase, asyncio.Event] = {}

    @property
    def sleeps(self) -> list[float]:
        return self.clock.slept

    def _event(self, phase: PowerPhase) -> asyncio.Event:
        return self._seen.setdefault(phase, asyncio.Event())

    async def reached(self, phase: PowerPhase) -> None:
        """Wait (real time, briefly) until ``on_change`` has shown ``phase``."""
        async with asyncio.timeout(5):
            await self._event(phase).wait()

    def changed(self) -> None:
        assert self.manager is not None
        phase = self.manager.phase
        if not self.phases or self.phases[-1] is not phase:
            self.phases.append(phase)
        self._event(phase).set()


async def setup_power(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    *,
    settings: PowerSettings = FAST_POWER,
    sensor: bool = True,
    plug: bool = True,
    plug_class: type[SimPlug] = SimPlug,
    **sim_kwargs: object,
) -> tuple[Simulator, SimPlug, PowerManager, Recorder]:
    """A gmui_android12 simulator, a client, a plug on its mains, and their power manager."""
    sim = await start_sim("gmui_android12", clock=clock, **sim_kwargs)
    client = make_projector(sim)
    if sim.device.reachable:
        await client.connect()
    else:
        client.info = None
    sim_plug = plug_class(sim, sensor=sensor)
    recorder = Recorder(clock)
    manager = PowerManager(
        client,
        sim_plug if plug else None,
        settings,
        on_change=recorder.changed,
        clock=clock,
    )
    recorder.manager = manager
    return sim, sim_plug, manager, recorder


async def to_standby(sim: Simulator, manager: PowerManager, clock: VirtualClock) -> None:
    """关机 from the remote; the network drops 0.3 s (virtual) later and the manager sees it."""
    sim.device.standby()
    await clock.advance(0.4)
    assert not sim.device.reachable
    manager.observe(UNREACHABLE)


async def until(
    condition: Callable[[], bool], clock: VirtualClock | None = None, timeout_s: float = 5.0
) -> None:
    """Poll ``condition`` every 20 ms: real ones while the manager moves the clock, or virtual
    ones on ``clock`` when nothing else would."""
    async with asyncio.timeout(timeout_s):
        while not condition():
            await (clock.sleep(0.02) if clock is not None else asyncio.sleep(0.02))
