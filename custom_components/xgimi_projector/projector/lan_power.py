"""The power of a "LAN keys only" projector (:meth:`Projector.lan_only`): no ADB to watch.

The :class:`PowerManager` machinery stays for what it observes without ADB (the plug's power
reading, its draw levels and phase) and for the arbitration of requests (concurrent turn-ons
share one job, a turn-off stops a running turn-on, closing restores mains); turning on and off
take the only paths there are:

- on: the wake action first when one is set up and the projector is in standby with mains on
  (a BLE or IR wake, the natural way without ADB), then the plug's cycle for 上电自动开机;
- off: the protocol's power-off code (:meth:`~.lan.LanKeys.turn_off`).

With a calibrated power sensor the draw tells whether the wake worked (it must leave standby
within the wake wait, else the plug takes over); without one nothing can confirm either path,
and :attr:`Projector.assumed_on` records what was sent.
"""

from __future__ import annotations

import asyncio
import logging

from .errors import (
    PowerError,
    PowerOnCancelledError,
    WakeActionError,
    WakeTimeoutError,
)
from .power import PowerManager, PowerOffResult, PowerOnPath, PowerOnResult
from .power.arbitration import Action, JobPhase, Request
from .power.clock import Deadline
from .power.sequences import Run, require_plug, wake_applies

_LOGGER = logging.getLogger(__name__)


class LanPowerManager(PowerManager):
    """:class:`PowerManager` for a projector without ADB (its ADB sequences do not apply)."""

    def start_turn_on(self) -> asyncio.Task[PowerOnResult]:
        """Start (or join) the power-on: the wake action, else (or failing) the plug's cycle;
        ``ALREADY_ON`` when the power reading says the lamp is on.

        Its task raises :class:`~.errors.NoPlugError` / :class:`~.errors.PlugUnavailableError`
        and the wake action's errors when no plug can take over."""
        return self._request_turn_on(self._lan_power_on)

    async def _lan_power_on(self, run: Run) -> PowerOnResult:
        self.last_error = None
        try:
            return await self._lan_sequence(run)
        except asyncio.CancelledError:
            if not run.stopping:
                raise
            raise PowerOnCancelledError("cancelled during power-on") from None
        except PowerError as err:
            self._set_pending(None)  # failed: nothing is left to finish
            self.last_error = err
            _LOGGER.warning("Could not turn on %s: %s", self.projector.label, err)
            raise

    async def _lan_sequence(self, run: Run) -> PowerOnResult:
        if self.tracker is not None and self.is_on:
            return PowerOnResult.ALREADY_ON
        if self.wake_action is None:
            require_plug(self)  # nothing else can turn it on
        fell_back = False
        if await wake_applies(self):
            try:
                await self._wake(run)
            except (WakeActionError, WakeTimeoutError) as err:
                if self.plug is None:
                    self.wake_error = None
                    raise
                _LOGGER.warning(
                    "%s: the wake action did not work (%s); cycling the plug instead",
                    self.projector.label,
                    err,
                )
                self.wake_error = err
                fell_back = True
            else:
                self.wake_error = None
                return self._turned_on(PowerOnResult.WAKE_ACTION)
        run.path = PowerOnPath.PLUG
        await self._plug_cycle(run, after_wake=fell_back)
        return self._turned_on(PowerOnResult.BOOTED)

    async def _wake(self, run: Run) -> None:
        """Run the wake action; with a power sensor, wait for the draw to leave standby
        (raises :class:`WakeTimeoutError` when it does not within the wake wait)."""
        action = self.wake_action
        assert action is not None
        run.path = PowerOnPath.WAKE_ACTION
        run.enter(JobPhase.WAKING)
        wait_s = self.settings.wake_wait_s
        waking = self.waking = Deadline(self.clock, wait_s)
        try:
            await action.wake()
            if not await self._draw_rises(waking):
                raise WakeTimeoutError(wait_s)
        finally:
            self.waking = None

    async def _draw_rises(self, deadline: Deadline) -> bool:
        """Whether the plug's reading leaves standby before ``deadline`` (True at once when
        there is no calibrated power sensor: nothing can tell)."""
        tracker, plug = self.tracker, self.plug
        if tracker is None or plug is None:
            return True
        while True:
            watts = await plug.refresh_power()
            if watts is not None and not tracker.thresholds.is_standby(watts):
                return True
            if deadline.expired:
                return False
            await self.clock.sleep(min(self.settings.connect_interval_s, deadline.remaining))

    async def _plug_cycle(self, run: Run, *, after_wake: bool) -> None:
        """Re-arm 上电自动开机: mains off (when on), ``rearm_off_s``, mains on. Nothing
        confirms the boot; the plug's power reading shows it where there is one."""
        plug = require_plug(self)
        if plug.is_on is not False:
            run.enter(JobPhase.FALLING_BACK if after_wake else JobPhase.CUTTING_POWER)
            await plug.turn_off()
            run.enter(JobPhase.WAITING)
            await self.clock.sleep(self.settings.rearm_off_s)
        run.enter(JobPhase.RESTORING_MAINS)
        await plug.turn_on()

    def _turned_on(self, result: PowerOnResult) -> PowerOnResult:
        self.projector.assumed_on = True
        self._set_pending(None)
        return result

    async def turn_off(self) -> PowerOffResult:
        """The protocol's power-off code, sent once. A running power-on is stopped first; one
        that had reached the plug leaves mains off instead (the table's ``LEAVE_MAINS_OFF``:
        nothing is booting that a key could reach)."""
        run, action = self._decide(Request.TURN_OFF)
        if run is not None:
            await self._cancel(run)
            if action is Action.LEAVE_MAINS_OFF:
                plug = self.plug
                assert plug is not None, "a power-on gets this far only with a plug"
                if plug.is_on is not False:
                    await plug.turn_off()
                self.projector.assumed_on = False
                self.changed()
                return PowerOffResult.CANCELLED
        await self.projector.turn_off()
        self.changed()
        return PowerOffResult.SENT
