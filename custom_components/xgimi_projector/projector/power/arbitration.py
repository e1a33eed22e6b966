"""What happens when a request meets a running job: one table, one pure function.

A :class:`PowerManager` runs at most one job at a time (a power-on, a soft power-off, a
power-off deferred until a boot answers, or the watch that cuts mains once standby is
certain). Every request (turn on, turn off, cut mains after an off, close) is looked up in
:data:`TABLE` with the running job's kind and phase; the manager carries out the
:class:`Action`. Today's behaviours are the rows, and the tests check them row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import enum

from .phase import PowerPhase

__all__ = ["JOB_PHASES", "TABLE", "Action", "Job", "JobKind", "JobPhase", "Request", "decide"]


class JobKind(enum.StrEnum):
    POWER_ON = "power_on"
    SOFT_OFF = "soft_off"
    """``turn_off``: the soft power-off, until Android sleeps."""
    DEFERRED_OFF = "deferred_off"
    """A turn-off that arrived during a boot: the soft power-off once ADB answers."""
    CUT_MAINS = "cut_mains"
    """After an off, with "cut mains" enabled: switch the plug off once standby is certain."""


class JobPhase(enum.StrEnum):
    """Where a job is. Finer than :class:`PowerPhase` where an arbitration depends on it."""

    STARTING = "starting"
    """Looking (and, for a power-on, waking or confirming standby): nothing changed yet."""
    WAKING = "waking"
    """The wake action was sent; waiting for ADB. Mains is untouched, but the projector may be
    coming up."""
    FALLING_BACK = "falling_back"
    """The wake action did not work: the plug is switched off to re-arm (the plug cycle's
    first step, shown as such)."""
    CUTTING_POWER = "cutting_power"
    WAITING = "waiting"
    RESTORING_MAINS = "restoring_mains"
    """Mains is being switched back on (or reads off during a boot): nothing boots yet."""
    BOOTING = "booting"
    CONNECTING = "connecting"
    SHUTTING_DOWN = "shutting_down"


JOB_PHASES: Mapping[JobKind, tuple[JobPhase, ...]] = {
    JobKind.POWER_ON: (
        JobPhase.STARTING,
        JobPhase.WAKING,
        JobPhase.FALLING_BACK,
        JobPhase.CUTTING_POWER,
        JobPhase.WAITING,
        JobPhase.RESTORING_MAINS,
        JobPhase.BOOTING,
        JobPhase.CONNECTING,
    ),
    JobKind.SOFT_OFF: (JobPhase.STARTING, JobPhase.SHUTTING_DOWN),
    JobKind.DEFERRED_OFF: (JobPhase.SHUTTING_DOWN,),
    JobKind.CUT_MAINS: (JobPhase.SHUTTING_DOWN,),
}
"""The phases each kind of job goes through."""

_SHOWN: Mapping[JobPhase, PowerPhase | None] = {
    JobPhase.STARTING: None,
    JobPhase.WAKING: PowerPhase.WAKING,
    JobPhase.FALLING_BACK: PowerPhase.WAKE_FAILED,
    JobPhase.CUTTING_POWER: PowerPhase.CUTTING_POWER,
    JobPhase.WAITING: PowerPhase.WAITING,
    JobPhase.RESTORING_MAINS: PowerPhase.BOOTING,
    JobPhase.BOOTING: PowerPhase.BOOTING,
    JobPhase.CONNECTING: PowerPhase.CONNECTING,
    JobPhase.SHUTTING_DOWN: PowerPhase.SHUTTING_DOWN,
}


@dataclass(frozen=True, slots=True)
class Job:
    """A running job, as the table sees it."""

    kind: JobKind
    phase: JobPhase

    def __post_init__(self) -> None:
        if self.phase not in JOB_PHASES[self.kind]:
            raise ValueError(f"a {self.kind} job has no phase {self.phase}")

    @property
    def shown(self) -> PowerPhase | None:
        """The power phase this job shows (None: the observed phase shows through)."""
        return _SHOWN[self.phase]


class Request(enum.StrEnum):
    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    CUT_MAINS = "cut_mains"
    """An off ended with mains on and "cut mains" enabled."""
    CLOSE = "close"
    """The integration unloads."""


class Action(enum.StrEnum):
    START = "start"
    """Nothing stands in the way: start the requested job."""
    JOIN = "join"
    """The same job runs already: wait for its result."""
    SUPERSEDE = "supersede"
    """Start the power-on; the soft power-off notices, stops and reports ``SUPERSEDED``."""
    REPLACE = "replace"
    """Cancel the running job, then handle the request again (it starts)."""
    HAND_OVER = "hand_over"
    """The finished off becomes the cut-mains watch."""
    LEAVE_MAINS_OFF = "leave_mains_off"
    """Cancel the power-on and switch mains off if it is on: ``CANCELLED``."""
    DEFER_OFF = "defer_off"
    """Cancel the power-on, let the boot finish, power off softly once ADB answers:
    ``DEFERRED`` (mains is never cut during a boot)."""
    OFF_AFTER_WAKE = "off_after_wake"
    """Cancel the power-on; the wake action may still bring the projector up: power it off
    softly if ADB answers within the wake wait (``DEFERRED``; mains is left alone)."""
    STILL_DEFERRED = "still_deferred"
    """Off said twice during a boot: the first one still waits (``DEFERRED``)."""
    STOP = "stop"
    """Cancel the running job."""
    RESTORE_MAINS = "restore_mains"
    """Cancel the power-on and switch mains back on, so the projector still boots."""
    NOTHING = "nothing"


_COLUMNS = (Request.TURN_ON, Request.TURN_OFF, Request.CUT_MAINS, Request.CLOSE)


def _rows() -> dict[Job | None, tuple[Action, Action, Action, Action]]:
    on, soft, later, cut = (
        JobKind.POWER_ON,
        JobKind.SOFT_OFF,
        JobKind.DEFERRED_OFF,
        JobKind.CUT_MAINS,
    )
    p, a = JobPhase, Action
    return {
        # running job                 TURN_ON      TURN_OFF           CUT_MAINS    CLOSE
        None:                        (a.START,     a.START,           a.START,     a.NOTHING),
        Job(on, p.STARTING):         (a.JOIN,      a.REPLACE,         a.NOTHING,   a.STOP),
        Job(on, p.WAKING):           (a.JOIN,      a.OFF_AFTER_WAKE,  a.NOTHING,   a.STOP),
        Job(on, p.FALLING_BACK):     (a.JOIN,      a.LEAVE_MAINS_OFF, a.NOTHING,   a.RESTORE_MAINS),
        Job(on, p.CUTTING_POWER):    (a.JOIN,      a.LEAVE_MAINS_OFF, a.NOTHING,   a.RESTORE_MAINS),
        Job(on, p.WAITING):          (a.JOIN,      a.LEAVE_MAINS_OFF, a.NOTHING,   a.RESTORE_MAINS),
        Job(on, p.RESTORING_MAINS):  (a.JOIN,      a.LEAVE_MAINS_OFF, a.NOTHING,   a.STOP),
        Job(on, p.BOOTING):          (a.JOIN,      a.DEFER_OFF,       a.NOTHING,   a.STOP),
        Job(on, p.CONNECTING):       (a.JOIN,      a.DEFER_OFF,       a.NOTHING,   a.STOP),
        Job(soft, p.STARTING):       (a.SUPERSEDE, a.JOIN,            a.HAND_OVER, a.STOP),
        Job(soft, p.SHUTTING_DOWN):  (a.SUPERSEDE, a.JOIN,            a.HAND_OVER, a.STOP),
        Job(later, p.SHUTTING_DOWN): (a.REPLACE,   a.STILL_DEFERRED,  a.HAND_OVER, a.STOP),
        Job(cut, p.SHUTTING_DOWN):   (a.REPLACE,   a.REPLACE,         a.REPLACE,   a.STOP),
    }  # fmt: skip


TABLE: Mapping[tuple[Job | None, Request], Action] = {
    (job, request): action
    for job, actions in _rows().items()
    for request, action in zip(_COLUMNS, actions, strict=True)
}
"""(running job or None, request) → action, for every job phase and request."""


def decide(job: Job | None, request: Request) -> Action:
    """What to do with ``request`` while ``job`` runs (None: nothing runs)."""
    return TABLE[(job, request)]
