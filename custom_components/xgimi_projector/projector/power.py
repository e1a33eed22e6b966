"""Power: turn on from deep standby with a smart plug, turn off safely, know the true phase.

The facts that shape this module (``xgimi.md`` §2.3, §3):

* "关机" is suspend-to-RAM. Android is ``Asleep`` at once and about 14 s later the network is
  down: nothing over the network can wake it.
* "关屏" (screen off) only switches the light off; Android stays ``Awake`` and reachable, and ADB
  cannot tell it from "on". Only the plug's power draw can.
* With 上电自动开机 enabled, restoring mains boots the projector. After a soft power-off the
  plug is still on, so it must be *re-armed*: off for ~10 s, then on.
* Cutting mains while Android runs (on, 关屏, or the seconds while it suspends) pulls the cord
  of a running system. Mains is cut only after ADB has been unreachable for a while and, with a
  power sensor, the draw sits at the standby level.

:class:`PowerManager` runs those sequences against a :class:`Plug` (any object that can switch
and, optionally, read watts; the Home Assistant integration wraps a ``switch`` entity) and a
:class:`~.projector.Projector`. It owns no timers of its own beyond ``sleep``, so tests can drive
it with a fake clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
import contextlib
from dataclasses import dataclass
import enum
import logging
import time
from typing import Any, Protocol

from .errors import (
    AutoPowerOnError,
    BootTimeoutError,
    CommandFailedError,
    NoPlugError,
    PlugUnavailableError,
    PowerError,
    PowerOnCancelledError,
    ProjectorUnreachableError,
    RunningUnreachableError,
    SoftOffFailedError,
    StillAsleepError,
    XgimiError,
)
from .projector import Projector
from .state import UNREACHABLE, PowerState, ProjectorState

_LOGGER = logging.getLogger(__name__)

MIN_CALIBRATION_GAP_W = 2.0
"""Standby and in-use readings closer than this cannot be told apart reliably."""


class PowerPhase(enum.StrEnum):
    """What the projector's power is doing, for a dashboard or a voice reply."""

    ON = "on"
    SCREEN_OFF = "screen_off"
    """关屏: Android awake, light off (told apart from on by the power draw only)."""
    STANDBY = "standby"
    """关机: asleep, network down; mains on."""
    MAINS_OFF = "mains_off"
    CUTTING_POWER = "cutting_power"
    """Power-on: switching the plug off to re-arm 上电自动开机."""
    WAITING = "waiting"
    """Power-on: the plug is off for the re-arm time."""
    BOOTING = "booting"
    """Mains is back; waiting for ADB."""
    CONNECTING = "connecting"
    """ADB answers; waiting for Android to be awake, then selecting the source."""
    SHUTTING_DOWN = "shutting_down"
    """Soft power-off sent; waiting for standby (and, if enabled, to cut mains)."""
    FAILED = "failed"
    """The last power-on failed (see :attr:`PowerManager.last_error`)."""
    UNREACHABLE = "unreachable"
    """ADB unreachable and nothing tells standby from a network problem (or the draw says the
    projector runs)."""
    PLUG_UNAVAILABLE = "plug_unavailable"
    """ADB unreachable and the plug is unavailable: neither state nor power-on is possible."""


POWERING_ON = frozenset(
    {PowerPhase.CUTTING_POWER, PowerPhase.WAITING, PowerPhase.BOOTING, PowerPhase.CONNECTING}
)


class PowerOnResult(enum.StrEnum):
    ALREADY_ON = "already_on"
    WOKE = "woke"
    """It was reachable (关屏, or asleep but still on the network); a wake key brought it back."""
    BOOTED = "booted"
    """It came up through the plug (cold boot)."""


class PowerOffResult(enum.StrEnum):
    SENT = "sent"
    """The soft power-off was sent and Android went to sleep."""
    ALREADY_OFF = "already_off"
    CANCELLED = "cancelled"
    """A power-on was cancelled before mains returned; mains is left off."""
    SUPERSEDED = "superseded"
    """A turn-on arrived while the power-off ran; the turn-on wins."""
    DEFERRED = "deferred"
    """A power-on was cancelled after mains returned: the projector is booting and will be
    powered off softly as soon as ADB answers (mains is never cut during a boot)."""


