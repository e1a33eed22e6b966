"""The power sequences, each a coroutine: power-on, soft power-off, off after a boot, cut mains.

A sequence runs as one :class:`Run` of its :class:`PowerManager` (the :class:`Host`): it reports
its phase with :meth:`Run.enter`, and reads and records observations through the host. Which
sequence runs, and what happens when a request meets it, is the manager's business (see
:mod:`.arbitration`); every wait here is on the host's :class:`~.clock.Clock`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging
from typing import Any, Protocol

from ..errors import (
    AutoPowerOnError,
    BootTimeoutError,
    CommandFailedError,
    NoPlugError,
    PlugUnavailableError,
    ProjectorUnreachableError,
    RunningUnreachableError,
    SoftOffFailedError,
    StillAsleepError,
    WakeActionError,
    WakeTimeoutError,
    XgimiError,
)
from ..projector import Projector
from ..state import UNREACHABLE, ProjectorState, SourceKind
from .arbitration import Job, JobKind, JobPhase
from .clock import Clock, Deadline, Dwell
from .draw import DrawTracker, PowerThresholds
from .phase import PowerOffResult, PowerOnResult, PowerPhase
from .plug import Plug
from .settings import PowerSettings
from .wake import PowerOnPath, WakeAction

_LOGGER = logging.getLogger(__name__)


class Run:
    """One running job: its kind and phase, and its task (set by the manager)."""

    __slots__ = ("_entered", "finished", "kind", "path", "phase", "stopping", "task")

    def __init__(
        self, kind: JobKind, phase: JobPhase, entered: Callable[[Run, JobPhase], None]
    ) -> None:
        self.kind = kind
        self.phase = phase
        self._entered = entered
        self.task: asyncio.Task[Any] | None = None
        self.finished = False
        """The sequence has returned (or raised)."""
        self.stopping = False
        """The manager cancelled it (a power-on then reports a power error, not a cancel)."""
        self.path: PowerOnPath | None = None
        """A power-on: the way it takes (set before the phase that shows it is entered)."""

    @property
    def job(self) -> Job:
        return Job(self.kind, self.phase)

    @property
    def done(self) -> bool:
        """Finished, or its task ended without running (cancelled before its first step)."""
        return self.finished or (self.task is not None and self.task.done())

    @property
    def started(self) -> asyncio.Task[Any]:
        """The task (the manager sets it right after creating it)."""
        assert self.task is not None
        return self.task

    def enter(self, phase: JobPhase) -> None:
        previous, self.phase = self.phase, phase
        self._entered(self, previous)


class Host(Protocol):
    """What a sequence may see and touch of its manager."""

    projector: Projector
    plug: Plug | None
    wake_action: WakeAction | None
    settings: PowerSettings
    clock: Clock
    tracker: DrawTracker | None
    state: ProjectorState
    """The latest observation."""
    boot: Deadline | None
    """Mains was restored by a power-on and ADB has not answered yet; the boot is still
    under way until this deadline."""
    heard_recently: Deadline | None
    """ADB answered moments ago: until this passes, unreachable may be a Wi-Fi blip."""
    waking: Deadline | None
    """The wake action was sent; until this passes the projector may still come up."""
    wake_error: WakeActionError | WakeTimeoutError | None
    """The last wake action failed and the plug took over (None: it worked, or none ran)."""

    @property
    def job(self) -> Run | None:
        """The running job (a sequence that is no longer it was superseded)."""

    def note(self, state: ProjectorState) -> None:
        """Record an observation."""

    def observed_phase(self, state: ProjectorState) -> PowerPhase: ...

    def changed(self) -> None:
        """Tell the listener the phase may have changed."""

    def cut_mains_later(self) -> None:
        """An off ended: hand over to the cut-mains watch if that is enabled and useful."""


def _thresholds(host: Host) -> PowerThresholds | None:
    """The thresholds, when there is a power sensor to read against them."""
    return host.tracker.thresholds if host.tracker is not None else None


def require_plug(host: Host) -> Plug:
    plug = host.plug
    if plug is None:
        raise NoPlugError("unreachable, and no plug is configured")
    if not plug.available:
        raise PlugUnavailableError("the plug is unavailable")
    return plug


# --- power-on -------------------------------------------------------------------------------


async def power_on(host: Host, run: Run, *, resumed: bool = False) -> PowerOnResult:
    """Turn on, however it takes: a wake key when reachable, else the wake action (then the
    plug if it does not work), else the plug.

    ``resumed``: a power-on a restart interrupted. Found on at its home screen (the boot it
    started ended meanwhile), it still gets its source.
    """
    state = await look(host)
    if state.reachable:
        run.path = PowerOnPath.KEY
    if state.reachable and state.awake:
        was_on = host.observed_phase(state) is PowerPhase.ON
        await host.projector.wake()
        if was_on:
            if resumed and state.source_kind is SourceKind.LAUNCHER:
                await apply_source(host)
            return PowerOnResult.ALREADY_ON
        await apply_source(host)
        return PowerOnResult.WOKE
    settings = host.settings
    if state.reachable:
        # Asleep but still on the network: the SoC is about to suspend. A wake key may
        # still catch it; otherwise wait until it has suspended before touching mains.
        with contextlib.suppress(CommandFailedError):  # it may drop off the network now
            await host.projector.wake()
        state = await wait_for(host, lambda s: s.awake, settings.wake_confirm_s)
        if state.awake:
            await apply_source(host)
            return PowerOnResult.WOKE
        state = await wait_for(host, lambda s: not s.reachable, settings.standby_unreachable_s)
        if state.reachable:
            raise StillAsleepError("asleep, still on the network, and not waking")
    if host.wake_action is None:
        require_plug(host)  # nothing to wait for without one
    state = await confirm_unreachable(host)
    if state.reachable:
        return await power_on(host, run, resumed=resumed)
    fell_back = False
    if await wake_applies(host):
        try:
            await wake(host, run)
        except (WakeActionError, WakeTimeoutError) as err:
            if host.plug is None:
                raise
            _LOGGER.warning(
                "%s: the wake action did not work (%s); cycling the plug instead",
                host.projector.label,
                err,
            )
            host.wake_error = err
            fell_back = True
        else:
            host.wake_error = None
            return PowerOnResult.WAKE_ACTION
    run.path = PowerOnPath.PLUG
    await plug_cycle(host, run, after_wake=fell_back)
    return PowerOnResult.BOOTED


async def wake_applies(host: Host) -> bool:
    """Whether to run the wake action first: one is set up and the projector is in standby
    with mains on. With mains off, during a boot we started, or with a draw above standby
    (booting by itself, or running unreachable), only the plug path knows what to do."""
    if host.wake_action is None:
        return False
    plug = host.plug
    if plug is None or not plug.available:
        return True
    if plug.is_on is False or (host.boot is not None and not host.boot.expired):
        return False
    thresholds = _thresholds(host)
    if thresholds is None:
        return True
    watts = await plug.refresh_power()
    return watts is None or thresholds.is_standby(watts)


async def wake(host: Host, run: Run) -> None:
    """Run the wake action, then wait for ADB and for Android to be awake (within the wake
    wait each); raises :class:`WakeActionError` or :class:`WakeTimeoutError`."""
    action = host.wake_action
    assert action is not None
    wait_s = host.settings.wake_wait_s
    run.path = PowerOnPath.WAKE_ACTION
    run.enter(JobPhase.WAKING)
    waking = host.waking = Deadline(host.clock, wait_s)
    try:
        await action.wake()
        answered = await connect_within(host, waking)
    except WakeActionError:
        host.waking = None
        raise
    # (Cancelled by a turn-off, ``waking`` stays: the off then waits for what is left of it.)
    host.waking = None
    if not answered:
        raise WakeTimeoutError(wait_s)
    run.enter(JobPhase.CONNECTING)
    state = await wait_for(host, lambda s: s.awake, wait_s)
    if not state.awake:
        raise WakeTimeoutError(wait_s)
    await apply_source(host)


async def connect_within(host: Host, deadline: Deadline) -> bool:
    """Connect attempts until ADB answers (True) or ``deadline`` passes (False)."""
    while not await connect(host):
        if deadline.expired:
            return False
        await host.clock.sleep(min(host.settings.connect_interval_s, deadline.remaining))
    return True


async def confirm_unreachable(host: Host) -> ProjectorState:
    """Standby shows as unreachable, but so does a Wi-Fi blip: mains is touched only after
    ADB has been silent for ``standby_unreachable_s`` since it last answered."""
    heard = host.heard_recently
    if heard is None:
        return host.state
    while not heard.expired:
        await host.clock.sleep(host.settings.connect_interval_s)
        state = await look(host)
        if state.reachable:
            return state
    return host.state


async def plug_cycle(host: Host, run: Run, *, after_wake: bool = False) -> None:
    """Boot through the plug: re-arm 上电自动开机 (mains off, wait, on), then wait for ADB.

    ``after_wake``: the wake action did not work; switching the plug off shows as the
    fallback (``WAKE_FAILED``) rather than as a plain re-arm."""
    plug = require_plug(host)
    settings = host.settings
    booting = host.boot is not None and not host.boot.expired
    thresholds = _thresholds(host)
    if not booting and thresholds is not None:
        watts = await plug.refresh_power()
        if watts is not None and not thresholds.is_standby(watts):
            # 关屏 with a network problem, or booting by itself: Android runs, so mains
            # stays on. A boot answers soon; anything else is reported.
            run.enter(JobPhase.BOOTING)
            try:
                await wait_for_adb(host, plug, check_draw=False)
            except BootTimeoutError:
                raise RunningUnreachableError(watts) from None
            await finish_boot(host, run)
            return
    if booting:
        # Mains was restored by us moments ago (a turn-off, then a turn-on): let it boot.
        run.enter(JobPhase.BOOTING)
    else:
        if plug.is_on is not False:
            run.enter(JobPhase.FALLING_BACK if after_wake else JobPhase.CUTTING_POWER)
            await plug.turn_off()
            run.enter(JobPhase.WAITING)
            await host.clock.sleep(settings.rearm_off_s)
        run.enter(JobPhase.RESTORING_MAINS)
        await plug.turn_on()
        host.boot = Deadline(host.clock, settings.boot_timeout_s)
        run.enter(JobPhase.BOOTING)
    await wait_for_adb(host, plug)
    await finish_boot(host, run)


async def finish_boot(host: Host, run: Run) -> None:
    run.enter(JobPhase.CONNECTING)
    timeout_s = host.settings.boot_timeout_s
    state = await wait_for(host, lambda s: s.awake, timeout_s)
    if not state.awake:
        raise BootTimeoutError(timeout_s)
    await apply_source(host)


async def wait_for_adb(host: Host, plug: Plug, *, check_draw: bool = True) -> None:
    """Connect attempts until ADB answers; checks the draw once for 上电自动开机."""
    settings = host.settings
    thresholds = _thresholds(host) if check_draw else None
    timeout = Deadline(host.clock, settings.boot_timeout_s)
    grace = Deadline(host.clock, settings.auto_power_on_grace_s)
    while not await connect(host):
        if thresholds is not None and grace.expired:
            watts = await plug.refresh_power()
            if watts is not None and thresholds.is_standby(watts):
                raise AutoPowerOnError(watts)
            thresholds = None  # checked once
        if timeout.expired:
            raise BootTimeoutError(settings.boot_timeout_s)
        await host.clock.sleep(settings.connect_interval_s)


async def connect(host: Host) -> bool:
    """One connect attempt (no back-off). The probe is kept from before: early in a boot
    the package manager may not answer yet, and a re-probe would misread the family."""
    projector = host.projector
    try:
        await projector.connection.connect()
        if projector.info is None:
            await projector.probe()
    except (ProjectorUnreachableError, CommandFailedError) as err:
        _LOGGER.debug("%s: not answering yet: %s", projector.label, err)
        return False
    return (await poll(host)).reachable


async def apply_source(host: Host) -> None:
    source = host.settings.power_on_source
    if not source:
        return
    try:
        await host.projector.select_source(source)
    except XgimiError as err:
        # The projector is on; a source it cannot select is worth a log line, not a
        # failed power-on.
        _LOGGER.warning(
            "%s is on, but selecting %s after power-on failed: %s",
            host.projector.label,
            source,
            err,
        )


# --- power-off ------------------------------------------------------------------------------


async def soft_off(host: Host, run: Run) -> PowerOffResult:
    """The soft power-off; a power-on that starts meanwhile wins (``SUPERSEDED``).

    Raises :class:`SoftOffFailedError` when Android stays awake (mains is then never cut).
    """
    state = await look(host)
    if host.job is not run:
        return PowerOffResult.SUPERSEDED
    if not (state.reachable and state.awake):
        host.cut_mains_later()
        host.changed()
        return PowerOffResult.ALREADY_OFF
    await host.projector.turn_off()
    if host.job is not run:
        return PowerOffResult.SUPERSEDED
    run.enter(JobPhase.SHUTTING_DOWN)
    state = await wait_for(
        host,
        lambda s: not (s.reachable and s.awake) or host.job is not run,
        host.settings.soft_off_confirm_s,
    )
    if host.job is not run:
        return PowerOffResult.SUPERSEDED
    if state.reachable and state.awake:
        raise SoftOffFailedError("Android is still awake after the soft power-off")
    host.cut_mains_later()
    return PowerOffResult.SENT


async def off_after_boot(host: Host, run: Run) -> None:
    """A turn-off that arrived during a boot: wait for ADB, then power off softly."""
    plug = host.plug
    assert plug is not None
    settings = host.settings
    try:
        await wait_for_adb(host, plug)
        await wait_for(host, lambda s: s.awake, settings.boot_timeout_s)
        await host.projector.turn_off()
    except XgimiError as err:
        _LOGGER.warning(
            "%s: could not power off after the cancelled boot: %s", host.projector.label, err
        )
        return
    await wait_for(host, lambda s: not (s.reachable and s.awake), settings.soft_off_confirm_s)
    host.cut_mains_later()


async def off_after_wake(host: Host, run: Run) -> None:
    """A turn-off that arrived while the wake action was being waited for: if the projector
    answers within what is left of the wake wait, power it off softly; if not, it never left
    standby, which is what was asked."""
    settings = host.settings
    deadline = host.waking or Deadline(host.clock, settings.wake_wait_s)
    host.waking = None
    try:
        if not await connect_within(host, deadline):
            _LOGGER.info("%s stayed in standby after the wake action", host.projector.label)
            host.cut_mains_later()
            return
        await wait_for(host, lambda s: s.awake, settings.wake_wait_s)
        await host.projector.turn_off()
    except XgimiError as err:
        _LOGGER.warning(
            "%s: could not power off after the cancelled wake: %s", host.projector.label, err
        )
        return
    await wait_for(host, lambda s: not (s.reachable and s.awake), settings.soft_off_confirm_s)
    host.cut_mains_later()


async def cut_mains_when_standby(host: Host, run: Run) -> None:
    """Cut mains once standby is certain: never while Android could be running.

    Certain means ADB unreachable for ``standby_unreachable_s`` and, with a power sensor, the
    draw at the standby level for ``cut_mains_cooldown_s`` (without one, unreachable for the
    longer of the two), then one last look and reading right before the cut.
    """
    settings = host.settings
    plug = host.plug
    assert plug is not None
    thresholds = _thresholds(host)
    needed_unreachable_s = settings.standby_unreachable_s
    if thresholds is None:
        needed_unreachable_s = max(needed_unreachable_s, settings.cut_mains_cooldown_s)
    unreachable = Dwell(host.clock, needed_unreachable_s)
    low = Dwell(host.clock, settings.cut_mains_cooldown_s)
    watch = Deadline(host.clock, settings.standby_watch_max_s)
    try:
        while not watch.expired:
            await host.clock.sleep(settings.standby_poll_s)
            state = await poll(host)
            if state.reachable and state.awake:
                _LOGGER.info("%s is awake again: mains stays on", host.projector.label)
                return
            unreachable_held = unreachable.update(not state.reachable)
            low_held = thresholds is None or low.update(
                thresholds.is_standby(await plug.refresh_power())
            )
            if not (unreachable_held and low_held):
                continue
            # The poll above may have been a back-off fast-fail: look for real, and read
            # the draw afresh, right before cutting.
            if (await look(host)).reachable:
                unreachable.reset()
                continue
            if thresholds is not None and not thresholds.is_standby(await plug.refresh_power()):
                low.reset()
                continue
            if not plug.available:
                _LOGGER.warning(
                    "%s is in standby but its plug is unavailable: mains stays on",
                    host.projector.label,
                )
                return
            await plug.turn_off()
            _LOGGER.info("%s is in standby: mains cut", host.projector.label)
            return
        _LOGGER.warning(
            "%s did not settle in standby within %.0f s: mains stays on",
            host.projector.label,
            settings.standby_watch_max_s,
        )
    except XgimiError as err:
        _LOGGER.warning("%s: not cutting mains after power-off: %s", host.projector.label, err)


# --- observing ------------------------------------------------------------------------------


async def look(host: Host) -> ProjectorState:
    """The state now: a real connect attempt when there is no session (no back-off)."""
    if not host.projector.connection.connected:
        try:
            await host.projector.connect()
        except ProjectorUnreachableError:
            host.note(UNREACHABLE)
            return host.state
    return await poll(host)


async def poll(host: Host) -> ProjectorState:
    """A poll during a power change: a session that breaks mid-answer (mains cut, reboot)
    counts as unreachable this round instead of failing the sequence."""
    try:
        state = await host.projector.poll()
    except CommandFailedError as err:
        _LOGGER.debug("%s: poll during a power change failed: %s", host.projector.label, err)
        await host.projector.connection.close()
        state = UNREACHABLE
    host.note(state)
    return state


async def wait_for(
    host: Host, done: Callable[[ProjectorState], bool], timeout_s: float
) -> ProjectorState:
    """Poll until ``done(state)`` or ``timeout_s`` has passed."""
    timeout = Deadline(host.clock, timeout_s)
    while True:
        state = await poll(host)
        if done(state) or timeout.expired:
            return state
        await host.clock.sleep(host.settings.state_poll_s)
