"""Power-off, cutting mains, and what happens when a request meets a running job, against the
simulator on virtual time (see ``test_power.py``; the table itself is tested row by row in
``test_power_rules.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.xgimi_projector.projector import (
    UNREACHABLE,
    PlugSwitchError,
    PowerError,
    PowerManager,
    PowerOffResult,
    PowerOnCancelledError,
    PowerOnResult,
    PowerPhase,
    PowerState,
    ProjectorState,
    SoftOffFailedError,
)
from simulator import Simulator, VirtualClock

from ..conftest import StartSim
from .conftest import (
    FAST_POWER as FAST,
    MakeProjector,
    SimPlug,
    setup_power,
    to_standby,
    until,
)

ASLEEP = ProjectorState(reachable=True, power=PowerState.STANDBY, awake=False)


async def test_turn_off_while_waiting_leaves_mains_off(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, rearm_off_s=5.0)
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    await to_standby(sim, manager, clock)
    task = asyncio.ensure_future(manager.turn_on())
    await recorder.reached(PowerPhase.WAITING)
    assert await manager.turn_off() is PowerOffResult.CANCELLED
    with pytest.raises(PowerOnCancelledError):
        await task
    assert plug.calls == ["off"]
    assert not sim.device.mains
    assert manager.phase is PowerPhase.MAINS_OFF
    assert manager.last_error is None, "a cancel is not a failure"


async def _turned_off_while_booting(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> tuple[Simulator, SimPlug, PowerManager, asyncio.Future[PowerOnResult]]:
    """Mains off → turn_on → turn_off while it boots: the turn-off is DEFERRED."""
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, mains_on=False, boot_s=0.5
    )
    manager.observe(UNREACHABLE)
    task = asyncio.ensure_future(manager.turn_on())
    await recorder.reached(PowerPhase.BOOTING)
    assert await manager.turn_off() is PowerOffResult.DEFERRED
    return sim, plug, manager, task


async def test_turn_off_while_booting_powers_off_softly_once_up(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, task = await _turned_off_while_booting(start_sim, make_projector, clock)
    with pytest.raises(PowerOnCancelledError):
        await task
    assert manager.phase is PowerPhase.SHUTTING_DOWN
    await until(lambda: sim.device.state.value == "standby")
    assert sim.device.state.value == "standby", "never a mains cut during a boot"
    assert plug.calls == ["on"]


async def test_turn_off_while_booting_with_the_plug_switched_off_by_hand(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """A boot whose plug reads off boots nothing: cancelled, mains stays off."""
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, mains_on=False, boot_s=0.5
    )
    manager.observe(UNREACHABLE)
    task = asyncio.ensure_future(manager.turn_on())
    await recorder.reached(PowerPhase.BOOTING)
    sim.device.mains_off()
    assert await manager.turn_off() is PowerOffResult.CANCELLED
    with pytest.raises(PowerOnCancelledError):
        await task
    assert plug.calls == ["on"], "already off: not switched again"
    assert manager.phase is PowerPhase.MAINS_OFF


async def test_turn_off_and_cut_mains_once_in_standby(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    assert await manager.turn_off() is PowerOffResult.SENT
    await until(lambda: bool(plug.calls))
    assert plug.calls == ["off"]
    assert not sim.device.reachable
    assert PowerPhase.SHUTTING_DOWN in recorder.phases
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.MAINS_OFF
    # …and the next power-on needs no re-arm.
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]


async def test_mains_is_not_cut_when_it_wakes_again(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Someone turns it back on (remote) while the cut is pending: mains stays on."""
    settings = replace(FAST, cut_mains_after_off=True, standby_unreachable_s=5.0)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=5.0
    )
    assert await manager.turn_off() is PowerOffResult.SENT
    await clock.sleep(0.1)
    sim.device.mains_off()  # the BLE remote has no model here: a reboot stands in for it
    sim.device.mains_on()
    await until(lambda: manager.phase is not PowerPhase.SHUTTING_DOWN)
    assert manager.phase is PowerPhase.ON
    assert plug.calls == []