class DrawLevel(enum.StrEnum):
    STANDBY = "standby"
    """At or below the standby threshold: mains off, or 关机."""
    IDLE = "idle"
    """Between the thresholds: 关屏, or booting."""
    ACTIVE = "active"
    """At or above the in-use threshold: the light is on."""


@dataclass(frozen=True, slots=True)
class PowerThresholds:
    """Where the plug's reading switches level, from a calibration (never hard-coded watts)."""

    standby_max_w: float
    on_min_w: float

    def __post_init__(self) -> None:
        if not 0 <= self.standby_max_w < self.on_min_w:
            raise ValueError("thresholds must satisfy 0 <= standby_max_w < on_min_w")

    @property
    def hysteresis_w(self) -> float:
        """How far past a threshold a reading must go to leave the current level."""
        return max(0.3, 0.1 * (self.on_min_w - self.standby_max_w))

    def classify(self, watts: float, previous: DrawLevel | None = None) -> DrawLevel:
        """The level of ``watts``; with ``previous``, readings near a threshold keep it."""
        margin = self.hysteresis_w
        if previous is DrawLevel.STANDBY and watts <= self.standby_max_w + margin:
            return DrawLevel.STANDBY
        if previous is DrawLevel.ACTIVE and watts >= self.on_min_w - margin:
            return DrawLevel.ACTIVE
        if (
            previous is DrawLevel.IDLE
            and self.standby_max_w - margin < watts < self.on_min_w + margin
        ):
            return DrawLevel.IDLE
        if watts <= self.standby_max_w:
            return DrawLevel.STANDBY
        if watts >= self.on_min_w:
            return DrawLevel.ACTIVE
        return DrawLevel.IDLE

    @classmethod
    def from_calibration(
        cls, *, standby_w: float, on_w: float, screen_off_w: float | None = None
    ) -> PowerThresholds:
        """Thresholds from readings taken in standby, in use, and optionally in 关屏.

        Raises :class:`CalibrationError` when the readings cannot be told apart.
        """
        if min(standby_w, on_w, screen_off_w or 0.0) < 0:
            raise CalibrationError("negative")
        if on_w - standby_w < MIN_CALIBRATION_GAP_W:
            raise CalibrationError("too_close")
        if screen_off_w is None:
            gap = on_w - standby_w
            return cls(standby_w + max(1.0, 0.1 * gap), standby_w + 0.5 * gap)
        if not standby_w + 0.5 <= screen_off_w <= on_w - 1.0:
            raise CalibrationError("screen_off_out_of_range")
        return cls(
            standby_w + (screen_off_w - standby_w) / 2,
            screen_off_w + (on_w - screen_off_w) / 2,
        )


