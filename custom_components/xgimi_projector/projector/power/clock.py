"""Time for the power sequences: a clock that can be replaced, and two helpers on it.

Every wait in the power path goes through a :class:`Clock`, so tests drive the sequences on
virtual time (the simulator's ``VirtualClock`` satisfies the protocol) and nothing counts
seconds by hand:

* :class:`Deadline`: "give up after N s" (a boot timeout, the standby watch).
* :class:`Dwell`: "this condition has held for N s" (unreachable long enough, a draw level
  that lasted).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "Deadline", "Dwell", "SystemClock"]


class Clock(Protocol):
    """Monotonic seconds and a way to wait for them to pass."""

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` have passed on this clock."""


class SystemClock:
    """Real time: :func:`time.monotonic` and :func:`asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class Deadline:
    """A point ``seconds`` after ``start`` (default: now) on ``clock``."""

    __slots__ = ("_clock", "at")

    def __init__(self, clock: Clock, seconds: float, *, start: float | None = None) -> None:
        self._clock = clock
        self.at = (clock.now() if start is None else start) + seconds

    @property
    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - self._clock.now())

    @property
    def expired(self) -> bool:
        return self._clock.now() >= self.at

    def __repr__(self) -> str:
        return f"Deadline(remaining={self.remaining:.3f})"


class Dwell:
    """Whether a condition, reported at each observation, has held for ``hold_s``.

    ``update(True)`` starts the count (or continues it); ``update(False)`` and :meth:`reset`
    end it. A zero ``hold_s`` holds at the first true observation.
    """

    __slots__ = ("_clock", "_since", "hold_s")

    def __init__(self, clock: Clock, hold_s: float) -> None:
        self._clock = clock
        self.hold_s = hold_s
        self._since: float | None = None

    def update(self, condition: bool) -> bool:
        """Report the condition now; True once it has held for ``hold_s``."""
        if not condition:
            self._since = None
            return False
        now = self._clock.now()
        if self._since is None:
            self._since = now
        return now - self._since >= self.hold_s

    def reset(self) -> None:
        self._since = None

    @property
    def held_s(self) -> float | None:
        """How long the condition has held so far (None: it does not hold)."""
        return None if self._since is None else self._clock.now() - self._since
