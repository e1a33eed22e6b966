"""The power module: thresholds and draw levels (tables), and the sequences against the simulator.

The sequences run the real :class:`Projector` against a simulated projector; the plug is a
small stand-in that switches the simulator's mains (the Home Assistant switch is covered by the
integration tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from custom_components.xgimi_projector.projector import (
    POWERING_ON,
    UNREACHABLE,
    AutoPowerOnError,
    BootTimeoutError,
    CalibrationError,
    DrawLevel,
    DrawTracker,
    NoPlugError,
    PlugUnavailableError,
    PowerManager,
    PowerOffResult,
    PowerOnCancelledError,
    PowerOnResult,
    PowerPhase,
    PowerSettings,
    PowerState,
    PowerThresholds,
    Projector,
    ProjectorState,
    RunningUnreachableError,
    SoftOffFailedError,
    StillAsleepError,
)
from simulator import Fault, Simulator

from ..conftest import StartSim
from .conftest import MakeProjector

# --- thresholds ------------------------------------------------------------------------

SIM = PowerThresholds.from_calibration(standby_w=0.5, on_w=65.0)


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ({"standby_w": 0.5, "on_w": 65.0}, (6.95, 32.75)),
        ({"standby_w": 0.0, "on_w": 5.0}, (1.0, 2.5)),
        ({"standby_w": 0.5, "on_w": 65.0, "screen_off_w": 9.0}, (4.75, 37.0)),
        ({"standby_w": 1.2, "on_w": 120.0, "screen_off_w": 15.0}, (8.1, 67.5)),
    ],
)
def test_calibration_thresholds(readings: dict[str, float], expected: tuple[float, float]) -> None:
    thresholds = PowerThresholds.from_calibration(**readings)
    assert (thresholds.standby_max_w, thresholds.on_min_w) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("readings", "reason"),
    [
        ({"standby_w": 0.5, "on_w": 2.0}, "too_close"),
        ({"standby_w": 60.0, "on_w": 0.5}, "too_close"),
        ({"standby_w": -1.0, "on_w": 60.0}, "negative"),
        ({"standby_w": 0.5, "on_w": 65.0, "screen_off_w": 0.7}, "screen_off_out_of_range"),
        ({"standby_w": 0.5, "on_w": 65.0, "screen_off_w": 70.0}, "screen_off_out_of_range"),
    ],
)
def test_calibration_rejects(readings: dict[str, float], reason: str) -> None:
    with pytest.raises(CalibrationError) as err:
        PowerThresholds.from_calibration(**readings)
    assert err.value.reason == reason


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="standby_max_w < on_min_w"):
        PowerThresholds(10.0, 5.0)


@pytest.mark.parametrize(
    ("watts", "previous", "expected"),
    [
        (0.0, None, DrawLevel.STANDBY),
        (6.95, None, DrawLevel.STANDBY),
        (9.0, None, DrawLevel.IDLE),
        (30.0, None, DrawLevel.IDLE),
        (32.75, None, DrawLevel.ACTIVE),
        (65.0, None, DrawLevel.ACTIVE),
        # hysteresis (3.2 W here): near a threshold the previous level holds …
        (9.0, DrawLevel.STANDBY, DrawLevel.STANDBY),
        (31.0, DrawLevel.ACTIVE, DrawLevel.ACTIVE),
        (34.0, DrawLevel.IDLE, DrawLevel.IDLE),
        (5.0, DrawLevel.IDLE, DrawLevel.IDLE),
        # … and beyond it the reading wins.
        (12.0, DrawLevel.STANDBY, DrawLevel.IDLE),
        (25.0, DrawLevel.ACTIVE, DrawLevel.IDLE),
        (40.0, DrawLevel.IDLE, DrawLevel.ACTIVE),
        (1.0, DrawLevel.IDLE, DrawLevel.STANDBY),
        (0.5, DrawLevel.ACTIVE, DrawLevel.STANDBY),
    ],
)
def test_classify(watts: float, previous: DrawLevel | None, expected: DrawLevel) -> None:
    assert SIM.classify(watts, previous) is expected


def test_tracker_needs_the_new_level_to_last() -> None:
    now = [0.0]
    tracker = DrawTracker(SIM, dwell_s=5.0, clock=lambda: now[0])
    assert tracker.update(65.0) is DrawLevel.ACTIVE, "the first reading settles at once"
    assert tracker.update(9.0) is DrawLevel.ACTIVE
    now[0] = 3.0
    assert tracker.update(9.5) is DrawLevel.ACTIVE
    now[0] = 5.0
    assert tracker.update(9.0) is DrawLevel.IDLE
    now[0] = 6.0
    assert tracker.update(0.4) is DrawLevel.IDLE
    assert tracker.update(9.0) is DrawLevel.IDLE, "a blip back resets nothing"
    now[0] = 20.0
    assert tracker.update(0.4) is DrawLevel.IDLE, "the standby reading must last again"
    now[0] = 25.0
    assert tracker.update(0.4) is DrawLevel.STANDBY
    assert tracker.update(None) is None
    assert tracker.watts is None


# --- sequences against the simulator -----------------------------------------------------


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


FAST = PowerSettings(
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
    thresholds=SIM,
)


class Recorder:
    """Phases seen through ``on_change`` and the sleeps asked for (they still sleep, briefly)."""

    def __init__(self) -> None:
        self.phases: list[PowerPhase] = []
        self.sleeps: list[float] = []
        self.manager: PowerManager | None = None
        self.instant = False
        self._seen: dict[PowerPhase, asyncio.Event] = {}

    def _event(self, phase: PowerPhase) -> asyncio.Event:
        return self._seen.setdefault(phase, asyncio.Event())

    async def reached(self, phase: PowerPhase) -> None:
        async with asyncio.timeout(5):
            await self._event(phase).wait()

    def changed(self) -> None:
        assert self.manager is not None
        phase = self.manager.phase
        if not self.phases or self.phases[-1] is not phase:
            self.phases.append(phase)
        self._event(phase).set()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0 if self.instant else min(seconds, 0.25))


async def _setup(
    start_sim: StartSim,
    make_projector: MakeProjector,
    *,
    settings: PowerSettings = FAST,
    sensor: bool = True,
    plug: bool = True,
    **sim_kwargs: object,
) -> tuple[Simulator, SimPlug, PowerManager, Recorder]:
    sim = await start_sim("gmui_android12", **sim_kwargs)
    client = make_projector(sim)
    if sim.device.reachable:
        await client.connect()
    else:
        client.info = None
    sim_plug = SimPlug(sim, sensor=sensor)
    recorder = Recorder()
    manager = PowerManager(
        client,
        sim_plug if plug else None,
        settings,
        on_change=recorder.changed,
        sleep=recorder.sleep,
    )
    recorder.manager = manager
    return sim, sim_plug, manager, recorder


async def _to_standby(sim: Simulator, manager: PowerManager) -> None:
    sim.device.standby()
    await asyncio.sleep(0.4)  # the simulated Wi-Fi drops after 0.3 s
    assert not sim.device.reachable
    manager.observe(UNREACHABLE)


async def test_already_on_sends_a_harmless_wake(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, _ = await _setup(start_sim, make_projector)
    assert await manager.turn_on() is PowerOnResult.ALREADY_ON
    assert plug.calls == []
    assert manager.phase is PowerPhase.ON
    assert manager.is_on


async def test_screen_off_is_woken_with_a_key_and_gets_its_source(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, power_on_source="HDMI2")
    sim, plug, manager, _ = await _setup(start_sim, make_projector, settings=settings)
    sim.device.screen_off()
    manager.observe(await manager.projector.poll())
    assert manager.phase is PowerPhase.SCREEN_OFF, "the draw (9 W) tells 关屏 from on"
    assert not manager.is_on
    assert await manager.turn_on() is PowerOnResult.WOKE
    assert sim.device.state.value == "on"
    assert plug.calls == []
    assert sim.device.source == "HDMI2"


async def test_cold_start_from_mains_off(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, power_on_source="HDMI1")
    sim, plug, manager, recorder = await _setup(
        start_sim, make_projector, settings=settings, mains_on=False
    )
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.MAINS_OFF
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["on"], "mains was off: no re-arm needed"
    assert PowerPhase.BOOTING in recorder.phases
    assert recorder.phases[-1] is PowerPhase.ON
    assert sim.device.source == "HDMI1"
    assert manager.projector.info is not None, "probed once ADB answered"


async def test_rearm_from_standby(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim, plug, manager, recorder = await _setup(start_sim, make_projector)
    await _to_standby(sim, manager)
    assert manager.phase is PowerPhase.STANDBY
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    assert recorder.sleeps[0] == FAST.rearm_off_s, "the re-arm off-time comes first"
    order = [p for p in recorder.phases if p in POWERING_ON]
    assert order[:3] == [PowerPhase.CUTTING_POWER, PowerPhase.WAITING, PowerPhase.BOOTING]
    assert sim.device.state.value == "on"


async def test_default_settings_wait_ten_seconds_then_ninety(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """The documented defaults reach the sleeps: re-arm 10 s, connect retries until 90 s."""
    settings = PowerSettings(connect_interval_s=3.0)
    # No power sensor, so only the boot timeout can end it.
    sim, _, manager, recorder = await _setup(
        start_sim, make_projector, settings=settings, sensor=False
    )
    await _to_standby(sim, manager)
    sim.device.set_auto_power_on(False)
    recorder.instant = True
    with pytest.raises(BootTimeoutError):
        await manager.turn_on()
    assert recorder.sleeps[0] == 10.0
    assert set(recorder.sleeps[1:]) == {3.0}
    assert 29 <= len(recorder.sleeps[1:]) <= 30, "about 90 s of 3 s retries"
    assert manager.phase is PowerPhase.FAILED


async def test_concurrent_turn_on_calls_share_one_cycle(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, _ = await _setup(start_sim, make_projector)
    await _to_standby(sim, manager)
    results = await asyncio.gather(*(manager.turn_on() for _ in range(3)))
    assert results == [PowerOnResult.BOOTED] * 3
    assert plug.calls == ["off", "on"]


async def test_turn_off_while_waiting_leaves_mains_off(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, rearm_off_s=5.0)
    sim, plug, manager, recorder = await _setup(start_sim, make_projector, settings=settings)
    await _to_standby(sim, manager)
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
    start_sim: StartSim, make_projector: MakeProjector
) -> tuple[Simulator, SimPlug, PowerManager, asyncio.Future[PowerOnResult]]:
    """Mains off → turn_on → turn_off while it boots: the turn-off is DEFERRED."""
    sim, plug, manager, recorder = await _setup(
        start_sim, make_projector, mains_on=False, boot_s=0.5
    )
    manager.observe(UNREACHABLE)
    task = asyncio.ensure_future(manager.turn_on())
    await recorder.reached(PowerPhase.BOOTING)
    assert await manager.turn_off() is PowerOffResult.DEFERRED
    return sim, plug, manager, task


async def test_turn_off_while_booting_powers_off_softly_once_up(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, task = await _turned_off_while_booting(start_sim, make_projector)
    with pytest.raises(PowerOnCancelledError):
        await task
    assert manager.phase is PowerPhase.SHUTTING_DOWN
    await _until(lambda: sim.device.state.value == "standby")
    assert sim.device.state.value == "standby", "never a mains cut during a boot"
    assert plug.calls == ["on"]


async def test_auto_power_on_disabled_is_detected_from_the_draw(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, recorder = await _setup(start_sim, make_projector)
    await _to_standby(sim, manager)
    sim.device.set_auto_power_on(False)
    with pytest.raises(AutoPowerOnError) as err:
        await manager.turn_on()
    assert err.value.watts == pytest.approx(0.5)
    assert manager.phase is PowerPhase.FAILED
    assert isinstance(manager.last_error, AutoPowerOnError)
    # Once the projector is on again (the user enabled the setting), the failure clears.
    sim.device.set_auto_power_on(True)
    assert await manager.turn_on() is PowerOnResult.BOOTED
    manager.observe(await manager.projector.poll())
    assert manager.last_error is None
    assert recorder.phases[-1] is PowerPhase.ON


async def test_no_plug(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim, _, manager, _ = await _setup(start_sim, make_projector, plug=False)
    await _to_standby(sim, manager)
    assert manager.phase is PowerPhase.UNREACHABLE
    assert not manager.can_power_on
    with pytest.raises(NoPlugError):
        await manager.turn_on()


async def test_plug_unavailable(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim, plug, manager, _ = await _setup(start_sim, make_projector)
    await _to_standby(sim, manager)
    plug.available = False
    manager.plug_changed()
    assert manager.phase is PowerPhase.PLUG_UNAVAILABLE
    assert not manager.can_power_on
    with pytest.raises(PlugUnavailableError):
        await manager.turn_on()
    assert plug.calls == []


async def test_running_but_unreachable_is_never_cut(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, _ = await _setup(start_sim, make_projector)
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.UNREACHABLE, "65 W and no ADB: not standby"
    with pytest.raises(RunningUnreachableError):
        await manager.turn_on()
    assert plug.calls == []
    assert sim.device.mains


async def test_turn_off_and_cut_mains_once_in_standby(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, recorder = await _setup(start_sim, make_projector, settings=settings)
    assert await manager.turn_off() is PowerOffResult.SENT
    for _ in range(200):
        if plug.calls:
            break
        await asyncio.sleep(0.02)
    assert plug.calls == ["off"]
    assert not sim.device.reachable
    assert PowerPhase.SHUTTING_DOWN in recorder.phases
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.MAINS_OFF
    # …and the next power-on needs no re-arm.
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]


async def test_mains_is_not_cut_when_it_wakes_again(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """Someone turns it back on (remote) while the cut is pending: mains stays on."""
    settings = replace(FAST, cut_mains_after_off=True, standby_unreachable_s=5.0)
    sim, plug, manager, _ = await _setup(
        start_sim, make_projector, settings=settings, network_drop_s=5.0
    )
    assert await manager.turn_off() is PowerOffResult.SENT
    await asyncio.sleep(0.1)
    sim.device.mains_off()  # the BLE remote has no model here: a reboot stands in for it
    sim.device.mains_on()
    for _ in range(200):
        if manager.phase is not PowerPhase.SHUTTING_DOWN:
            break
        await asyncio.sleep(0.02)
    assert manager.phase is PowerPhase.ON
    assert plug.calls == []


async def test_soft_off_that_does_not_take_is_reported_not_cut(
    start_sim: StartSim, make_projector: MakeProjector, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(FAST, cut_mains_after_off=True, soft_off_confirm_s=0.3)
    sim, plug, manager, _ = await _setup(start_sim, make_projector, settings=settings)

    async def lost_key() -> None:
        await manager.projector.press("HOME")  # the power key got lost: still awake

    monkeypatch.setattr(manager.projector, "turn_off", lost_key)
    with pytest.raises(SoftOffFailedError):
        await manager.turn_off()
    await asyncio.sleep(0.3)
    assert plug.calls == []
    assert sim.device.mains
    assert manager.phase is PowerPhase.ON


async def test_already_off_with_cut_mains_waits_for_standby(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await _setup(start_sim, make_projector, settings=settings)
    await _to_standby(sim, manager)
    assert await manager.turn_off() is PowerOffResult.ALREADY_OFF
    for _ in range(200):
        if plug.calls:
            break
        await asyncio.sleep(0.02)
    assert plug.calls == ["off"]


def test_observed_phase_without_a_plug(tmp_path: Path) -> None:
    manager = PowerManager(Projector("127.0.0.1", 5555, key_path=tmp_path / "adbkey"), None)
    assert not manager.has_plug
    awake = ProjectorState(reachable=True, power=PowerState.ON, awake=True)
    asleep = ProjectorState(reachable=True, power=PowerState.STANDBY, awake=False)
    screen = ProjectorState(reachable=True, power=PowerState.SCREEN_OFF, awake=True)
    assert manager.observed_phase(awake) is PowerPhase.ON
    assert manager.observed_phase(asleep) is PowerPhase.STANDBY
    assert manager.observed_phase(screen) is PowerPhase.SCREEN_OFF
    assert manager.observed_phase(UNREACHABLE) is PowerPhase.UNREACHABLE


async def test_asleep_but_still_on_the_network_waits_before_the_cycle(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """Turned off a moment ago: the wake key does not bring it back (the simulated firmware
    suspends regardless), so mains is touched only after the network is gone."""
    settings = replace(FAST, standby_unreachable_s=3.0)
    sim, plug, manager, recorder = await _setup(
        start_sim, make_projector, settings=settings, network_drop_s=0.6
    )
    sim.device.standby()
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    assert recorder.phases[0] is PowerPhase.CUTTING_POWER, "no plug action while reachable"


async def test_asleep_and_never_leaving_the_network_is_not_cut(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, standby_unreachable_s=0.3)
    sim, plug, manager, _ = await _setup(
        start_sim, make_projector, settings=settings, network_drop_s=30.0
    )
    sim.device.standby()
    with pytest.raises(StillAsleepError):
        await manager.turn_on()
    assert plug.calls == []


async def test_a_source_that_fails_does_not_fail_the_power_on(
    start_sim: StartSim, make_projector: MakeProjector, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(FAST, power_on_source="com.not.installed")
    sim, _, manager, _ = await _setup(start_sim, make_projector, settings=settings)
    sim.device.screen_off()
    manager.observe(await manager.projector.poll())
    assert await manager.turn_on() is PowerOnResult.WOKE
    assert "selecting com.not.installed after power-on failed" in caplog.text


async def test_boot_timeout_when_adb_answers_but_android_never_wakes(
    start_sim: StartSim, make_projector: MakeProjector, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(FAST, boot_timeout_s=0.3)
    sim, _, manager, _ = await _setup(start_sim, make_projector, settings=settings)
    await _to_standby(sim, manager)
    asleep = ProjectorState(reachable=True, power=PowerState.STANDBY, awake=False)

    async def never_awake() -> ProjectorState:
        return asleep

    await manager.projector.close()
    monkeypatch.setattr(manager.projector, "poll", never_awake)
    with pytest.raises(BootTimeoutError):
        await manager.turn_on()
    assert manager.phase is PowerPhase.FAILED


async def test_close_cancels_running_sequences(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, rearm_off_s=5.0)
    sim, plug, manager, recorder = await _setup(start_sim, make_projector, settings=settings)
    await _to_standby(sim, manager)
    task = manager.start_turn_on()
    await recorder.reached(PowerPhase.WAITING)
    await manager.close()
    assert isinstance(task.exception(), PowerOnCancelledError), "callers get a power error"
    assert not manager.powering_on
    assert plug.calls == ["off", "on"], "mains is given back: the projector still boots"


async def test_screen_off_with_a_network_blip_is_never_cycled(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """关屏 draws above standby: Android runs, so an unreachable ADB is not standby."""
    settings = replace(FAST, boot_timeout_s=0.5)
    sim, plug, manager, _ = await _setup(start_sim, make_projector, settings=settings)
    sim.device.screen_off()
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    manager.observe(UNREACHABLE)
    with pytest.raises(RunningUnreachableError) as err:
        await manager.turn_on()
    assert err.value.watts == pytest.approx(10.0)
    assert plug.calls == []


async def test_a_blip_without_a_sensor_is_waited_out(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """ADB answered a moment ago: a failed connect is not standby until it stays silent."""
    settings = replace(FAST, standby_unreachable_s=2.0)
    sim, plug, manager, _ = await _setup(start_sim, make_projector, settings=settings, sensor=False)
    manager.observe(await manager.projector.poll())
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    asyncio.get_running_loop().call_later(0.5, sim.faults.clear)
    assert await manager.turn_on() is PowerOnResult.ALREADY_ON
    assert plug.calls == []


async def test_off_said_twice_during_a_boot_still_ends_off(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, task = await _turned_off_while_booting(start_sim, make_projector)
    assert await manager.turn_off() is PowerOffResult.DEFERRED, "the first one still waits"
    with pytest.raises(PowerOnCancelledError):
        await task
    await _until(lambda: sim.device.state.value == "standby")
    assert plug.calls == ["on"]


async def test_on_off_on_during_a_boot_does_not_cycle_again(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, plug, manager, first = await _turned_off_while_booting(start_sim, make_projector)
    with pytest.raises(PowerOnCancelledError):
        await first
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["on"], "mains is never cut during the boot"
    assert sim.device.state.value == "on"


async def test_turn_on_during_turn_off_wins_and_nothing_is_cut(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    settings = replace(FAST, cut_mains_after_off=True)
    sim, plug, manager, _ = await _setup(start_sim, make_projector, settings=settings, sensor=False)
    off = asyncio.ensure_future(manager.turn_off())
    await _until(lambda: sim.device.state.value == "standby")
    on = asyncio.ensure_future(manager.turn_on())
    assert await off in (PowerOffResult.SUPERSEDED, PowerOffResult.SENT)
    assert await on is PowerOnResult.BOOTED
    await asyncio.sleep(0.5)
    assert plug.calls == ["off", "on"], "one re-arm, and no cut after it"
    assert sim.device.state.value == "on"


async def _until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 - polling the simulator's state
            await asyncio.sleep(0.02)
