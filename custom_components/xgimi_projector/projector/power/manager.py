"""The power manager: the power state of one projector, and the one job that changes it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from functools import partial
import logging
from typing import Any, cast

from ..errors import (
    PowerError,
    PowerOnCancelledError,
    WakeActionError,
    WakeTimeoutError,
    XgimiError,
)
from ..projector import Projector
from ..snapshot import ProjectorSnapshot
from ..state import ProjectorState
from . import sequences
from .arbitration import Action, Job, JobKind, JobPhase, Request, decide
from .clock import SYSTEM_CLOCK, Clock, Deadline
from .draw import DrawLevel, DrawTracker
from .pending import PendingPowerOn
from .phase import PowerOffResult, PowerOnResult, PowerPhase, observed_phase
from .plug import Plug
from .sequences import Run
from .settings import PowerSettings
from .wake import PowerOnPath, WakeAction

_LOGGER = logging.getLogger(__name__)

type TaskFactory = Callable[[Coroutine[Any, Any, Any], str], asyncio.Task[Any]]
type SequenceFn[T] = Callable[[Run], Coroutine[Any, Any, T]]

_AT_THE_PLUG = frozenset(
    {
        JobPhase.FALLING_BACK,
        JobPhase.CUTTING_POWER,
        JobPhase.WAITING,
        JobPhase.RESTORING_MAINS,
        JobPhase.BOOTING,
        JobPhase.CONNECTING,
    }
)
"""A power-on in these phases has reached the plug: a restart must not forget it."""
_BOOTING = frozenset({JobPhase.BOOTING, JobPhase.CONNECTING})
_ABOVE_STANDBY = frozenset({DrawLevel.IDLE, DrawLevel.ACTIVE})


def _default_task_factory(coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
    return asyncio.get_running_loop().create_task(coro, name=name)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Done callback: consume a background task's exception (it is reported elsewhere)."""
    if not task.cancelled():
        task.exception()


def _running(run: Run | None) -> Run:
    assert run is not None, "the table gives this action only while a job runs"
    return run