class CalibrationError(ValueError):
    """Calibration readings that cannot make thresholds; ``reason`` is a stable key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_RANK = {DrawLevel.STANDBY: 0, DrawLevel.IDLE: 1, DrawLevel.ACTIVE: 2}


class DrawTracker:
    """The draw level over time: hysteresis, and a *lower* level must last ``dwell_s``.

    Rising levels apply at once (a projector cannot draw its in-use power with the light off);
    falling ones wait, so a dark scene does not read as 关屏.
    """

    def __init__(
        self,
        thresholds: PowerThresholds,
        *,
        dwell_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.thresholds = thresholds
        self.dwell_s = dwell_s
        self._clock = clock
        self.level: DrawLevel | None = None
        self.watts: float | None = None
        self._pending: DrawLevel | None = None
        self._pending_since = 0.0

    def update(self, watts: float | None) -> DrawLevel | None:
        """Feed a reading (None: unknown); returns the settled level."""
        self.watts = watts
        if watts is None:
            self.level = self._pending = None
            return None
        candidate = self.thresholds.classify(watts, self.level)
        if self.level is None or _RANK[candidate] >= _RANK[self.level]:
            self.level, self._pending = candidate, None
            return self.level
        now = self._clock()
        if candidate is not self._pending:
            self._pending, self._pending_since = candidate, now
        if now - self._pending_since >= self.dwell_s:
            self.level, self._pending = candidate, None
        return self.level


class Plug(Protocol):
    """A smart plug the projector is plugged into."""

    @property
    def available(self) -> bool: ...

    @property
    def is_on(self) -> bool | None:
        """True/False, or None when unknown."""

    @property
    def has_power_sensor(self) -> bool: ...

    def power_w(self) -> float | None:
        """The latest reading in watts, or None (no sensor, unavailable, not numeric)."""

    async def refresh_power(self) -> float | None:
        """Ask for a fresh reading, then return :meth:`power_w`."""

    async def turn_on(self) -> None:
        """Switch on and wait until the plug reports on (raises :class:`PowerError`)."""

    async def turn_off(self) -> None:
        """Switch off and wait until the plug reports off (raises :class:`PowerError`)."""


@dataclass(frozen=True, slots=True)
class PowerSettings:
    """How the sequences behave. The first group is user options; the rest are internals."""

    rearm_off_s: float = 10.0
    boot_timeout_s: float = 90.0
    power_on_source: str | None = None
    cut_mains_after_off: bool = False
    cut_mains_cooldown_s: float = 60.0
    thresholds: PowerThresholds | None = None

    connect_interval_s: float = 3.0
    """Between connect attempts while the projector boots."""
    auto_power_on_grace_s: float = 20.0
    """After mains returns, a draw still at standby level this long means 上电自动开机 is off."""
    standby_unreachable_s: float = 30.0
    """ADB must have been unreachable this long before mains may be cut."""
    soft_off_confirm_s: float = 10.0
    """How long Android may take to fall asleep after the soft power-off."""
    wake_confirm_s: float = 3.0
    state_poll_s: float = 0.5
    """Between polls while waiting for a state change (awake/asleep)."""
    standby_poll_s: float = 5.0
    """Between checks while waiting to cut mains."""
    standby_watch_max_s: float = 900.0
    draw_dwell_s: float = 5.0
    sensor_grace_s: float = 60.0
    """After a successful power-on, ADB's "awake" means on for this long even if the plug's
    (slowly reporting) sensor still shows the old, lower draw."""


type TaskFactory = Callable[[Coroutine[Any, Any, Any], str], asyncio.Task[Any]]


def _default_task_factory(coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
    return asyncio.get_running_loop().create_task(coro, name=name)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Done callback: consume a background task's exception (it is reported elsewhere)."""
    if not task.cancelled():
        task.exception()


