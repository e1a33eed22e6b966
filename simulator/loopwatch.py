"""Measure how long the asyncio event loop is blocked: a ticker that records its lateness.

Used by the tests (a blocked loop fails them) and by ``scripts/bench``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
import contextlib
import gc
from types import TracebackType
from typing import Self


class LoopStallMonitor:
    """A task that sleeps ``period_s`` in a loop and records how late each wake-up was.

    ``async with LoopStallMonitor() as watch: ...`` then ``watch.max_stall_s``.
    """

    def __init__(self, period_s: float = 0.01) -> None:
        self.period_s = period_s
        self.max_stall_s = 0.0
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.period_s)
            now = loop.time()
            self.ticks += 1
            self.max_stall_s = max(self.max_stall_s, now - last - self.period_s)
            last = now

    async def __aenter__(self) -> Self:
        # Collect garbage left by earlier work first, so a GC pause it causes is not charged to
        # the code being measured.
        gc.collect()
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Let the ticker observe the end of whatever ran inside the block.
        await asyncio.sleep(self.period_s * 2)
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    @property
    def max_stall_ms(self) -> float:
        return self.max_stall_s * 1000.0


async def measure_stall(
    awaitable: Awaitable[object], period_s: float = 0.01
) -> tuple[float, object]:
    """Run ``awaitable`` under a monitor; return (max stall in ms, result or the exception)."""
    async with LoopStallMonitor(period_s) as watch:
        try:
            result: object = await awaitable
        except Exception as exc:  # the caller inspects it
            result = exc
    return watch.max_stall_ms, result