class PowerManager:
    """Power sequences and the power phase of one projector.

    At most one job runs (:mod:`.arbitration`): ``turn_on`` calls share one power-on,
    ``turn_off`` cancels a running power-on and leaves mains in a defined state (see
    :class:`PowerOffResult`), a turn-on during a turn-off wins.

    From standby a power-on runs the ``wake_action`` first, if one is given, and falls back to
    the plug's cycle when ADB does not answer within ``wake_wait_s``.
    """

    def __init__(
        self,
        projector: Projector,
        plug: Plug | None,
        settings: PowerSettings | None = None,
        *,
        on_change: Callable[[], None] | None = None,
        clock: Clock = SYSTEM_CLOCK,
        create_task: TaskFactory = _default_task_factory,
        on_pending: Callable[[PendingPowerOn | None], None] | None = None,
        wake_action: WakeAction | None = None,
    ) -> None:
        self.projector = projector
        self.plug = plug
        self.wake_action = wake_action
        self.settings = settings or PowerSettings()
        self.clock = clock
        self.on_change = on_change
        """Called whenever the phase may have changed."""
        self.on_pending = on_pending
        """Called with the power-on a restart must finish (None once there is none): see
        :class:`PendingPowerOn`."""
        self._create_task = create_task
        thresholds = self.settings.thresholds
        self.tracker: DrawTracker | None = (
            DrawTracker(thresholds, dwell_s=self.settings.draw_dwell_s, clock=clock)
            if thresholds is not None and plug is not None and plug.has_power_sensor
            else None
        )
        self.state: ProjectorState = projector.state
        self.last_error: PowerError | None = None
        self._job: Run | None = None
        self.boot: Deadline | None = None
        """Mains restored by a power-on, no answer yet: the boot is under way until then."""
        self.heard_recently: Deadline | None = None
        """ADB answered: until this passes, unreachable may be a blip (None: not heard)."""
        self.waking: Deadline | None = None
        """The wake action was sent: until this passes the projector may still come up."""
        self.wake_error: WakeActionError | WakeTimeoutError | None = None
        """The last wake action failed and the plug took over (cleared when one works)."""
        self._on_grace: Deadline | None = None
        """After a power-on: "awake" means on until then, whatever a slow sensor shows."""
        self._plug_was_available = True
        self._pending: PendingPowerOn | None = None
        self._closing = False
        self._draw_rechecked = False
        """Unreachable but drawing in-use power: the reading was refreshed once, so "on" is
        not a stale value (a slow sensor after 关机). Reset when ADB answers."""

    # --- observation -----------------------------------------------------------------

    @property
    def has_plug(self) -> bool:
        return self.plug is not None

    @property
    def has_wake_action(self) -> bool:
        return self.wake_action is not None

    @property
    def can_power_on(self) -> bool:
        """Whether a power-on is possible right now (reachable, a usable plug, or a usable
        wake action)."""
        if self.state.reachable:
            return True
        if self.wake_action is not None and self.wake_action.available:
            return True
        return self.plug is not None and self.plug.available

    @property
    def power_on_path(self) -> PowerOnPath | None:
        """How the running power-on turns the projector on (None: none runs). Known from its
        start: what it will try first, updated when it falls back."""
        run = self.job
        if run is None or run.kind is not JobKind.POWER_ON:
            return None
        return run.path

    @property
    def job(self) -> Run | None:
        """The running job, if any."""
        run = self._job
        return run if run is not None and not run.done else None

    @property
    def powering_on(self) -> bool:
        run = self.job
        return run is not None and run.kind is JobKind.POWER_ON

    @property
    def watts(self) -> float | None:
        return self.tracker.watts if self.tracker is not None else None

    @property
    def draw_level(self) -> DrawLevel | None:
        return self.tracker.level if self.tracker is not None else None

    @property
    def phase(self) -> PowerPhase:
        shown = self._shown()
        if shown is not None:
            return shown
        observed = self.observed_phase(self.state)
        if self.last_error is not None and observed is not PowerPhase.ON:
            return PowerPhase.FAILED
        return observed

    @property
    def is_on(self) -> bool:
        """Light on: what ``media_player`` calls on (关屏 and every power-on phase are off).

        Also while ADB is unreachable but the plug's settled draw is at the in-use level: the
        lamp is on, whatever the network says (the phase then says ``UNREACHABLE``).
        """
        if self._shown() is not None:
            return False
        observed = self.observed_phase(self.state)
        return observed is PowerPhase.ON or (
            observed is PowerPhase.UNREACHABLE and self.draw_level is DrawLevel.ACTIVE
        )

    @property
    def pending(self) -> PendingPowerOn | None:
        """The power-on a restart must finish, if any (see :class:`PendingPowerOn`)."""
        return self._pending

    def observed_phase(self, state: ProjectorState) -> PowerPhase:
        """The phase ``state`` and the plug show, ignoring running sequences."""
        grace = self._on_grace
        on_grace = grace is not None and not grace.expired
        return observed_phase(
            state,
            self.plug,
            self.draw_level,
            on_grace=on_grace,
            wake_action=self.wake_action is not None,
        )

    def snapshot(self) -> ProjectorSnapshot:
        """Everything a dashboard shows, frozen."""
        return ProjectorSnapshot(
            device=self.state,
            phase=self.phase,
            is_on=self.is_on,
            draw_level=self.draw_level,
            watts=self.watts,
            last_error=self.last_error,
            can_power_on=self.can_power_on,
            has_plug=self.has_plug,
            powering_on=self.powering_on,
            has_wake_action=self.has_wake_action,
            power_on_path=self.power_on_path,
            wake_error=self.wake_error,
        )

    async def refresh(self) -> ProjectorSnapshot:
        """Poll once (errors propagate, as :meth:`Projector.poll`'s do), observe, snapshot.

        When ADB has just become unreachable while the draw reads in-use, the reading is
        refreshed once first: a plug that reports slowly still shows the power of a projector
        that went to standby moments ago, and that must not read as "on".
        """
        state = await self.projector.poll()
        self.observe(state)
        plug = self.plug
        if plug is not None and not state.reachable and self.is_on and not self._draw_rechecked:
            self._draw_rechecked = True
            await plug.refresh_power()
            self._read_plug()
        return self.snapshot()

    def observe(self, state: ProjectorState) -> None:
        """A poll result: update the phase (and forget a failure once the projector is on)."""
        self.note(state)
        if self.last_error is not None and self.observed_phase(state) is PowerPhase.ON:
            self.last_error = None

    def plug_changed(self) -> None:
        """The plug's switch or power reading changed."""
        self._read_plug()
        self.changed()

    def note(self, state: ProjectorState) -> None:
        self.state = state
        if state.reachable:
            self.heard_recently = Deadline(self.clock, self.settings.standby_unreachable_s)
            self.boot = None
            self._draw_rechecked = False
        self._read_plug()

    def _read_plug(self) -> None:
        plug = self.plug
        if plug is None:
            return
        if self.tracker is not None:
            level = self.tracker.update(plug.power_w())
            if level is DrawLevel.ACTIVE:
                self._on_grace = None  # the sensor has caught up
        if plug.available != self._plug_was_available:
            self._plug_was_available = plug.available
            if plug.available:
                _LOGGER.info("The plug of %s is available again", self.projector.label)
            else:
                _LOGGER.warning(
                    "The plug of %s is unavailable: power-on from standby is not possible "
                    "until it returns (ADB control keeps working)",
                    self.projector.label,
                )

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # --- the running job -------------------------------------------------------------

    def _shown(self) -> PowerPhase | None:
        run = self.job
        return run.job.shown if run is not None else None

    def _decide(self, request: Request) -> tuple[Run | None, Action]:
        """The table's answer for ``request`` and the running job.

        A boot whose plug reads off is not booting: it counts as mains being restored.
        """
        run = self.job
        job = run.job if run is not None else None
        if (
            job is not None
            and job.phase in (JobPhase.BOOTING, JobPhase.CONNECTING)
            and self.plug is not None
            and self.plug.is_on is False
        ):
            job = Job(job.kind, JobPhase.RESTORING_MAINS)
        return run, decide(job, request)

    def _start[T](
        self,
        kind: JobKind,
        phase: JobPhase,
        sequence: SequenceFn[T],
        *,
        path: PowerOnPath | None = None,
    ) -> asyncio.Task[T]:
        """Make a new job the running one and start its sequence."""
        shown = self._shown()
        run = Run(kind, phase, self._entered)
        run.path = path
        self._job = run
        self._after(shown, job_changed=True)
        task = self._create_task(self._drive(run, sequence), f"{self.projector.host} {kind}")
        task.add_done_callback(_retrieve)
        run.task = task
        return task

    async def _drive[T](self, run: Run, sequence: SequenceFn[T]) -> T:
        try:
            return await sequence(run)
        finally:
            shown = self._shown()
            run.finished = True
            if self._job is run:
                self._job = None
            self._after(shown)

    def _entered(self, run: Run, previous: JobPhase) -> None:
        if run is not self._job:
            return
        if run.kind is JobKind.POWER_ON and run.phase in _AT_THE_PLUG:
            self._set_pending(PendingPowerOn(boot_started=run.phase in _BOOTING))
        self._after(Job(run.kind, previous).shown)

    def _set_pending(self, pending: PendingPowerOn | None) -> None:
        if pending == self._pending:
            return
        self._pending = pending
        if self.on_pending is not None:
            self.on_pending(pending)

    def _after(self, shown: PowerPhase | None, *, job_changed: bool = False) -> None:
        """The running job changed: tell the listener when the phase it shows did, or when
        a job started (a power-on that still shows the observed phase is news too)."""
        self._read_plug()
        now_shown = self._shown()
        if now_shown is not shown:
            _LOGGER.debug("%s power: %s", self.projector.label, now_shown or "idle")
        if now_shown is not shown or job_changed:
            self.changed()

    @staticmethod
    async def _cancel(run: Run) -> None:
        """Cancel a job and wait until it has stopped."""
        run.stopping = True
        run.started.cancel()
        await asyncio.wait([run.started])

    @staticmethod
    def _stop(run: Run) -> None:
        """Cancel a job without waiting (the one replacing it waits for nothing it does)."""
        run.stopping = True
        run.started.cancel()

    # --- turning on ------------------------------------------------------------------

    async def turn_on(self) -> PowerOnResult:
        """Turn on, however it takes; concurrent calls share one sequence.

        Raises :class:`PowerError` subclasses (no plug, plug unavailable, boot timeout,
        上电自动开机 off, cancelled by ``turn_off``) and the projector's own errors.
        """
        return await asyncio.shield(self.start_turn_on())

    def start_turn_on(self) -> asyncio.Task[PowerOnResult]:
        """Start (or join) the power-on sequence without waiting for it."""
        return self._request_turn_on(self._power_on)

    def resume_turn_on(self, *, booting_for_s: float | None = None) -> asyncio.Task[PowerOnResult]:
        """Finish a power-on that an earlier run of the owner left pending (see
        :class:`PendingPowerOn`); like :meth:`start_turn_on` otherwise.

        ``booting_for_s``: mains was switched on for it that long ago. A boot still within
        ``boot_timeout_s`` is waited for, never cut again (without a power sensor nothing else
        would tell a booting projector from one in standby). If the projector is on by now and
        shows its home screen (its boot ended while nobody watched), the power-on source is
        applied.
        """
        left_s = None if booting_for_s is None else self.settings.boot_timeout_s - booting_for_s
        if left_s is not None and left_s > 0:
            self.boot = Deadline(self.clock, left_s)
        self._set_pending(PendingPowerOn(boot_started=booting_for_s is not None))
        return self._request_turn_on(partial(self._power_on, resumed=True))

    def _request_turn_on(self, sequence: SequenceFn[PowerOnResult]) -> asyncio.Task[PowerOnResult]:
        run, action = self._decide(Request.TURN_ON)
        if action is Action.JOIN:
            return cast("asyncio.Task[PowerOnResult]", _running(run).started)
        if action is Action.REPLACE:
            self._stop(_running(run))
        # START, or SUPERSEDE: the soft power-off sees it is no longer the job and stops.
        return self._start(JobKind.POWER_ON, JobPhase.STARTING, sequence, path=self._first_path())

    def _first_path(self) -> PowerOnPath | None:
        """The way a power-on starting now will try first (from what is known already)."""
        if self.state.reachable:
            return PowerOnPath.KEY
        plug = self.plug
        booting = self.boot is not None and not self.boot.expired
        if self.wake_action is not None and (
            plug is None
            or not plug.available
            or not (plug.is_on is False or booting or self.draw_level in _ABOVE_STANDBY)
        ):
            return PowerOnPath.WAKE_ACTION
        return PowerOnPath.PLUG if plug is not None else None

    # --- turning off -----------------------------------------------------------------

    async def turn_off(self) -> PowerOffResult:
        """Soft power-off; cancels a running power-on (see :class:`PowerOffResult`).

        Raises :class:`SoftOffFailedError` when Android stays awake (mains is then never cut).
        A turn-on that arrives while this runs wins (:attr:`PowerOffResult.SUPERSEDED`).
        """
        while True:
            run, action = self._decide(Request.TURN_OFF)
            if action is not Action.REPLACE:
                break
            await self._cancel(_running(run))  # then decide again: nothing runs now, or a newcomer
        if action is Action.STILL_DEFERRED:
            return PowerOffResult.DEFERRED
        if action is Action.JOIN:
            task = cast("asyncio.Task[PowerOffResult]", _running(run).started)
            return await asyncio.shield(task)
        if action is Action.LEAVE_MAINS_OFF:
            await self._cancel(_running(run))
            plug = self.plug
            assert plug is not None, "a power-on gets this far only with a plug"
            if plug.is_on is not False:
                await plug.turn_off()
            self.boot = None
            self.changed()
            return PowerOffResult.CANCELLED
        if action is Action.OFF_AFTER_WAKE:
            await self._cancel(_running(run))
            _LOGGER.info(
                "%s: turned off while waking; it is powered off if it answers",
                self.projector.label,
            )
            self._start(
                JobKind.DEFERRED_OFF,
                JobPhase.SHUTTING_DOWN,
                partial(sequences.off_after_wake, self),
            )
            return PowerOffResult.DEFERRED
        if action is Action.DEFER_OFF:
            await self._cancel(_running(run))
            _LOGGER.info(
                "%s: turned off while booting; it will be powered off when ADB answers",
                self.projector.label,
            )
            self._start(
                JobKind.DEFERRED_OFF,
                JobPhase.SHUTTING_DOWN,
                partial(sequences.off_after_boot, self),
            )
            return PowerOffResult.DEFERRED
        self.last_error = None
        return await asyncio.shield(
            self._start(JobKind.SOFT_OFF, JobPhase.STARTING, self._soft_off)
        )

    def cut_mains_later(self) -> None:
        """An off ended: with "cut mains" enabled and mains on, watch for standby, then cut."""
        plug = self.plug
        if not self.settings.cut_mains_after_off or plug is None or plug.is_on is False:
            return
        run, action = self._decide(Request.CUT_MAINS)
        if action is Action.NOTHING:
            return
        if action is Action.REPLACE:
            self._stop(_running(run))
        # START, or HAND_OVER: the off that asked ends by itself.
        self._start(
            JobKind.CUT_MAINS,
            JobPhase.SHUTTING_DOWN,
            partial(sequences.cut_mains_when_standby, self),
        )

    async def _power_on(self, run: Run, *, resumed: bool = False) -> PowerOnResult:
        self.last_error = None
        try:
            result = await sequences.power_on(self, run, resumed=resumed)
        except asyncio.CancelledError:
            if not run.stopping:
                raise  # cancelled from outside (its owner goes away): the request stands
            if not self._closing:
                self._set_pending(None)  # withdrawn by a turn-off (closing leaves it pending)
            raise PowerOnCancelledError("cancelled during power-on") from None
        except Exception as err:
            self._set_pending(None)  # failed: nothing is left to finish
            if isinstance(err, PowerError):
                self.last_error = err
                self.boot = None  # whatever mains did, no boot is under way
                _LOGGER.warning("Could not turn on %s: %s", self.projector.label, err)
            raise
        self._set_pending(None)
        self._on_grace = Deadline(self.clock, self.settings.sensor_grace_s)
        return result

    async def _soft_off(self, run: Run) -> PowerOffResult:
        try:
            return await sequences.soft_off(self, run)
        except asyncio.CancelledError:
            if not run.stopping:
                raise
            raise PowerError("the power-off was stopped: the integration is closing") from None

    async def close(self) -> None:
        """Cancel the running job (the integration unloads or reloads, or its host stops).

        A power-on interrupted while mains is off gets mains back, so the projector still
        boots (what was asked for) instead of staying unpowered. An interrupted power-on stays
        :attr:`pending`, so that whoever runs next can finish it (:meth:`resume_turn_on`).
        """
        run, action = self._decide(Request.CLOSE)
        if action is Action.NOTHING:
            return
        running = _running(run)
        phase = running.phase
        self._closing = True
        try:
            await self._cancel(running)
        finally:
            self._closing = False
        plug = self.plug
        boot_started = (self._pending is not None and self._pending.boot_started) or (
            # Stopped while the plug was switching on: if it did, the boot has begun.
            phase is JobPhase.RESTORING_MAINS and plug is not None and plug.is_on is True
        )
        if action is Action.RESTORE_MAINS and plug is not None:
            try:
                await plug.turn_on()
            except XgimiError as err:
                _LOGGER.warning("%s: could not restore mains: %s", self.projector.label, err)
            else:
                boot_started = True
                _LOGGER.info(
                    "%s: mains restored on closing; it boots by itself", self.projector.label
                )
        if running.kind is JobKind.POWER_ON:
            self._set_pending(PendingPowerOn(boot_started=boot_started))
