"""Clocks for the simulated projector: real time, or virtual time that tests move.

Both satisfy the library's ``Clock`` protocol (``now()`` and ``await sleep(s)``) structurally,
so a test can give one :class:`VirtualClock` to the simulator *and* to the code under test:
the power manager's ten-second re-arm and the simulated boot then take no real time, and they
happen in the right order.

The simulator also needs timers (boot done, network drop, autofocus): ``call_later``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import heapq
import itertools
import time
from typing import Protocol

__all__ = ["RealClock", "SimClock", "TimerHandle", "VirtualClock"]


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class SimClock(Protocol):
    """What the simulator needs of a clock."""

    def now(self) -> float:
        """Seconds on a monotonic scale."""

    async def sleep(self, seconds: float) -> None: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle | None:
        """Run ``callback`` after ``delay`` seconds; None when it cannot be scheduled (a real
        clock without a running event loop: the model then changes only on fast-forward)."""


class RealClock:
    """Wall time: :func:`time.monotonic`, :func:`asyncio.sleep`, ``loop.call_later``."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return loop.call_later(max(0.0, delay), callback)


@dataclass(order=True, slots=True)
class _Timer:
    due: float
    seq: int
    callback: Callable[[], None] | None = field(compare=False)

    def cancel(self) -> None:
        self.callback = None


@dataclass(order=True, slots=True)
class _Sleeper:
    due: float
    seq: int
    future: asyncio.Future[None] = field(compare=False)


class VirtualClock:
    """Time that moves only when someone sleeps on it or calls :meth:`advance`.

    ``await clock.sleep(10)`` returns as soon as the event loop is free, with :meth:`now` ten
    seconds later and every timer due in between fired, in order. Concurrent sleepers wake in
    the order of their deadlines. Real I/O (the ADB session over loopback) takes no virtual
    time, so anything that counts time with :meth:`now` sees only the sleeps.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._timers: list[_Timer] = []
        self._sleepers: list[_Sleeper] = []
        self._seq = itertools.count()
        self._wake_scheduled = False
        self.slept: list[float] = []
        """Every ``sleep`` asked for, in order (tests assert the documented delays)."""

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(self._now + max(0.0, delay), next(self._seq), callback)
        heapq.heappush(self._timers, timer)
        return timer

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, _Sleeper(self._now + seconds, next(self._seq), future))
        self._schedule_wake(loop)
        await future

    def _schedule_wake(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._wake_scheduled:
            self._wake_scheduled = True
            loop.call_soon(self._wake_next)

    def _wake_next(self) -> None:
        """Jump to the earliest sleeper's deadline (firing the timers before it) and wake it."""
        self._wake_scheduled = False
        while self._sleepers and self._sleepers[0].future.done():  # cancelled sleepers
            heapq.heappop(self._sleepers)
        if not self._sleepers:
            return
        sleeper = heapq.heappop(self._sleepers)
        self._run_timers(sleeper.due)
        self._now = max(self._now, sleeper.due)
        sleeper.future.set_result(None)
        if self._sleepers:
            self._schedule_wake(asyncio.get_running_loop())

    def _run_timers(self, until: float) -> None:
        """Fire, in due order, the timers due at or before ``until`` (and those they add)."""
        while self._timers and self._timers[0].due <= until:
            timer = heapq.heappop(self._timers)
            callback, timer.callback = timer.callback, None
            if callback is not None:
                self._now = max(self._now, timer.due)
                callback()

    async def advance(self, seconds: float) -> None:
        """Move time ``seconds`` ahead (timers fire, sleepers due wake), then let the loop run."""
        target = self._now + seconds
        self._run_timers(target)
        self._now = max(self._now, target)
        while self._sleepers and self._sleepers[0].due <= self._now:
            sleeper = heapq.heappop(self._sleepers)
            if not sleeper.future.done():
                sleeper.future.set_result(None)
        for _ in range(3):
            await asyncio.sleep(0)

    @property
    def pending_timers(self) -> int:
        return sum(1 for t in self._timers if t.callback is not None)
