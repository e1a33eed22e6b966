"""Power-on through a wake action (BLE, IR, a script), on virtual time.

The wake action here wakes the simulated projector through its public device model, as the
demo's script does through the mains API (the simulator has no BLE: from standby it "reboots",
which is what a wake looks like to ADB: silence, then answers). The plug is the one of
``conftest``; with 上电自动开机 off only the wake turns the projector on.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.xgimi_projector.projector import (
    UNREACHABLE,
    AutoPowerOnError,
    CommandFailedError,
    NoPlugError,
    PowerManager,
    PowerOffResult,
    PowerOnCancelledError,
    PowerOnResult,
    PowerPhase,
    ProjectorState,
)
from custom_components.xgimi_projector.projector.errors import (
    WakeActionError,
    WakeActionUnavailableError,
    WakeTimeoutError,
)
from custom_components.xgimi_projector.projector.power import PowerOnPath
from simulator import Simulator, VirtualClock

from ..conftest import StartSim
from .conftest import FAST_POWER, MakeProjector, Recorder, SimPlug, setup_power, to_standby, until

FAST = replace(FAST_POWER, wake_wait_s=2.0)


class SimWake:
    """A wake action that wakes the simulator (or, ``deaf``, that the projector never hears)."""

    def __init__(self, sim: Simulator, *, deaf: bool = False) -> None:
        self.sim = sim
        self.deaf = deaf
        self.available = True
        self.error: WakeActionError | None = None
        self.calls = 0

    async def wake(self) -> None:
        self.calls += 1
        if self.error is not None:
            raise self.error
        if not self.deaf:
            self.sim.device.reboot()


async def woken(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    *,
    plug: bool = True,
    deaf: bool = False,
    auto_power_on: bool = False,
    **kwargs: object,
) -> tuple[Simulator, SimPlug, SimWake, Recorder]:
    """A projector in standby with a wake action (and a plug, unless ``plug=False``)."""
    kwargs.setdefault("settings", FAST)
    sim, sim_plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, plug=plug, auto_power_on=auto_power_on, **kwargs
    )
    action = SimWake(sim, deaf=deaf)
    manager.wake_action = action
    await to_standby(sim, manager, clock)
    return sim, sim_plug, action, recorder


def _manager(recorder: Recorder) -> PowerManager:
    assert recorder.manager is not None
    return recorder.manager


async def test_wake_action_alone_turns_it_on(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, action, recorder = await woken(
        start_sim,
        make_projector,
        clock,
        plug=False,
        settings=replace(FAST, power_on_source="HDMI1"),
    )
    manager = _manager(recorder)
    assert manager.phase is PowerPhase.STANDBY, "with a wake action, unreachable is standby"
    assert manager.can_power_on
    assert manager.snapshot().has_standby_path
    task = manager.start_turn_on()
    assert manager.snapshot().power_on_path is PowerOnPath.WAKE_ACTION, "known at the start"
    assert await task is PowerOnResult.WAKE_ACTION
    assert action.calls == 1
    assert [p for p in recorder.phases if p is not PowerPhase.STANDBY][:2] == [
        PowerPhase.WAKING,
        PowerPhase.CONNECTING,
    ]
    assert recorder.phases[-1] is PowerPhase.ON
    assert sim.device.source == "HDMI1", "the power-on source follows a wake too"
    assert manager.snapshot().power_on_path is None, "nothing runs"
    action.available = False
    manager.observe(UNREACHABLE)
    assert not manager.can_power_on, "an unavailable wake action cannot turn it on"


async def test_wake_action_first_leaves_the_plug_alone(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """上电自动开机 off: the plug could not turn it on; the wake action does, mains untouched."""
    sim, plug, action, recorder = await woken(start_sim, make_projector, clock)
    assert await _manager(recorder).turn_on() is PowerOnResult.WAKE_ACTION
    assert plug.calls == []
    assert PowerPhase.CUTTING_POWER not in recorder.phases
    assert sim.device.state.value == "on"


async def test_a_wake_that_is_not_heard_falls_back_to_the_plug(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, action, recorder = await woken(
        start_sim, make_projector, clock, deaf=True, auto_power_on=True
    )
    manager = _manager(recorder)
    started = clock.now()
    paths: list[PowerOnPath | None] = []
    recorder_changed = manager.on_change

    def changed() -> None:
        assert recorder_changed is not None
        recorder_changed()
        paths.append(manager.snapshot().power_on_path)

    manager.on_change = changed
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert action.calls == 1
    assert plug.calls == ["off", "on"]
    order = [p for p in recorder.phases if p not in (PowerPhase.STANDBY, PowerPhase.ON)]
    assert order[:4] == [
        PowerPhase.WAKING,
        PowerPhase.WAKE_FAILED,
        PowerPhase.WAITING,
        PowerPhase.BOOTING,
    ]
    assert clock.now() - started >= FAST.wake_wait_s, "the wake got its whole wait"
    assert PowerOnPath.WAKE_ACTION in paths
    assert PowerOnPath.PLUG in paths[paths.index(PowerOnPath.WAKE_ACTION) :], "then the plug"
    assert isinstance(manager.wake_error, WakeTimeoutError)
    snapshot = manager.snapshot()
    assert snapshot.wake_error is manager.wake_error, "kept: the wake path needs a look"
    assert snapshot.last_error is None, "the power-on itself worked"
    assert sim.device.state.value == "on"


async def test_a_wake_that_works_again_clears_the_earlier_failure(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, action, recorder = await woken(
        start_sim, make_projector, clock, deaf=True, auto_power_on=True
    )
    manager = _manager(recorder)
    await manager.turn_on()
    assert manager.wake_error is not None
    await manager.turn_off()
    await to_standby(sim, manager, clock)
    action.deaf = False
    assert await manager.turn_on() is PowerOnResult.WAKE_ACTION
    assert manager.wake_error is None


async def test_a_failing_wake_action_falls_back_at_once(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, plug, action, recorder = await woken(start_sim, make_projector, clock, auto_power_on=True)
    action.error = WakeActionUnavailableError("button.wake", "unavailable")
    manager = _manager(recorder)
    started = clock.now()
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    assert manager.wake_error is action.error
    assert clock.now() - started < FAST.wake_wait_s, "no wait for a wake that was not sent"


async def test_a_failing_wake_action_without_a_plug_fails_the_power_on(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, _, action, recorder = await woken(start_sim, make_projector, clock, plug=False)
    action.error = WakeActionError("script.wake", "the script failed")
    manager = _manager(recorder)
    with pytest.raises(WakeActionError):
        await manager.turn_on()
    assert manager.last_error is action.error
    assert manager.phase is PowerPhase.FAILED
    assert manager.wake_error is None, "no fallback ran: the failure is the power-on's own"


async def test_a_wake_that_is_not_heard_without_a_plug_times_out(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, _, _, recorder = await woken(start_sim, make_projector, clock, plug=False, deaf=True)
    manager = _manager(recorder)
    with pytest.raises(WakeTimeoutError) as err:
        await manager.turn_on()
    assert err.value.wait_s == FAST.wake_wait_s
    assert err.value.repair_issue
    assert manager.phase is PowerPhase.FAILED


async def test_awake_never_following_adb_is_a_wake_timeout(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ADB answers after the wake but Android stays asleep: the wait ends, not hangs."""
    _, _, action, recorder = await woken(start_sim, make_projector, clock, plug=False)
    manager = _manager(recorder)
    real_poll = manager.projector.poll

    async def asleep() -> ProjectorState:
        state = await real_poll()
        return replace(state, awake=False) if state.reachable else state

    monkeypatch.setattr(manager.projector, "poll", asleep)
    with pytest.raises(WakeTimeoutError):
        await manager.turn_on()
    assert action.calls == 1


