"""A power-on a restart must not forget, and a state that must not say off while the lamp is on
(issue #12, failures 4 and 7), against the simulator on virtual time (see ``test_power.py``).

The manager reports a power-on that reached the plug as pending until it ends; closing (Home
Assistant stopping) leaves it pending with mains back on, and ``resume_turn_on`` finishes it
after the restart without cutting mains under a boot that is already under way.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.xgimi_projector.projector import (
    UNREACHABLE,
    AutoPowerOnError,
    CommandFailedError,
    PowerOnCancelledError,
    PowerOnResult,
    PowerPhase,
)
from custom_components.xgimi_projector.projector.power import PendingPowerOn, PowerManager
from simulator import Fault, Simulator, VirtualClock

from ..conftest import StartSim
from .conftest import FAST_POWER as FAST, MakeProjector, SimPlug, setup_power, to_standby

BEFORE_BOOT = PendingPowerOn(boot_started=False)
BOOTING = PendingPowerOn(boot_started=True)


def record_pending(manager: PowerManager) -> list[PendingPowerOn | None]:
    """Every report of ``on_pending``, in order."""
    reports: list[PendingPowerOn | None] = []
    manager.on_pending = reports.append
    return reports


# --- state honesty ------------------------------------------------------------------------------


async def test_running_but_unreachable_reads_as_on(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """ADB silent, 65 W at the plug: the lamp is on. The snapshot says so (phase unreachable)."""
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    snapshot = await manager.refresh()
    assert not snapshot.reachable
    assert snapshot.phase is PowerPhase.UNREACHABLE
    assert snapshot.is_on, "never off while the draw says it runs"
    assert manager.is_on


class LaggingPlug(SimPlug):
    """A plug whose power sensor reports only when asked (cloud plugs lag)."""

    def __init__(self, sim: Simulator, *, sensor: bool = True) -> None:
        super().__init__(sim, sensor=sensor)
        self.reading: float | None = sim.device.power_w
        self.refreshes = 0

    def power_w(self) -> float | None:
        return self.reading

    async def refresh_power(self) -> float | None:
        self.refreshes += 1
        self.reading = self.sim.device.power_w
        return self.reading


async def test_a_stale_in_use_reading_is_refreshed_before_it_reads_as_on(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """关机 from the remote: the sensor still shows 65 W when ADB goes silent. A fresh reading
    tells standby from a projector that runs off the network."""
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, plug_class=LaggingPlug
    )
    assert isinstance(plug, LaggingPlug)
    manager.observe(await manager.projector.poll())
    sim.device.standby()
    await clock.advance(0.4)
    snapshot = await manager.refresh()
    assert (snapshot.phase, snapshot.is_on) == (PowerPhase.STANDBY, False)
    assert plug.refreshes == 1


async def test_a_fresh_in_use_reading_is_believed_and_asked_for_once(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, plug_class=LaggingPlug
    )
    assert isinstance(plug, LaggingPlug)
    manager.observe(await manager.projector.poll())
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    assert (await manager.refresh()).is_on
    assert (await manager.refresh()).is_on
    assert plug.refreshes == 1, "once per silent stretch: the plug reports changes itself"
    sim.faults.clear()
    assert (await manager.refresh()).reachable
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    assert (await manager.refresh()).is_on
    assert plug.refreshes == 2, "a new silent stretch"


# --- pending power-ons --------------------------------------------------------------------------


async def test_a_plug_power_on_is_pending_until_it_ends(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    reports = record_pending(manager)
    await to_standby(sim, manager, clock)
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert reports == [BEFORE_BOOT, BOOTING, None], "at the plug, mains back, done"
    assert manager.pending is None


async def test_a_wake_key_is_never_pending(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    reports = record_pending(manager)
    sim.device.screen_off()
    manager.observe(await manager.projector.poll())
    assert await manager.turn_on() is PowerOnResult.WOKE
    assert reports == []


async def test_closing_during_the_rearm_restores_mains_and_keeps_the_request(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Home Assistant stops with mains cut: mains comes back (the projector boots by itself)
    and the request stays pending for the next start."""
    settings = replace(FAST, rearm_off_s=5.0)
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    reports = record_pending(manager)
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    assert manager.pending == BEFORE_BOOT
    await manager.close()
    assert isinstance(task.exception(), PowerOnCancelledError)
    assert plug.calls == ["off", "on"]
    assert sim.device.mains
    assert manager.pending == BOOTING, "mains is back: the boot has begun"
    assert reports == [BEFORE_BOOT, BOOTING]


