"""``LanPowerManager`` with a wake action: the wake first, the plug as the fallback, success seen
in the draw where there is a power sensor, and the shared arbitration (joins, a turn-off that
stops a power-on, closing that restores mains)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from custom_components.xgimi_projector.projector import NoPlugError
from custom_components.xgimi_projector.projector.errors import (
    PowerOnCancelledError,
    WakeActionError,
    WakeTimeoutError,
)
from custom_components.xgimi_projector.projector.lan_power import LanPowerManager
from custom_components.xgimi_projector.projector.power import (
    PowerOffResult,
    PowerOnPath,
    PowerOnResult,
    PowerPhase,
)
from simulator import DeviceState, Simulator

from ..conftest import StartSim
from .conftest import FAST_POWER, SimPlug, until
from .test_lan_only import lan_only

SETTINGS = replace(FAST_POWER, wake_wait_s=0.5)


class SimWake:
    """A wake action standing in for BLE/IR: the simulated projector leaves standby (or, when
    ``deaf``, hears nothing; when ``broken``, the call itself fails)."""

    def __init__(self, sim: Simulator, *, deaf: bool = False, broken: bool = False) -> None:
        self.sim = sim
        self.deaf = deaf
        self.broken = broken
        self.available = True
        self.calls = 0

    async def wake(self) -> None:
        self.calls += 1
        if self.broken:
            raise WakeActionError("button.wake", "no such node")
        if not self.deaf:
            self.sim.device.reboot()


async def in_standby(start_sim: StartSim, **kwargs: Any) -> tuple[Simulator, Any]:
    """Standby with mains on; 上电自动开机 off unless ``auto_power_on=True``."""
    kwargs.setdefault("auto_power_on", False)
    sim, projector = await lan_only(start_sim, mains_port=None, mains_on=True, boot_s=0.1, **kwargs)
    sim.device.standby()
    return sim, projector


async def test_wake_first_seen_by_the_draw(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim)
    plug, wake = SimPlug(sim), SimWake(sim)
    manager = LanPowerManager(projector, plug, SETTINGS, wake_action=wake)
    await manager.refresh()
    paths: list[PowerOnPath | None] = []
    manager.on_change = lambda: paths.append(manager.power_on_path)
    first, second = manager.start_turn_on(), manager.start_turn_on()
    assert first is second  # joined: one power-on
    assert await first is PowerOnResult.WAKE_ACTION
    assert wake.calls == 1
    assert plug.calls == []
    assert PowerOnPath.WAKE_ACTION in paths
    assert projector.assumed_on is True
    await until(lambda: sim.device.state is DeviceState.ON)


async def test_deaf_wake_falls_back_to_the_plug(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim, auto_power_on=True)
    plug, wake = SimPlug(sim), SimWake(sim, deaf=True)
    manager = LanPowerManager(projector, plug, SETTINGS, wake_action=wake)
    await manager.refresh()
    phases: list[PowerPhase] = []
    manager.on_change = lambda: phases.append(manager.phase)
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    assert isinstance(manager.wake_error, WakeTimeoutError)
    assert PowerPhase.WAKE_FAILED in phases
    await until(lambda: sim.device.state is DeviceState.ON)


async def test_without_a_sensor_the_wake_is_assumed_to_work(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim)
    plug, wake = SimPlug(sim, sensor=False), SimWake(sim, deaf=True)
    manager = LanPowerManager(projector, plug, SETTINGS, wake_action=wake)
    assert await manager.turn_on() is PowerOnResult.WAKE_ACTION
    assert plug.calls == []
    assert manager.wake_error is None


async def test_a_failing_wake_without_a_plug_is_the_error(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim)
    manager = LanPowerManager(projector, None, SETTINGS, wake_action=SimWake(sim, broken=True))
    with pytest.raises(WakeActionError):
        await manager.turn_on()
    assert isinstance(manager.last_error, WakeActionError)
    assert manager.wake_error is None  # no plug took over: not a fallback to report
    assert projector.assumed_on is None


async def test_no_wake_and_no_plug(start_sim: StartSim) -> None:
    _, projector = await in_standby(start_sim)
    manager = LanPowerManager(projector, None, SETTINGS)
    with pytest.raises(NoPlugError):
        await manager.turn_on()


async def test_mains_off_boots_by_the_plug_without_the_wake(start_sim: StartSim) -> None:
    """Mains off: the wake cannot be heard, the plug just switches on (no re-arm needed)."""
    sim, projector = await in_standby(start_sim, auto_power_on=True)
    sim.device.mains_off()
    plug, wake = SimPlug(sim), SimWake(sim)
    manager = LanPowerManager(projector, plug, SETTINGS, wake_action=wake)
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["on"]
    assert wake.calls == 0


async def test_turn_off_during_the_plug_cycle_leaves_mains_off(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim)
    plug = SimPlug(sim)
    manager = LanPowerManager(projector, plug, replace(SETTINGS, rearm_off_s=5.0))
    await manager.refresh()
    task = manager.start_turn_on()
    await until(lambda: manager.phase is PowerPhase.WAITING)
    sim.device.mains_on()  # the plug reads on again (someone switched it)
    assert await manager.turn_off() is PowerOffResult.CANCELLED
    with pytest.raises(PowerOnCancelledError):
        await task
    assert plug.calls == ["off", "off"]
    assert projector.assumed_on is False


async def test_close_during_the_plug_cycle_restores_mains(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim)
    plug = SimPlug(sim)
    manager = LanPowerManager(projector, plug, replace(SETTINGS, rearm_off_s=5.0))
    task = manager.start_turn_on()
    await until(lambda: manager.phase is PowerPhase.WAITING)
    await manager.close()
    with pytest.raises(PowerOnCancelledError):
        await task
    assert plug.calls == ["off", "on"]
    assert manager.pending is not None


async def test_cancelled_from_outside_stays_cancelled(start_sim: StartSim) -> None:
    sim, projector = await in_standby(start_sim)
    manager = LanPowerManager(projector, SimPlug(sim), replace(SETTINGS, rearm_off_s=5.0))
    task = manager.start_turn_on()
    await until(lambda: manager.phase is PowerPhase.WAITING)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
