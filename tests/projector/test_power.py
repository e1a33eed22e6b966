"""Power-on against the simulator, on virtual time.

The sequences run the real :class:`Projector` against a simulated projector; the plug is a
small stand-in that switches the simulator's mains (the Home Assistant switch is covered by the
integration tests). The simulator and the power manager share one :class:`VirtualClock`: the
re-arm, the boot and the network drop take no real time, and happen in order. The manager's
sleeps move the clock; a test moves it itself with ``clock.advance`` (nothing else waits) or
``clock.sleep`` (to act at a moment of the manager's timeline). Power-off, cutting mains and
the arbitration between them are in ``test_power_off.py``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.xgimi_projector.projector import (
    POWERING_ON,
    UNREACHABLE,
    AutoPowerOnError,
    BootTimeoutError,
    NoPlugError,
    PlugUnavailableError,
    PowerOnResult,
    PowerPhase,
    PowerSettings,
    PowerState,
    ProjectorState,
    RunningUnreachableError,
    StillAsleepError,
)
from simulator import Fault, VirtualClock

from ..conftest import StartSim
from .conftest import FAST_POWER as FAST, MakeProjector, setup_power, to_standby


async def test_already_on_sends_a_harmless_wake(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    _, plug, manager, _ = await setup_power(start_sim, make_projector, clock)
    assert await manager.turn_on() is PowerOnResult.ALREADY_ON
    assert plug.calls == []
    assert manager.phase is PowerPhase.ON
    assert manager.is_on


async def test_refresh_polls_once_and_returns_a_snapshot(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock)
    sim.device.screen_off()
    snapshot = await manager.refresh()
    assert snapshot.device.reachable
    assert snapshot.device is manager.state
    assert snapshot.phase is PowerPhase.SCREEN_OFF
    assert not snapshot.is_on
    assert snapshot.draw_level is manager.draw_level
    assert snapshot.watts == pytest.approx(10.0)
    assert snapshot.has_plug
    assert snapshot.can_power_on
    assert not snapshot.powering_on
    assert snapshot.last_error is None


async def test_screen_off_is_woken_with_a_key_and_gets_its_source(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, power_on_source="HDMI2")
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    sim.device.screen_off()
    manager.observe(await manager.projector.poll())
    assert manager.phase is PowerPhase.SCREEN_OFF, "the draw (9 W) tells 关屏 from on"
    assert not manager.is_on
    assert await manager.turn_on() is PowerOnResult.WOKE
    assert sim.device.state.value == "on"
    assert plug.calls == []
    assert sim.device.source == "HDMI2"


async def test_cold_start_from_mains_off(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, power_on_source="HDMI1")
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings, mains_on=False
    )
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.MAINS_OFF
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["on"], "mains was off: no re-arm needed"
    assert PowerPhase.BOOTING in recorder.phases
    assert recorder.phases[-1] is PowerPhase.ON
    assert sim.device.source == "HDMI1"
    assert manager.projector.info is not None, "probed once ADB answered"


async def test_rearm_from_standby(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, recorder = await setup_power(start_sim, make_projector, clock)
    await to_standby(sim, manager, clock)
    assert manager.phase is PowerPhase.STANDBY
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    assert recorder.sleeps[0] == FAST.rearm_off_s, "the re-arm off-time comes first"
    order = [p for p in recorder.phases if p in POWERING_ON]
    assert order[:3] == [PowerPhase.CUTTING_POWER, PowerPhase.WAITING, PowerPhase.BOOTING]
    assert sim.device.state.value == "on"


async def test_default_settings_wait_ten_seconds_then_ninety(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """The documented defaults reach the sleeps: re-arm 10 s, connect retries until 90 s."""
    settings = PowerSettings(connect_interval_s=3.0)
    # No power sensor, so only the boot timeout can end it.
    sim, _, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings, sensor=False
    )
    await to_standby(sim, manager, clock)
    sim.device.set_auto_power_on(False)
    started = clock.now()
    with pytest.raises(BootTimeoutError):
        await manager.turn_on()
    assert recorder.sleeps[0] == 10.0
    assert set(recorder.sleeps[1:]) == {3.0}
    assert 29 <= len(recorder.sleeps[1:]) <= 30, "about 90 s of 3 s retries"
    assert clock.now() - started == pytest.approx(100.0), "10 s re-arm + 90 s, virtual"
    assert manager.phase is PowerPhase.FAILED


async def test_concurrent_turn_on_calls_share_one_cycle(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock)
    await to_standby(sim, manager, clock)
    results = await asyncio.gather(*(manager.turn_on() for _ in range(3)))
    assert results == [PowerOnResult.BOOTED] * 3
    assert plug.calls == ["off", "on"]


async def test_auto_power_on_disabled_is_detected_from_the_draw(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, recorder = await setup_power(start_sim, make_projector, clock)
    await to_standby(sim, manager, clock)
    sim.device.set_auto_power_on(False)
    with pytest.raises(AutoPowerOnError) as err:
        await manager.turn_on()
    assert err.value.watts == pytest.approx(0.5)
    assert manager.phase is PowerPhase.FAILED
    assert isinstance(manager.last_error, AutoPowerOnError)
    assert manager.snapshot().last_error is manager.last_error
    # Once the projector is on again (the user enabled the setting), the failure clears.
    sim.device.set_auto_power_on(True)
    assert await manager.turn_on() is PowerOnResult.BOOTED
    manager.observe(await manager.projector.poll())
    assert manager.last_error is None
    assert recorder.phases[-1] is PowerPhase.ON


async def test_no_plug(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock, plug=False)
    await to_standby(sim, manager, clock)
    assert manager.phase is PowerPhase.UNREACHABLE
    assert not manager.can_power_on
    with pytest.raises(NoPlugError):
        await manager.turn_on()


async def test_plug_unavailable(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock)
    await to_standby(sim, manager, clock)
    plug.available = False
    manager.plug_changed()
    assert manager.phase is PowerPhase.PLUG_UNAVAILABLE
    assert not manager.can_power_on
    with pytest.raises(PlugUnavailableError):
        await manager.turn_on()
    assert plug.calls == []
    plug.available = True
    manager.plug_changed()
    assert "available again" in caplog.text


async def test_running_but_unreachable_is_never_cut(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock)
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.UNREACHABLE, "65 W and no ADB: not standby"
    with pytest.raises(RunningUnreachableError):
        await manager.turn_on()
    assert plug.calls == []
    assert sim.device.mains


async def test_asleep_but_still_on_the_network_waits_before_the_cycle(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Turned off a moment ago: the wake key does not bring it back (the simulated firmware
    suspends regardless), so mains is touched only after the network is gone."""
    settings = replace(FAST, standby_unreachable_s=3.0)
    sim, plug, manager, recorder = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=0.6
    )
    sim.device.standby()
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    # (A power-on's start is reported at once, while it still shows the observed phase.)
    started = [p for p in recorder.phases if p in POWERING_ON]
    assert started[0] is PowerPhase.CUTTING_POWER, "no plug action while reachable"
    assert PowerPhase.BOOTING in started