async def test_soft_off_that_does_not_take_is_reported_not_cut(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = replace(FAST, cut_mains_after_off=True, soft_off_confirm_s=0.3)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)

    async def lost_key() -> None:
        await manager.projector.press("HOME")  # the power key got lost: still awake

    monkeypatch.setattr(manager.projector, "turn_off", lost_key)
    with pytest.raises(SoftOffFailedError):
        await manager.turn_off()
    await clock.sleep(0.3)
    assert plug.calls == []
    assert sim.device.mains
    assert manager.phase is PowerPhase.ON


async def test_already_off_with_cut_mains_waits_for_standby(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    await to_standby(sim, manager, clock)
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    await until(lambda: bool(plug.calls))
    assert plug.calls == ["off"]


async def test_close_cancels_running_sequences(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, rearm_off_s=5.0)
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    await manager.close()
    assert isinstance(task.exception(), PowerOnCancelledError), "callers get a power error"
    assert not manager.powering_on
    assert plug.calls == ["off", "on"], "mains is given back: the projector still boots"


async def test_off_said_twice_during_a_boot_still_ends_off(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, task = await _turned_off_while_booting(start_sim, make_projector, clock)
    assert await manager.turn_off() is PowerOffResult.DEFERRED, "the first one still waits"
    with pytest.raises(PowerOnCancelledError):
        await task
    await until(lambda: sim.device.state.value == "standby")
    assert plug.calls == ["on"]


async def test_on_off_on_during_a_boot_does_not_cycle_again(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, first = await _turned_off_while_booting(start_sim, make_projector, clock)
    with pytest.raises(PowerOnCancelledError):
        await first
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["on"], "mains is never cut during the boot"
    assert sim.device.state.value == "on"


async def test_turn_on_during_turn_off_wins_and_nothing_is_cut(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, sensor=False
    )
    off = asyncio.ensure_future(manager.turn_off())
    await until(lambda: sim.device.state.value == "standby")
    on = asyncio.ensure_future(manager.turn_on())
    assert await off in (PowerOffResult.SUPERSEDED, PowerOffResult.SENT)
    assert await on is PowerOnResult.BOOTED
    await clock.sleep(0.5)
    assert plug.calls == ["off", "on"], "one re-arm, and no cut after it"
    assert sim.device.state.value == "on"


# --- more rows of the table, in action ---------------------------------------------------------


async def _power_on_waiting_for_suspend(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> tuple[Simulator, SimPlug, PowerManager, asyncio.Task[PowerOnResult]]:
    """Asleep but still on the network (for 30 s), and a power-on waiting for it to go."""
    settings = replace(FAST, standby_unreachable_s=5.0)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=30.0
    )
    sim.device.standby()
    return sim, plug, manager, manager.start_turn_on()


async def test_turn_off_before_a_power_on_changed_anything_is_a_plain_off(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """The power-on is still waiting for an asleep projector to leave the network."""
    sim, plug, manager, on = await _power_on_waiting_for_suspend(start_sim, make_projector, clock)
    await clock.sleep(1.0)
    assert manager.powering_on
    assert manager.phase is PowerPhase.STANDBY, "nothing changed yet"
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    assert isinstance(on.exception(), PowerOnCancelledError)
    assert plug.calls == []


async def test_off_said_twice_shares_one_soft_off(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    keys: list[str] = []
    real_turn_off = manager.projector.turn_off

    async def turn_off() -> None:
        keys.append("power")
        await real_turn_off()

    monkeypatch.setattr(manager.projector, "turn_off", turn_off)
    results = await asyncio.gather(manager.turn_off(), manager.turn_off())
    assert list(results) == [PowerOffResult.SENT] * 2
    assert keys == ["power"], "one power key, not two (a second one could wake it again)"
    assert sim.device.state.value == "standby"


async def test_turn_off_during_the_cut_mains_watch_restarts_it(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=2.0
    )
    assert await manager.turn_off() is PowerOffResult.SENT
    await clock.sleep(0.5)
    assert manager.phase is PowerPhase.SHUTTING_DOWN
    assert plug.calls == [], "still on the network: not yet"
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    assert manager.phase is PowerPhase.SHUTTING_DOWN, "watching again"
    await until(lambda: bool(plug.calls))
    assert plug.calls == ["off"]
    assert not sim.device.mains


async def test_an_off_ending_during_a_power_on_leaves_mains_alone(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True, standby_unreachable_s=5.0)
    sim, _, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=2.0
    )
    sim.device.standby()
    task = manager.start_turn_on()
    await clock.sleep(1.0)
    on = manager.job
    assert on is not None
    assert on.kind == "power_on"
    manager.cut_mains_later()  # what an off that ends now would ask
    assert manager.job is on, "no watch: the power-on goes on"
    assert await task is PowerOnResult.BOOTED


async def test_cut_mains_asked_twice_restarts_the_watch(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    await to_standby(sim, manager, clock)
    manager.cut_mains_later()
    first = manager.job
    manager.cut_mains_later()
    assert manager.job is not first
    await until(lambda: bool(plug.calls))
    assert plug.calls == ["off"]
    assert first is not None
    assert first.done


async def test_close_during_a_soft_off_stops_it_with_a_power_error(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    _, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings
    )
    off = asyncio.ensure_future(manager.turn_off())
    await recorder.reached(PowerPhase.SHUTTING_DOWN)
    await manager.close()
    with pytest.raises(PowerError, match="closing"):
        await off
    assert manager.job is None
    await clock.advance(5.0)
    assert plug.calls == [], "no watch started after close"


async def test_close_with_nothing_running_and_a_failed_restore(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class FailingOnPlug(SimPlug):
        async def turn_on(self) -> None:
            self.calls.append("on")
            raise PlugSwitchError(wanted_on=True)

    settings = replace(FAST, rearm_off_s=5.0)
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings, plug_class=FailingOnPlug
    )
    await manager.close()  # nothing runs: nothing happens
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    await manager.close()
    assert isinstance(task.exception(), PowerOnCancelledError)
    assert plug.calls == ["off", "on"]
    assert "could not restore mains" in caplog.text


async def test_turn_off_while_cutting_power_switches_mains_back_off(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """The plug is still switching off when the turn-off arrives: mains ends off."""
    gate = asyncio.Event()

    class SlowPlug(SimPlug):
        async def turn_off(self) -> None:
            if not self.calls:
                self.calls.append("off (slow)")
                await gate.wait()
            await super().turn_off()

    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, plug_class=SlowPlug
    )
    await to_standby(sim, manager, clock)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.CUTTING_POWER)
    assert await manager.turn_off() is PowerOffResult.CANCELLED
    assert isinstance(task.exception(), PowerOnCancelledError)
    assert plug.calls == ["off (slow)", "off"]
    assert not sim.device.mains


async def test_a_deferred_off_that_cannot_happen_is_logged(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Turned off during a boot that never comes (上电自动开机 off): nothing to power off."""
    settings = replace(FAST, auto_power_on_grace_s=1.0)
    sim, _, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings, mains_on=False
    )
    sim.device.set_auto_power_on(False)
    manager.observe(UNREACHABLE)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.BOOTING)
    assert await manager.turn_off() is PowerOffResult.DEFERRED
    assert isinstance(task.exception(), PowerOnCancelledError)
    await until(lambda: manager.phase is not PowerPhase.SHUTTING_DOWN)
    assert "could not power off after the cancelled boot" in caplog.text
    assert "draw stayed at 0.5 W" in caplog.text, "上电自动开机 is off: no boot to wait for"
    assert manager.last_error is None, "the power-on was cancelled, not failed"


async def test_a_turn_on_while_the_soft_off_looks_wins(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    real_poll = manager.projector.poll
    on: list[asyncio.Task[PowerOnResult]] = []

    async def poll() -> ProjectorState:
        if not on:
            on.append(manager.start_turn_on())
        return await real_poll()

    monkeypatch.setattr(manager.projector, "poll", poll)
    assert await manager.turn_off() is PowerOffResult.SUPERSEDED
    assert await on[0] is PowerOnResult.ALREADY_ON


async def test_a_turn_on_while_the_power_key_is_sent_wins(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, _, manager, recorder = await setup_power(start_sim, make_projector, clock)
    on: list[asyncio.Task[PowerOnResult]] = []

    async def turn_off() -> None:
        on.append(manager.start_turn_on())  # and the key is lost: still on

    monkeypatch.setattr(manager.projector, "turn_off", turn_off)
    assert await manager.turn_off() is PowerOffResult.SUPERSEDED
    assert await on[0] is PowerOnResult.ALREADY_ON
    assert PowerPhase.SHUTTING_DOWN not in recorder.phases


async def test_a_sequence_cancelled_from_outside_is_cancelled(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Not stopped by the manager (the loop shuts down): a plain cancel, no power error."""
    sim, _, manager, on = await _power_on_waiting_for_suspend(start_sim, make_projector, clock)
    await clock.sleep(0.5)
    on.cancel()
    await asyncio.wait([on])
    assert on.cancelled()
    assert manager.job is None
    sim.device.reboot()
    await clock.advance(1.0)
    off = asyncio.ensure_future(manager.turn_off())
    await clock.sleep(0.01)
    job = manager.job
    assert job is not None
    job.started.cancel()
    with pytest.raises(asyncio.CancelledError):
        await off


# --- cutting mains: the last checks ------------------------------------------------------------


async def test_cut_mains_without_a_sensor_waits_the_longer_time(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, cut_mains_after_off=True, cut_mains_cooldown_s=2.0)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, sensor=False
    )
    assert await manager.turn_off() is PowerOffResult.SENT
    started = clock.now()
    await until(lambda: bool(plug.calls))
    assert clock.now() - started >= 2.0, "unreachable for the cool-down, not only 0.3 s"
    assert not sim.device.mains


async def test_a_last_look_that_answers_keeps_mains_on(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The watch's polls fail, but the last look before the cut answers: the count restarts."""
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    await to_standby(sim, manager, clock)
    await manager.projector.close()
    looks: list[ProjectorState] = []
    answers = [ASLEEP, ASLEEP]  # the soft-off's look, then the first look before the cut
    looking = False

    async def connect() -> None:
        nonlocal looking
        looking = True

    async def poll() -> ProjectorState:
        nonlocal looking
        state = answers.pop(0) if looking and answers else UNREACHABLE
        if looking:
            looks.append(state)
        looking = False
        return state

    monkeypatch.setattr(manager.projector, "connect", connect)
    monkeypatch.setattr(manager.projector, "poll", poll)
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    await until(lambda: bool(plug.calls))
    assert looks == [ASLEEP, ASLEEP, UNREACHABLE], "cut at the second last look"
    assert plug.calls == ["off"]


async def test_a_last_reading_above_standby_keeps_mains_on(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    class Blip(SimPlug):
        """Reads 40 W once: at the reading right before the first cut."""

        reads: list[float | None]

        async def refresh_power(self) -> float | None:
            watts = 40.0 if len(self.reads) == 1 else self.power_w()
            self.reads.append(watts)
            return watts

    Blip.reads = []
    settings = replace(
        FAST, cut_mains_after_off=True, standby_unreachable_s=0.0, cut_mains_cooldown_s=0.0
    )
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, plug_class=Blip
    )
    await to_standby(sim, manager, clock)
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    await until(lambda: bool(plug.calls))
    assert Blip.reads == [0.5, 40.0, 0.5, 0.5], "poll, last reading (blip); poll, last reading"
    assert plug.calls == ["off"]


async def test_an_unavailable_plug_is_not_cut(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    await to_standby(sim, manager, clock)
    plug.available = False
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    await until(lambda: manager.job is None)
    assert "its plug is unavailable: mains stays on" in caplog.text
    assert plug.calls == []


async def test_standby_that_never_settles_keeps_mains_on(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = replace(FAST, cut_mains_after_off=True, standby_watch_max_s=1.0)
    _, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=30.0
    )
    assert await manager.turn_off() is PowerOffResult.SENT
    await until(lambda: manager.job is None)
    assert "did not settle in standby within 1 s" in caplog.text
    assert plug.calls == []


async def test_a_plug_that_does_not_switch_off_is_logged(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Stuck(SimPlug):
        async def turn_off(self) -> None:
            self.calls.append("off")
            raise PlugSwitchError(wanted_on=False)

    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, plug_class=Stuck
    )
    await to_standby(sim, manager, clock)
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    await until(lambda: manager.job is None)
    assert "not cutting mains after power-off" in caplog.text
    assert sim.device.mains