class PowerManager:
    """Power sequences and the power phase of one projector.

    ``turn_on`` calls coalesce into one sequence; ``turn_off`` cancels a running power-on and
    leaves mains in a defined state (see :class:`PowerOffResult`).
    """

    def __init__(
        self,
        projector: Projector,
        plug: Plug | None,
        settings: PowerSettings | None = None,
        *,
        on_change: Callable[[], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        create_task: TaskFactory = _default_task_factory,
    ) -> None:
        self.projector = projector
        self.plug = plug
        self.settings = settings or PowerSettings()
        self.on_change = on_change
        """Called whenever the phase may have changed."""
        self._sleep = sleep
        self._clock = clock
        self._create_task = create_task
        thresholds = self.settings.thresholds
        self.tracker: DrawTracker | None = (
            DrawTracker(thresholds, dwell_s=self.settings.draw_dwell_s, clock=clock)
            if thresholds is not None and plug is not None and plug.has_power_sensor
            else None
        )
        self.state: ProjectorState = projector.state
        self.last_error: PowerError | None = None
        self._activity: PowerPhase | None = None
        self._on_task: asyncio.Task[PowerOnResult] | None = None
        self._off_task: asyncio.Task[None] | None = None
        self._cancelling = False
        self._plug_was_available = True
        self._on_confirmed_at: float | None = None
        self._last_reachable_at: float | None = None
        """When ADB last answered (None: not since this manager started)."""
        self._booting_since: float | None = None
        """When this manager restored mains for a boot that has not answered yet."""
        self._deferred_off = False
        """A turn-off arrived during a boot: it runs once ADB answers."""

    # --- observation -----------------------------------------------------------------

    @property
    def has_plug(self) -> bool:
        return self.plug is not None

    @property
    def can_power_on(self) -> bool:
        """Whether a power-on is possible right now (reachable, or a usable plug)."""
        if self.state.reachable:
            return True
        return self.plug is not None and self.plug.available

    @property
    def powering_on(self) -> bool:
        return self._on_running()

    def _on_running(self) -> bool:
        """(A method, so a re-check after an ``await`` is not narrowed away.)"""
        return self._on_task is not None and not self._on_task.done()

    @property
    def watts(self) -> float | None:
        return self.tracker.watts if self.tracker is not None else None

    @property
    def draw_level(self) -> DrawLevel | None:
        return self.tracker.level if self.tracker is not None else None

    @property
    def phase(self) -> PowerPhase:
        if self._activity is not None:
            return self._activity
        observed = self.observed_phase(self.state)
        if self.last_error is not None and observed is not PowerPhase.ON:
            return PowerPhase.FAILED
        return observed

    @property
    def is_on(self) -> bool:
        """Light on: what ``media_player`` calls on (关屏 and every power-on phase are off)."""
        return self._activity is None and self.observed_phase(self.state) is PowerPhase.ON

    def observed_phase(self, state: ProjectorState) -> PowerPhase:
        """The phase ``state`` and the plug show, ignoring running sequences."""
        level = self.draw_level
        if state.reachable:
            if not state.awake:
                return PowerPhase.STANDBY
            if state.power is PowerState.SCREEN_OFF:
                return PowerPhase.SCREEN_OFF
            if level in (DrawLevel.STANDBY, DrawLevel.IDLE) and not self._in_on_grace():
                return PowerPhase.SCREEN_OFF
            return PowerPhase.ON
        plug = self.plug
        if plug is None:
            return PowerPhase.UNREACHABLE
        if not plug.available:
            return PowerPhase.PLUG_UNAVAILABLE
        if plug.is_on is False:
            return PowerPhase.MAINS_OFF
        if level is DrawLevel.ACTIVE:
            return PowerPhase.UNREACHABLE
        if level is DrawLevel.IDLE:
            return PowerPhase.BOOTING
        return PowerPhase.STANDBY

    def _in_on_grace(self) -> bool:
        confirmed = self._on_confirmed_at
        if confirmed is None:
            return False
        if self._clock() - confirmed < self.settings.sensor_grace_s:
            return True
        self._on_confirmed_at = None
        return False

    def observe(self, state: ProjectorState) -> None:
        """A poll result: update the phase (and forget a failure once the projector is on)."""
        self._note(state)
        if self.last_error is not None and self.observed_phase(state) is PowerPhase.ON:
            self.last_error = None

    def plug_changed(self) -> None:
        """The plug's switch or power reading changed."""
        self._read_plug()
        self._changed()

    def _note(self, state: ProjectorState) -> None:
        self.state = state
        if state.reachable:
            self._last_reachable_at = self._clock()
            self._booting_since = None
        self._read_plug()

    def _read_plug(self) -> None:
        plug = self.plug
        if plug is None:
            return
        if self.tracker is not None:
            level = self.tracker.update(plug.power_w())
            if level is DrawLevel.ACTIVE:
                self._on_confirmed_at = None  # the sensor has caught up
        if plug.available != self._plug_was_available:
            self._plug_was_available = plug.available
            if plug.available:
                _LOGGER.info("The plug of %s is available again", self.projector.host)
            else:
                _LOGGER.warning(
                    "The plug of %s is unavailable: power-on from standby is not possible "
                    "until it returns (ADB control keeps working)",
                    self.projector.host,
                )

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _set_activity(self, activity: PowerPhase | None) -> None:
        self._read_plug()
        if activity is not self._activity:
            _LOGGER.debug("%s power: %s", self.projector.host, activity or "idle")
            self._activity = activity
            self._changed()

    # --- turning on ------------------------------------------------------------------

    async def turn_on(self) -> PowerOnResult:
        """Turn on, however it takes; concurrent calls share one sequence.

        Raises :class:`PowerError` subclasses (no plug, plug unavailable, boot timeout,
        上电自动开机 off, cancelled by ``turn_off``) and the projector's own errors.
        """
        return await asyncio.shield(self.start_turn_on())

    def start_turn_on(self) -> asyncio.Task[PowerOnResult]:
        """Start (or join) the power-on sequence without waiting for it."""
        task = self._on_task
        if task is None or task.done():
            self._cancel_off_task()
            self._deferred_off = False
            task = self._create_task(self._power_on(), f"{self.projector.host} power on")
            task.add_done_callback(_retrieve)
            self._on_task = task
        return task

    async def _power_on(self) -> PowerOnResult:
        self.last_error = None
        try:
            result = await self._power_on_steps()
        except asyncio.CancelledError:
            if not self._cancelling:
                raise
            raise PowerOnCancelledError("cancelled during power-on") from None
        except PowerError as err:
            self.last_error = err
            self._booting_since = None  # whatever mains did, no boot is under way
            _LOGGER.warning("Could not turn on %s: %s", self.projector.host, err)
            raise
        else:
            self._on_confirmed_at = self._clock()
            return result
        finally:
            self._cancelling = False
            self._set_activity(None)

    async def _power_on_steps(self) -> PowerOnResult:
        state = await self._look()
        if state.reachable and state.awake:
            was_on = self.observed_phase(state) is PowerPhase.ON
            await self.projector.wake()
            if was_on:
                return PowerOnResult.ALREADY_ON
            await self._apply_source()
            return PowerOnResult.WOKE
        if state.reachable:
            # Asleep but still on the network: the SoC is about to suspend. A wake key may
            # still catch it; otherwise wait until it has suspended before touching mains.
            with contextlib.suppress(CommandFailedError):  # it may drop off the network now
                await self.projector.wake()
            state = await self._wait_for(lambda s: s.awake, self.settings.wake_confirm_s)
            if state.awake:
                await self._apply_source()
                return PowerOnResult.WOKE
            state = await self._wait_for(
                lambda s: not s.reachable, self.settings.standby_unreachable_s
            )
            if state.reachable:
                raise StillAsleepError("asleep, still on the network, and not waking")
        self._require_plug()  # nothing to wait for without one
        state = await self._confirm_unreachable()
        if state.reachable:
            return await self._power_on_steps()
        await self._plug_cycle()
        return PowerOnResult.BOOTED

    async def _confirm_unreachable(self) -> ProjectorState:
        """Standby shows as unreachable, but so does a Wi-Fi blip: mains is touched only after
        ADB has been silent for ``standby_unreachable_s`` since it last answered."""
        settings = self.settings
        if self._last_reachable_at is None:
            return self.state
        remaining = settings.standby_unreachable_s - (self._clock() - self._last_reachable_at)
        elapsed = 0.0
        while elapsed < remaining:
            await self._sleep(settings.connect_interval_s)
            elapsed += settings.connect_interval_s
            started = self._clock()
            state = await self._look()
            elapsed += self._clock() - started
            if state.reachable:
                return state
        return self.state

    def _require_plug(self) -> Plug:
        plug = self.plug
        if plug is None:
            raise NoPlugError("unreachable, and no plug is configured")
        if not plug.available:
            raise PlugUnavailableError("the plug is unavailable")
        return plug

    async def _plug_cycle(self) -> None:
        plug = self._require_plug()
        settings = self.settings
        booting = self._booting_since is not None and (
            self._clock() - self._booting_since < settings.boot_timeout_s
        )
        thresholds = settings.thresholds
        if not booting and self.tracker is not None and thresholds is not None:
            watts = await plug.refresh_power()
            level = None if watts is None else thresholds.classify(watts)
            if watts is not None and level is not DrawLevel.STANDBY:
                # 关屏 with a network problem, or booting by itself: Android runs, so mains
                # stays on. A boot answers soon; anything else is reported.
                self._set_activity(PowerPhase.BOOTING)
                try:
                    await self._wait_for_adb(plug, check_draw=False)
                except BootTimeoutError:
                    raise RunningUnreachableError(watts) from None
                await self._finish_boot()
                return
        if booting:
            # Mains was restored by us moments ago (a turn-off, then a turn-on): let it boot.
            self._set_activity(PowerPhase.BOOTING)
        else:
            if plug.is_on is not False:
                self._set_activity(PowerPhase.CUTTING_POWER)
                await plug.turn_off()
                self._set_activity(PowerPhase.WAITING)
                await self._sleep(settings.rearm_off_s)
            self._set_activity(PowerPhase.BOOTING)
            await plug.turn_on()
            self._booting_since = self._clock()
        await self._wait_for_adb(plug)
        await self._finish_boot()

    async def _finish_boot(self) -> None:
        self._set_activity(PowerPhase.CONNECTING)
        state = await self._wait_for(lambda s: s.awake, self.settings.boot_timeout_s)
        if not state.awake:
            raise BootTimeoutError(self.settings.boot_timeout_s)
        await self._apply_source()

    async def _wait_for_adb(self, plug: Plug, *, check_draw: bool = True) -> None:
        """Connect attempts until ADB answers; checks the draw once for 上电自动开机."""
        settings = self.settings
        thresholds = settings.thresholds
        elapsed = 0.0
        draw_checked = not check_draw or self.tracker is None or thresholds is None
        while True:
            started = self._clock()
            if await self._connect():
                return
            elapsed += self._clock() - started
            if not draw_checked and elapsed >= settings.auto_power_on_grace_s:
                draw_checked = True
                watts = await plug.refresh_power()
                assert thresholds is not None
                if watts is not None and thresholds.classify(watts) is DrawLevel.STANDBY:
                    raise AutoPowerOnError(watts)
            if elapsed >= settings.boot_timeout_s:
                raise BootTimeoutError(settings.boot_timeout_s)
            await self._sleep(settings.connect_interval_s)
            elapsed += settings.connect_interval_s

    async def _connect(self) -> bool:
        """One connect attempt (no back-off). The probe is kept from before: early in a boot
        the package manager may not answer yet, and a re-probe would misread the family."""
        try:
            await self.projector.connection.connect()
            if self.projector.info is None:
                await self.projector.probe()
        except (ProjectorUnreachableError, CommandFailedError) as err:
            _LOGGER.debug("%s: not answering yet: %s", self.projector.host, err)
            return False
        self._note(await self._poll())
        return self.state.reachable

    async def _apply_source(self) -> None:
        source = self.settings.power_on_source
        if not source:
            return
        try:
            await self.projector.select_source(source)
        except XgimiError as err:
            # The projector is on; a source it cannot select is worth a log line, not a
            # failed power-on.
            _LOGGER.warning(
                "%s is on, but selecting %s after power-on failed: %s",
                self.projector.host,
                source,
                err,
            )

    # --- turning off -----------------------------------------------------------------

    async def turn_off(self) -> PowerOffResult:
        """Soft power-off; cancels a running power-on (see :class:`PowerOffResult`).

        Raises :class:`SoftOffFailedError` when Android stays awake (mains is then never cut).
        A turn-on that arrives while this runs wins (:attr:`PowerOffResult.SUPERSEDED`).
        """
        if self.powering_on:
            return await self._cancel_power_on()
        if self._deferred_off:
            return PowerOffResult.DEFERRED  # said twice: the first one is still waiting
        self.last_error = None
        self._cancel_off_task()
        state = await self._look()
        if self._on_running():
            return PowerOffResult.SUPERSEDED
        if not (state.reachable and state.awake):
            self._start_cut_mains_watch()
            self._changed()
            return PowerOffResult.ALREADY_OFF
        await self.projector.turn_off()
        self._set_activity(PowerPhase.SHUTTING_DOWN)
        try:
            state = await self._wait_for(
                lambda s: not (s.reachable and s.awake) or self._on_running(),
                self.settings.soft_off_confirm_s,
            )
        finally:
            self._end_shutting_down()
        if self._on_running():
            return PowerOffResult.SUPERSEDED
        if state.reachable and state.awake:
            raise SoftOffFailedError("Android is still awake after the soft power-off")
        self._start_cut_mains_watch()
        return PowerOffResult.SENT

    async def _cancel_power_on(self) -> PowerOffResult:
        task = self._on_task
        assert task is not None
        activity = self._activity
        self._cancelling = True
        task.cancel()
        await asyncio.wait([task])
        plug = self.plug
        if activity in (PowerPhase.BOOTING, PowerPhase.CONNECTING) and not (
            plug is not None and plug.is_on is False
        ):
            _LOGGER.info(
                "%s: turned off while booting; it will be powered off when ADB answers",
                self.projector.host,
            )
            self._deferred_off = True
            self._set_activity(PowerPhase.SHUTTING_DOWN)
            self._start_off_task(self._off_after_boot())
            return PowerOffResult.DEFERRED
        if activity in (PowerPhase.CUTTING_POWER, PowerPhase.WAITING, PowerPhase.BOOTING):
            assert plug is not None
            if plug.is_on is not False:
                await plug.turn_off()
            self._booting_since = None
            self._changed()
            return PowerOffResult.CANCELLED
        # Cancelled before anything changed: an ordinary power-off.
        return await self.turn_off()

    async def _off_after_boot(self) -> None:
        try:
            plug = self.plug
            assert plug is not None
            try:
                await self._wait_for_adb(plug)
                await self._wait_for(lambda s: s.awake, self.settings.boot_timeout_s)
                await self.projector.turn_off()
            except XgimiError as err:
                _LOGGER.warning(
                    "%s: could not power off after the cancelled boot: %s",
                    self.projector.host,
                    err,
                )
                return
            await self._wait_for(
                lambda s: not (s.reachable and s.awake), self.settings.soft_off_confirm_s
            )
        finally:
            self._deferred_off = False
            self._end_shutting_down()
        self._start_cut_mains_watch()

    def _end_shutting_down(self) -> None:
        """A power-off task ends; a power-on that replaced it keeps its own phase."""
        if self._activity is PowerPhase.SHUTTING_DOWN:
            self._set_activity(None)

    def _start_cut_mains_watch(self) -> None:
        plug = self.plug
        if (
            self.settings.cut_mains_after_off
            and plug is not None
            and plug.is_on is not False
            and not self.powering_on
        ):
            self._start_off_task(self._cut_mains_when_standby())

    def _start_off_task(self, coro: Coroutine[Any, Any, None]) -> None:
        self._cancel_off_task()
        task = self._create_task(coro, f"{self.projector.host} power off")
        task.add_done_callback(_retrieve)
        self._off_task = task

    def _cancel_off_task(self) -> None:
        task = self._off_task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
        self._off_task = None

    async def _cut_mains_when_standby(self) -> None:
        """Cut mains once standby is certain: never while Android could be running."""
        settings = self.settings
        plug = self.plug
        assert plug is not None
        thresholds = settings.thresholds if self.tracker is not None else None
        needed_low_s = settings.cut_mains_cooldown_s
        needed_unreachable_s = settings.standby_unreachable_s
        if thresholds is None:
            needed_unreachable_s = max(needed_unreachable_s, settings.cut_mains_cooldown_s)
        elapsed = 0.0
        unreachable_since: float | None = None
        low_since: float | None = None
        self._set_activity(PowerPhase.SHUTTING_DOWN)
        try:
            while elapsed < settings.standby_watch_max_s:
                await self._sleep(settings.standby_poll_s)
                elapsed += settings.standby_poll_s
                state = await self._poll()
                if state.reachable:
                    if state.awake:
                        _LOGGER.info("%s is awake again: mains stays on", self.projector.host)
                        return
                    unreachable_since = None
                elif unreachable_since is None:
                    unreachable_since = elapsed
                if thresholds is not None:
                    watts = await plug.refresh_power()
                    if watts is None or thresholds.classify(watts) is not DrawLevel.STANDBY:
                        low_since = None
                    elif low_since is None:
                        low_since = elapsed
                unreachable_ok = (
                    unreachable_since is not None
                    and elapsed - unreachable_since >= needed_unreachable_s
                )
                low_ok = thresholds is None or (
                    low_since is not None and elapsed - low_since >= needed_low_s
                )
                if unreachable_ok and low_ok:
                    # The poll above may have been a back-off fast-fail: look for real, and
                    # read the draw afresh, right before cutting.
                    if (await self._look()).reachable:
                        unreachable_since = None
                        continue
                    if thresholds is not None:
                        watts = await plug.refresh_power()
                        if watts is None or thresholds.classify(watts) is not DrawLevel.STANDBY:
                            low_since = None
                            continue
                    if not plug.available:
                        _LOGGER.warning(
                            "%s is in standby but its plug is unavailable: mains stays on",
                            self.projector.host,
                        )
                        return
                    await plug.turn_off()
                    _LOGGER.info("%s is in standby: mains cut", self.projector.host)
                    return
            _LOGGER.warning(
                "%s did not settle in standby within %.0f s: mains stays on",
                self.projector.host,
                settings.standby_watch_max_s,
            )
        except XgimiError as err:
            _LOGGER.warning("%s: not cutting mains after power-off: %s", self.projector.host, err)
        finally:
            self._end_shutting_down()

    # --- helpers ---------------------------------------------------------------------

    async def _look(self) -> ProjectorState:
        """The state now: a real connect attempt when there is no session (no back-off)."""
        if not self.projector.connection.connected:
            try:
                await self.projector.connect()
            except ProjectorUnreachableError:
                self._note(UNREACHABLE)
                return self.state
        return await self._poll()

    async def _poll(self) -> ProjectorState:
        """A poll during a power change: a session that breaks mid-answer (mains cut, reboot)
        counts as unreachable this round instead of failing the sequence."""
        try:
            state = await self.projector.poll()
        except CommandFailedError as err:
            _LOGGER.debug("%s: poll during a power change failed: %s", self.projector.host, err)
            await self.projector.connection.close()
            state = UNREACHABLE
        self._note(state)
        return state

    async def _wait_for(
        self, done: Callable[[ProjectorState], bool], timeout_s: float
    ) -> ProjectorState:
        """Poll until ``done(state)`` or ``timeout_s`` (of sleeps and poll time) passed."""
        elapsed = 0.0
        while True:
            started = self._clock()
            state = await self._poll()
            if done(state) or elapsed >= timeout_s:
                return state
            elapsed += self._clock() - started
            await self._sleep(self.settings.state_poll_s)
            elapsed += self.settings.state_poll_s

    async def close(self) -> None:
        """Cancel every running sequence (the integration unloads or reloads).

        A power-on interrupted while mains is off gets mains back, so the projector still
        boots (what was asked for) instead of staying unpowered.
        """
        activity = self._activity
        on_task, off_task = self._on_task, self._off_task
        self._on_task = self._off_task = None
        if on_task is not None and not on_task.done():
            self._cancelling = True
            on_task.cancel()
            await asyncio.wait([on_task])
        if off_task is not None and not off_task.done():
            off_task.cancel()
            await asyncio.wait([off_task])
        plug = self.plug
        if activity in (PowerPhase.CUTTING_POWER, PowerPhase.WAITING) and plug is not None:
            try:
                await plug.turn_on()
            except XgimiError as err:
                _LOGGER.warning("%s: could not restore mains: %s", self.projector.host, err)