async def test_asleep_and_never_leaving_the_network_is_not_cut(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    settings = replace(FAST, standby_unreachable_s=0.3)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, network_drop_s=30.0
    )
    sim.device.standby()
    with pytest.raises(StillAsleepError):
        await manager.turn_on()
    assert plug.calls == []


async def test_a_source_that_fails_does_not_fail_the_power_on(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = replace(FAST, power_on_source="com.not.installed")
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    sim.device.screen_off()
    manager.observe(await manager.projector.poll())
    assert await manager.turn_on() is PowerOnResult.WOKE
    assert "selecting com.not.installed after power-on failed" in caplog.text


async def test_boot_timeout_when_adb_answers_but_android_never_wakes(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = replace(FAST, boot_timeout_s=0.3)
    sim, _, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    await to_standby(sim, manager, clock)
    asleep = ProjectorState(reachable=True, power=PowerState.STANDBY, awake=False)

    async def never_awake() -> ProjectorState:
        return asleep

    await manager.projector.close()
    monkeypatch.setattr(manager.projector, "poll", never_awake)
    with pytest.raises(BootTimeoutError):
        await manager.turn_on()
    assert manager.phase is PowerPhase.FAILED


async def test_screen_off_with_a_network_blip_is_never_cycled(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """关屏 draws above standby: Android runs, so an unreachable ADB is not standby."""
    settings = replace(FAST, boot_timeout_s=0.5)
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    sim.device.screen_off()
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    manager.observe(UNREACHABLE)
    with pytest.raises(RunningUnreachableError) as err:
        await manager.turn_on()
    assert err.value.watts == pytest.approx(10.0)
    assert plug.calls == []


async def test_a_blip_without_a_sensor_is_waited_out(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """ADB answered a moment ago: a failed connect is not standby until it stays silent."""
    settings = replace(FAST, standby_unreachable_s=2.0)
    sim, plug, manager, _ = await setup_power(
        start_sim, make_projector, clock, settings=settings, sensor=False
    )
    manager.observe(await manager.projector.poll())
    await manager.projector.close()
    sim.faults.set(Fault.CLOSE_AFTER_CNXN)
    clock.call_later(0.5, sim.faults.clear)
    assert await manager.turn_on() is PowerOnResult.ALREADY_ON
    assert plug.calls == []


async def test_asleep_on_the_network_caught_by_the_wake_key(
    start_sim: StartSim,
    make_projector: MakeProjector,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Firmware that does wake from a key moments after 关机 (the simulated one does not):
    the wake key is enough, and the source is applied."""
    settings = replace(FAST, power_on_source="HDMI1")
    sim, plug, manager, _ = await setup_power(start_sim, make_projector, clock, settings=settings)
    asleep = ProjectorState(reachable=True, power=PowerState.STANDBY, awake=False)
    real_poll = manager.projector.poll
    answers = [asleep]

    async def poll() -> ProjectorState:
        return answers.pop() if answers else await real_poll()

    monkeypatch.setattr(manager.projector, "poll", poll)
    assert await manager.turn_on() is PowerOnResult.WOKE
    assert plug.calls == []
    assert sim.device.source == "HDMI1"


async def test_booting_by_itself_is_waited_for_not_cycled(
    start_sim: StartSim, make_projector: MakeProjector, clock: VirtualClock
) -> None:
    """Unreachable, but the draw says it boots (mains came back by itself): wait for ADB."""
    sim, plug, manager, recorder = await setup_power(start_sim, make_projector, clock, boot_s=1.0)
    await manager.projector.close()
    sim.device.mains_off()
    sim.device.mains_on()
    manager.observe(UNREACHABLE)
    assert manager.phase is PowerPhase.BOOTING, "the draw of a boot"
    assert await manager.turn_on() is PowerOnResult.BOOTED
    assert plug.calls == []
    assert PowerPhase.CONNECTING in recorder.phases
    assert manager.is_on