async def test_closing_before_the_plug_keeps_the_request(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Still making sure it is not a Wi-Fi blip: nothing touched, but the request stands."""
    settings = replace(FAST, standby_unreachable_s=60.0)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    reports = record_pending(manager)
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await clock.advance(1.0)
    assert manager.powering_on
    await manager.close()
    assert isinstance(task.exception(), PowerOnCancelledError)
    assert plug.calls == []
    assert reports == [BEFORE_BOOT]


async def test_closing_while_the_plug_switches_on(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Stopped while the plug was being switched on, and it did: the boot has begun."""
    switching = asyncio.Event()

    class SlowPlug(SimPlug):
        async def turn_on(self) -> None:
            self.calls.append("on")
            self.sim.device.mains_on()
            switching.set()
            await asyncio.Event().wait()  # the confirmation never comes

    _, _, manager, _ = await setup_power(
        start_sim, make_projector, clock, plug_class=SlowPlug, mains_on=False
    )
    manager.observe(UNREACHABLE)
    task = manager.start_turn_on()
    async with asyncio.timeout(5):
        await switching.wait()
    await manager.close()
    assert isinstance(task.exception(), PowerOnCancelledError)
    assert manager.pending == BOOTING


async def test_a_turn_off_withdraws_the_request(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, rearm_off_s=5.0)
    sim, _, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    reports = record_pending(manager)
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    await manager.turn_off()
    assert isinstance(task.exception(), PowerOnCancelledError)
    assert reports == [BEFORE_BOOT, None]


async def test_a_failed_power_on_is_no_longer_pending(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    reports = record_pending(manager)
    await to_standby(sim, manager, clock)
    sim.device.set_auto_power_on(False)
    with pytest.raises(AutoPowerOnError):
        await manager.turn_on()
    assert reports[-1] is None
    assert manager.pending is None


async def test_a_projector_error_ends_the_request(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not a power error (the projector refused a command): still an end, not a failure shown
    as the power phase."""
    _, _, manager, _ = await setup_power(start_sim, make_projector, clock)

    async def refuse() -> None:
        raise CommandFailedError("refused")

    monkeypatch.setattr(manager.projector, "wake", refuse)
    task = manager.resume_turn_on()
    assert manager.pending == BEFORE_BOOT
    with pytest.raises(CommandFailedError):
        await task
    assert manager.pending is None
    assert manager.last_error is None


async def test_cancelled_from_outside_the_request_stands(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Its owner went away without closing (a killed process): still pending."""
    settings = replace(FAST, rearm_off_s=5.0)
    sim, _, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    task.cancel()
    await asyncio.wait([task])
    assert task.cancelled()
    assert manager.pending == BEFORE_BOOT


# --- resuming after a restart -------------------------------------------------------------------


async def test_resume_waits_for_a_boot_already_under_way(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Mains came back before the restart and the projector boots. Without a sensor nothing
    tells that from standby: a plain power-on would cut mains under the boot."""
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, sensor=False, boot_s=1.0
    )
    reports = record_pending(manager)
    await manager.projector.close()
    sim.device.mains_off()
    sim.device.mains_on()  # restored on closing, 0.2 s before this start
    task = manager.resume_turn_on(booting_for_s=0.2)
    assert manager.pending == BOOTING
    assert await task is PowerOnResult.BOOTED
    assert plug.calls == [], "no second cycle"
    assert PowerPhase.BOOTING in recorder.phases
    assert reports == [BOOTING, None]


async def test_resume_finds_it_on_at_home_and_applies_the_source(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Its boot ended while nobody watched: it shows the home screen, and still gets the
    power-on source it was asked for (a plain turn-on of a projector that is on does not)."""
    settings = replace(FAST, power_on_source="HDMI1")
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    assert await manager.turn_on() is PowerOnResult.ALREADY_ON
    assert sim.device.source != "HDMI1"
    assert await manager.resume_turn_on(booting_for_s=600.0) is PowerOnResult.ALREADY_ON
    assert sim.device.source == "HDMI1"
    assert plug.calls == []
    # Elsewhere than home (someone picked an input since): left alone.
    await manager.projector.select_source("HDMI2")
    assert await manager.resume_turn_on() is PowerOnResult.ALREADY_ON
    assert sim.device.source == "HDMI2"


async def test_resume_from_mains_off_boots(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Killed while mains was cut: the resumed power-on switches it back on."""
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, mains_on=False)
    assert await manager.resume_turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["on"]
    assert manager.pending is None
