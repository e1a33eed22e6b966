"""The power rules without a projector: clock helpers, the arbitration table row by row, the
observed phase, and the snapshot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from custom_components.xgimi_projector.projector import (
    SYSTEM_CLOCK,
    UNREACHABLE,
    Deadline,
    DrawLevel,
    Dwell,
    PowerError,
    PowerManager,
    PowerPhase,
    PowerState,
    Projector,
    ProjectorSnapshot,
    ProjectorState,
)
from custom_components.xgimi_projector.projector.power import (
    TABLE,
    Action,
    Job,
    JobKind,
    JobPhase,
    Request,
    decide,
    observed_phase,
)
from custom_components.xgimi_projector.projector.power.arbitration import JOB_PHASES
from simulator import VirtualClock

# --- clock helpers ---------------------------------------------------------------------------


async def test_system_clock_sleeps_and_moves_on() -> None:
    before = SYSTEM_CLOCK.now()
    await SYSTEM_CLOCK.sleep(0.01)
    assert SYSTEM_CLOCK.now() > before


async def test_deadline() -> None:
    clock = VirtualClock(start=0.0)
    deadline = Deadline(clock, 10.0)
    assert deadline.remaining == 10.0
    assert not deadline.expired
    await clock.sleep(4.0)
    assert deadline.remaining == 6.0
    await clock.sleep(6.0)
    assert deadline.expired
    assert deadline.remaining == 0.0
    assert "remaining=0.000" in repr(deadline)
    assert Deadline(clock, 5.0, start=3.0).expired, "counted from an earlier moment"


async def test_dwell_holds_only_after_the_condition_lasted() -> None:
    clock = VirtualClock(start=0.0)
    dwell = Dwell(clock, 5.0)
    assert dwell.held_s is None
    assert not dwell.update(True)
    await clock.advance(3.0)
    assert not dwell.update(True)
    assert dwell.held_s == 3.0
    assert not dwell.update(False), "a false observation ends the count"
    assert dwell.held_s is None
    assert not dwell.update(True)
    await clock.advance(5.0)
    assert dwell.update(True)
    dwell.reset()
    assert not dwell.update(True)
    assert Dwell(clock, 0.0).update(True), "no hold time: true at once"


# --- arbitration: today's behaviours, row by row -------------------------------------------

ON, SOFT, LATER, CUT = JobKind.POWER_ON, JobKind.SOFT_OFF, JobKind.DEFERRED_OFF, JobKind.CUT_MAINS
P, A = JobPhase, Action

ROWS: list[tuple[Job | None, Request, Action, str]] = [
    (None, Request.TURN_ON, A.START, "nothing runs"),
    (None, Request.TURN_OFF, A.START, "nothing runs"),
    (None, Request.CUT_MAINS, A.START, "nothing runs"),
    (None, Request.CLOSE, A.NOTHING, "nothing to cancel"),
    # A power-on: concurrent turn_on calls share one sequence …
    *[(Job(ON, phase), Request.TURN_ON, A.JOIN, "one power-on") for phase in JOB_PHASES[ON]],
    # … a turn-off depends on how far it got …
    (Job(ON, P.STARTING), Request.TURN_OFF, A.REPLACE, "nothing changed yet: a plain off"),
    (Job(ON, P.WAKING), Request.TURN_OFF, A.OFF_AFTER_WAKE, "the wake may still bring it up"),
    (Job(ON, P.FALLING_BACK), Request.TURN_OFF, A.LEAVE_MAINS_OFF, "before mains returns"),
    (Job(ON, P.CUTTING_POWER), Request.TURN_OFF, A.LEAVE_MAINS_OFF, "before mains returns"),
    (Job(ON, P.WAITING), Request.TURN_OFF, A.LEAVE_MAINS_OFF, "before mains returns"),
    (Job(ON, P.RESTORING_MAINS), Request.TURN_OFF, A.LEAVE_MAINS_OFF, "mains not back"),
    (Job(ON, P.BOOTING), Request.TURN_OFF, A.DEFER_OFF, "never cut mains during a boot"),
    (Job(ON, P.CONNECTING), Request.TURN_OFF, A.DEFER_OFF, "never cut mains during a boot"),
    # … an off ending meanwhile leaves mains alone …
    *[(Job(ON, p), Request.CUT_MAINS, A.NOTHING, "a power-on runs") for p in JOB_PHASES[ON]],
    # … and closing gives mains back if the power-on had taken it.
    (Job(ON, P.STARTING), Request.CLOSE, A.STOP, "nothing changed"),
    (Job(ON, P.WAKING), Request.CLOSE, A.STOP, "mains untouched"),
    (Job(ON, P.FALLING_BACK), Request.CLOSE, A.RESTORE_MAINS, "still boots"),
    (Job(ON, P.CUTTING_POWER), Request.CLOSE, A.RESTORE_MAINS, "still boots"),
    (Job(ON, P.WAITING), Request.CLOSE, A.RESTORE_MAINS, "still boots"),
    (Job(ON, P.RESTORING_MAINS), Request.CLOSE, A.STOP, "mains is being restored"),
    (Job(ON, P.BOOTING), Request.CLOSE, A.STOP, "it boots anyway"),
    (Job(ON, P.CONNECTING), Request.CLOSE, A.STOP, "it boots anyway"),
    # The soft power-off: a turn-on wins, a second turn-off waits for the first.
    *[
        row
        for phase in JOB_PHASES[SOFT]
        for row in (
            (Job(SOFT, phase), Request.TURN_ON, A.SUPERSEDE, "turn-on wins"),
            (Job(SOFT, phase), Request.TURN_OFF, A.JOIN, "one power-off"),
            (Job(SOFT, phase), Request.CUT_MAINS, A.HAND_OVER, "the off becomes the watch"),
            (Job(SOFT, phase), Request.CLOSE, A.STOP, "unload"),
        )
    ],
    # The off deferred until a boot answers.
    (Job(LATER, P.SHUTTING_DOWN), Request.TURN_ON, A.REPLACE, "on-off-on: no second cycle"),
    (Job(LATER, P.SHUTTING_DOWN), Request.TURN_OFF, A.STILL_DEFERRED, "off said twice"),
    (Job(LATER, P.SHUTTING_DOWN), Request.CUT_MAINS, A.HAND_OVER, "the off becomes the watch"),
    (Job(LATER, P.SHUTTING_DOWN), Request.CLOSE, A.STOP, "unload"),
    # The watch that cuts mains once standby is certain.
    (Job(CUT, P.SHUTTING_DOWN), Request.TURN_ON, A.REPLACE, "nothing is cut"),
    (Job(CUT, P.SHUTTING_DOWN), Request.TURN_OFF, A.REPLACE, "a fresh off restarts the watch"),
    (Job(CUT, P.SHUTTING_DOWN), Request.CUT_MAINS, A.REPLACE, "restart the watch"),
    (Job(CUT, P.SHUTTING_DOWN), Request.CLOSE, A.STOP, "unload"),
]


@pytest.mark.parametrize(
    ("job", "request_", "action"),
    [
        pytest.param(job, request, action, id=f"{job}-{request}-{why}")
        for job, request, action, why in ROWS
    ],
)
def test_table_row(job: Job | None, request_: Request, action: Action) -> None:
    assert decide(job, request_) is action


def test_every_job_phase_and_request_has_exactly_one_row() -> None:
    jobs: list[Job | None] = [None]
    jobs += [Job(kind, phase) for kind, phases in JOB_PHASES.items() for phase in phases]
    expected = {(job, request) for job in jobs for request in Request}
    assert set(TABLE) == expected
    assert [(job, request) for job, request, _, _ in ROWS] == list(
        dict.fromkeys((job, request) for job, request, _, _ in ROWS)
    ), "no row twice"
    assert {(job, request) for job, request, _, _ in ROWS} == expected


def test_a_job_has_only_its_kinds_phases() -> None:
    with pytest.raises(ValueError, match="no phase"):
        Job(JobKind.CUT_MAINS, JobPhase.WAITING)


@pytest.mark.parametrize(
    ("phase", "shown"),
    [
        (JobPhase.STARTING, None),
        (JobPhase.WAKING, PowerPhase.WAKING),
        (JobPhase.FALLING_BACK, PowerPhase.WAKE_FAILED),
        (JobPhase.CUTTING_POWER, PowerPhase.CUTTING_POWER),
        (JobPhase.WAITING, PowerPhase.WAITING),
        (JobPhase.RESTORING_MAINS, PowerPhase.BOOTING),
        (JobPhase.BOOTING, PowerPhase.BOOTING),
        (JobPhase.CONNECTING, PowerPhase.CONNECTING),
    ],
)
def test_power_on_phases_shown(phase: JobPhase, shown: PowerPhase | None) -> None:
    assert Job(JobKind.POWER_ON, phase).shown is shown


# --- the observed phase ------------------------------------------------------------------------

AWAKE = ProjectorState(reachable=True, power=PowerState.ON, awake=True)
ASLEEP = ProjectorState(reachable=True, power=PowerState.STANDBY, awake=False)
SCREEN = ProjectorState(reachable=True, power=PowerState.SCREEN_OFF, awake=True)


@dataclasses.dataclass
class Plug:
    available: bool = True
    is_on: bool | None = True
    has_power_sensor: bool = True

    def power_w(self) -> float | None:
        return None

    async def refresh_power(self) -> float | None:
        return None

    async def turn_on(self) -> None:
        raise NotImplementedError

    async def turn_off(self) -> None:
        raise NotImplementedError


@pytest.mark.parametrize(
    ("state", "plug", "level", "on_grace", "expected"),
    [
        (AWAKE, None, None, False, PowerPhase.ON),
        (ASLEEP, None, None, False, PowerPhase.STANDBY),
        (SCREEN, None, None, False, PowerPhase.SCREEN_OFF),
        (AWAKE, Plug(), DrawLevel.IDLE, False, PowerPhase.SCREEN_OFF),
        (AWAKE, Plug(), DrawLevel.STANDBY, False, PowerPhase.SCREEN_OFF),
        (AWAKE, Plug(), DrawLevel.IDLE, True, PowerPhase.ON),
        (AWAKE, Plug(), DrawLevel.ACTIVE, False, PowerPhase.ON),
        (UNREACHABLE, None, None, False, PowerPhase.UNREACHABLE),
        (UNREACHABLE, Plug(available=False), None, False, PowerPhase.PLUG_UNAVAILABLE),
        (UNREACHABLE, Plug(is_on=False), None, False, PowerPhase.MAINS_OFF),
        (UNREACHABLE, Plug(), DrawLevel.ACTIVE, False, PowerPhase.UNREACHABLE),
        (UNREACHABLE, Plug(), DrawLevel.IDLE, False, PowerPhase.BOOTING),
        (UNREACHABLE, Plug(), DrawLevel.STANDBY, False, PowerPhase.STANDBY),
        (UNREACHABLE, Plug(is_on=None), None, False, PowerPhase.STANDBY),
    ],
)
def test_observed_phase(
    state: ProjectorState,
    plug: Plug | None,
    level: DrawLevel | None,
    on_grace: bool,
    expected: PowerPhase,
) -> None:
    assert observed_phase(state, plug, level, on_grace=on_grace) is expected


@pytest.mark.parametrize(
    ("plug", "expected"),
    [
        (None, PowerPhase.STANDBY),
        (Plug(is_on=False), PowerPhase.MAINS_OFF),
        (Plug(available=False), PowerPhase.PLUG_UNAVAILABLE),
    ],
)
def test_observed_phase_with_a_wake_action(plug: Plug | None, expected: PowerPhase) -> None:
    """A wake action and no plug: unreachable is what standby looks like (the entry is set up
    to be woken from there); with a plug, the plug says more."""
    phase = observed_phase(UNREACHABLE, plug, None, on_grace=False, wake_action=True)
    assert phase is expected


def test_observed_phase_without_a_plug(tmp_path: Path) -> None:
    manager = PowerManager(Projector("127.0.0.1", 5555, key_path=tmp_path / "adbkey"), None)
    assert not manager.has_plug
    assert manager.observed_phase(AWAKE) is PowerPhase.ON
    assert manager.observed_phase(ASLEEP) is PowerPhase.STANDBY
    assert manager.observed_phase(SCREEN) is PowerPhase.SCREEN_OFF
    assert manager.observed_phase(UNREACHABLE) is PowerPhase.UNREACHABLE


# --- the snapshot --------------------------------------------------------------------------------


def test_snapshot_is_frozen_and_follows_observations(tmp_path: Path) -> None:
    manager = PowerManager(Projector("127.0.0.1", 5555, key_path=tmp_path / "adbkey"), Plug())
    manager.observe(AWAKE)
    snapshot = manager.snapshot()
    assert snapshot == ProjectorSnapshot(
        device=AWAKE,
        phase=PowerPhase.ON,
        is_on=True,
        draw_level=None,
        watts=None,
        last_error=None,
        can_power_on=True,
        has_plug=True,
        powering_on=False,
    )
    assert snapshot.reachable
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.is_on = False  # type: ignore[misc]
    manager.observe(UNREACHABLE)
    later = manager.snapshot()
    assert (later.device, later.phase, later.is_on) == (UNREACHABLE, PowerPhase.STANDBY, False)
    assert snapshot.device is AWAKE, "an earlier snapshot does not change"


def test_a_failure_is_shown_until_the_projector_is_on(tmp_path: Path) -> None:
    manager = PowerManager(Projector("127.0.0.1", 5555, key_path=tmp_path / "adbkey"), Plug())
    manager.observe(UNREACHABLE)
    manager.last_error = PowerError("boom")
    assert manager.phase is PowerPhase.FAILED
    manager.plug_changed()  # no listener: nothing to tell
    manager.observe(AWAKE)
    assert manager.last_error is None
    assert manager.phase is PowerPhase.ON