async def test_mains_off_goes_straight_to_the_plug(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """No wake reaches a projector without mains: the plug brings it back (a cold boot)."""
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=FAST, mains_on=False
    )
    action = SimWake(sim)
    manager.wake_action = action
    manager.observe(UNREACHABLE)
    task = manager.start_turn_on()
    assert manager.snapshot().power_on_path is PowerOnPath.PLUG
    assert await task is PowerOnResult.BOOTED
    assert action.calls == 0
    assert plug.calls == ["on"]
    assert PowerPhase.WAKING not in recorder.phases


async def test_a_draw_above_standby_is_not_woken(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Booting by itself (mains came back): the plug path waits for the boot; no wake."""
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=FAST, boot_s=1.0
    )
    action = SimWake(sim)
    manager.wake_action = action
    await manager.projector.close()
    sim.device.mains_off()
    sim.device.mains_on()
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.BOOTING
    task = manager.start_turn_on()
    assert manager.snapshot().power_on_path is PowerOnPath.PLUG
    assert await task is PowerOnResult.BOOTED
    assert action.calls == 0
    assert plug.calls == []


async def test_an_unavailable_plug_does_not_stop_the_wake(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, plug, action, recorder = await woken(start_sim, make_projector, clock)
    plug.available = False
    manager = _manager(recorder)
    manager.plug_changed()
    assert manager.can_power_on
    task = manager.start_turn_on()
    assert manager.snapshot().power_on_path is PowerOnPath.WAKE_ACTION
    assert await task is PowerOnResult.WAKE_ACTION
    assert plug.calls == []


async def test_an_unknown_reading_is_woken(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, plug, action, recorder = await woken(start_sim, make_projector, clock)
    plug.sensor = False  # no reading, though thresholds are set
    assert await _manager(recorder).turn_on() is PowerOnResult.WAKE_ACTION
    assert action.calls == 1


async def test_without_anything_to_wake_or_plug_nothing_is_predicted(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock, plug=False)
    await to_standby(sim, manager, clock)
    assert manager.snapshot().phase is PowerPhase.UNREACHABLE
    assert not manager.snapshot().has_standby_path
    task = manager.start_turn_on()
    assert manager.snapshot().power_on_path is None
    with pytest.raises(NoPlugError):
        await task


async def test_a_reachable_projector_is_woken_with_a_key(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock, settings=FAST)
    action = SimWake(sim)
    manager.wake_action = action
    sim.device.screen_off()
    manager.observe(await manager.projector.poll())
    task = manager.start_turn_on()
    assert manager.snapshot().power_on_path is PowerOnPath.KEY
    assert await task is PowerOnResult.WOKE
    assert action.calls == 0


# --- arbitration --------------------------------------------------------------------------


async def test_concurrent_turn_on_calls_share_one_wake(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, plug, action, recorder = await woken(start_sim, make_projector, clock)
    manager = _manager(recorder)
    results = await asyncio.gather(*(manager.turn_on() for _ in range(3)))
    assert results == [PowerOnResult.WAKE_ACTION] * 3
    assert action.calls == 1
    assert plug.calls == []


async def test_turn_off_while_waking_powers_off_once_it_answers(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """The wake was sent and cannot be taken back: once the projector answers it is powered
    off softly; mains is never touched."""
    sim, plug, _, recorder = await woken(start_sim, make_projector, clock, boot_s=1.0)
    manager = _manager(recorder)
    turning_on = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAKING)
    assert await manager.turn_off() is PowerOffResult.DEFERRED
    with pytest.raises(PowerOnCancelledError):
        await turning_on
    assert manager.phase is PowerPhase.SHUTTING_DOWN
    await until(lambda: manager.job is None)
    assert sim.device.state.value == "standby", "woke, then powered off softly"
    assert plug.calls == []
    assert manager.pending is None


async def test_turn_off_while_waking_a_projector_that_never_answers(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO")
    sim, plug, _, recorder = await woken(start_sim, make_projector, clock, deaf=True)
    manager = _manager(recorder)
    turning_on = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAKING)
    assert await manager.turn_off() is PowerOffResult.DEFERRED
    with pytest.raises(PowerOnCancelledError):
        await turning_on
    await until(lambda: manager.job is None)
    assert "stayed in standby after the wake action" in caplog.text
    assert sim.device.state.value == "standby"
    assert plug.calls == []


async def test_turn_off_during_the_fallback_leaves_mains_off(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, _, recorder = await woken(
        start_sim,
        make_projector,
        clock,
        deaf=True,
        auto_power_on=True,
        settings=replace(FAST, rearm_off_s=5.0),
    )
    manager = _manager(recorder)
    turning_on = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    assert PowerPhase.WAKE_FAILED in recorder.phases
    assert await manager.turn_off() is PowerOffResult.CANCELLED
    with pytest.raises(PowerOnCancelledError):
        await turning_on
    assert not sim.device.mains
    assert plug.calls == ["off"]


async def test_close_while_waking_keeps_the_request(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, plug, _, recorder = await woken(start_sim, make_projector, clock, deaf=True)
    manager = _manager(recorder)
    manager.start_turn_on()
    await recorder.reached(PowerPhase.WAKING)
    assert manager.pending is None, "a wake is not at the plug"
    await manager.close()
    assert manager.pending is not None
    assert not manager.pending.boot_started
    assert plug.calls == []


async def test_close_during_the_fallback_restores_mains(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, _, recorder = await woken(
        start_sim,
        make_projector,
        clock,
        deaf=True,
        auto_power_on=True,
        settings=replace(FAST, rearm_off_s=5.0),
    )
    manager = _manager(recorder)
    manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    assert manager.pending is not None, "at the plug: a restart must finish it"
    await manager.close()
    assert sim.device.mains
    assert plug.calls == ["off", "on"]
    assert manager.pending is not None
    assert manager.pending.boot_started


async def test_a_fallback_that_cannot_boot_reports_the_plug_failure(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Wake not heard, then 上电自动开机 off: the power-on fails on the plug's account and
    the wake's failure is kept beside it."""
    _, _, _, recorder = await woken(start_sim, make_projector, clock, deaf=True)
    manager = _manager(recorder)
    with pytest.raises(AutoPowerOnError):
        await manager.turn_on()
    assert isinstance(manager.last_error, AutoPowerOnError)
    assert isinstance(manager.wake_error, WakeTimeoutError)


async def test_a_plug_without_a_sensor_is_woken_first(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """No reading to ask: standby is assumed (ADB has been silent long enough)."""
    _, plug, action, recorder = await woken(start_sim, make_projector, clock, sensor=False)
    assert await _manager(recorder).turn_on() is PowerOnResult.WAKE_ACTION
    assert action.calls == 1
    assert plug.calls == []


async def test_an_off_after_a_wake_that_cannot_be_sent_is_logged(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, _, _, recorder = await woken(start_sim, make_projector, clock, boot_s=1.0)
    manager = _manager(recorder)

    async def refused() -> None:
        raise CommandFailedError("the session broke")

    monkeypatch.setattr(manager.projector, "turn_off", refused)
    turning_on = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAKING)
    assert await manager.turn_off() is PowerOffResult.DEFERRED
    with pytest.raises(PowerOnCancelledError):
        await turning_on
    await until(lambda: manager.job is None)
    assert "could not power off after the cancelled wake" in caplog.text
    assert sim.device.state.value == "on", "it woke; the off could not be sent"
