"""Measure how long the asyncio event loop is blocked (a ticker that records its lateness) and
how much memory a piece of work takes (``tracemalloc``).

Used by the tests (a blocked loop or unbounded memory fails them) and by ``scripts/bench``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
import contextlib
from dataclasses import dataclass
import gc
import tracemalloc
from types import TracebackType
from typing import Self

_MB = 1024 * 1024


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


class MemoryWatch:
    """The Python heap over a block, as ``tracemalloc`` sees it: the peak above the start, and
    what is still held at the end (after a garbage collection).

    ``with MemoryWatch() as mem: ...`` then ``mem.peak_mb`` / ``mem.retained_mb``. Tracing
    slows allocation-heavy code, so stall figures taken under it are pessimistic.
    """

    def __init__(self) -> None:
        self.peak_bytes = 0
        self.retained_bytes = 0
        self._base = 0
        self._started_here = False

    def __enter__(self) -> Self:
        gc.collect()
        self._started_here = not tracemalloc.is_tracing()
        if self._started_here:
            tracemalloc.start()
        tracemalloc.reset_peak()
        self._base = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        current = tracemalloc.get_traced_memory()[0]
        if self._started_here:
            tracemalloc.stop()
        self.peak_bytes = max(0, peak - self._base)
        self.retained_bytes = current - self._base

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / _MB

    @property
    def retained_mb(self) -> float:
        return self.retained_bytes / _MB


@dataclass(frozen=True, slots=True)
class Measurement:
    """What :func:`measure` saw: the longest stall, the memory, and the outcome."""

    stall_ms: float
    peak_mb: float
    """Peak heap above the start (MiB); 0 when memory was not traced."""
    retained_mb: float
    """Heap still held at the end (MiB); 0 when memory was not traced."""
    result: object
    """The awaitable's result, or the exception it raised."""


async def measure(
    awaitable: Awaitable[object], *, memory: bool = True, period_s: float = 0.01
) -> Measurement:
    """Run ``awaitable`` under a stall monitor and, with ``memory``, a :class:`MemoryWatch`."""
    mem = MemoryWatch()
    with mem if memory else contextlib.nullcontext(mem):
        stall_ms, result = await measure_stall(awaitable, period_s)
    return Measurement(stall_ms, mem.peak_mb, mem.retained_mb, result)
