"""The library against a hostile projector (issue #12): each of the simulator's hostile modes
may fail a command, but must not stall the event loop, must not take unbounded memory, and the
session must come back once the projector behaves again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging

import pytest

from custom_components.xgimi_projector.projector import CommandFailedError, Projector, Timeouts
from custom_components.xgimi_projector.projector.connection import DEFAULT_MAX_BYTES
from custom_components.xgimi_projector.projector.projector import RAW_MAX_BYTES
from simulator import Fault, Simulator
from simulator.loopwatch import MemoryWatch, measure

from ..conftest import StartSim
from .conftest import MakeProjector

MAX_STALL_MS = 20.0
MAX_PEAK_MB = 8.0
"""Far below what reading the hostile output would take (100 MB), far above what the
simulator and one 1 MiB packet in flight need."""


async def _connected(
    start_sim: StartSim, make_projector: MakeProjector, **kwargs: object
) -> tuple[Simulator, Projector]:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim, **kwargs)
    await projector.connect()
    assert (await projector.poll()).reachable
    return sim, projector


async def _bounded(
    sim: Simulator, fault: Fault, attempt: Callable[[], Awaitable[object]]
) -> object:
    """Run ``attempt`` under ``fault`` for the stall, then once more (traced) for the heap;
    tracing slows allocation, and the simulator shares the loop, so they are kept apart.

    The stall is wall-clock lateness on a machine shared with other work, so one bad reading
    is retried once: a real stall (a big decode or parse) shows up every time.
    """
    stalls: list[float] = []
    for _ in range(2):
        sim.faults.set(fault)
        seen = await measure(attempt(), memory=False)
        stalls.append(seen.stall_ms)
        if seen.stall_ms < MAX_STALL_MS:
            break
    assert min(stalls) < MAX_STALL_MS, f"event loop stalled {stalls} ms"
    sim.faults.set(fault)
    traced = await measure(attempt(), memory=True)
    assert traced.peak_mb < MAX_PEAK_MB, f"peak heap {traced.peak_mb:.1f} MiB"
    assert type(traced.result) is type(seen.result)
    return seen.result


async def _recovers(sim: Simulator, projector: Projector) -> None:
    sim.faults.clear()
    assert (await projector.poll()).reachable


@pytest.mark.parametrize("fault", [Fault.HUGE_OUTPUT, Fault.LYING_LENGTH, Fault.BAD_MAGIC], ids=str)
async def test_poll_drops_a_hostile_session_at_once(
    fault: Fault, start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """100 MB of output, a 2 GiB payload claim, a corrupt header: the poll reads a few
    kilobytes at most, fails, and drops the session (before: 263 MiB and a 0.6 s stall for
    huge output, 101 MiB for the lie, bad magic went unnoticed)."""
    sim, projector = await _connected(start_sim, make_projector)
    result = await _bounded(sim, fault, projector.poll)
    assert not getattr(result, "reachable", True), result
    assert not projector.connection.connected
    await _recovers(sim, projector)


async def test_byte_drip_is_bounded_by_the_command_timeout(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    quick = Timeouts(transport_s=1.0, read_s=0.5, command_s=0.5, auth_s=2.0)
    sim, projector = await _connected(start_sim, make_projector, timeouts=quick)
    sim.faults.drip_interval_s = 0.02
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = await _bounded(sim, Fault.BYTE_DRIP, projector.poll)
    assert not getattr(result, "reachable", True)
    # At most three polls, each a try and one retry on a fresh session, each cut at command_s.
    assert loop.time() - started < 3 * 2 * quick.command_s + 1.5
    await _recovers(sim, projector)


async def test_stray_packets_are_dropped_not_kept(
    start_sim: StartSim, make_projector: MakeProjector, caplog: pytest.LogCaptureFixture
) -> None:
    """adb-shell keeps every packet for a stream it is not reading for the life of the
    session (10 polls here kept 480 KiB before); the transport drops them, so polls go on and
    the heap stays flat."""
    caplog.set_level(logging.WARNING)  # captured log records would be the only growth
    sim, projector = await _connected(start_sim, make_projector)
    sim.faults.stray_bytes = 48 * 1024
    sim.faults.set(Fault.STRAY_PACKETS)
    assert (await projector.poll()).reachable  # warm up (first-use allocations)
    with MemoryWatch() as mem:
        for _ in range(10):
            assert (await projector.poll()).reachable
    assert mem.retained_bytes < 96 * 1024, f"{mem.retained_mb:.2f} MiB kept by 10 polls"
    assert projector.connection._transport is not None
    assert projector.connection._transport.dropped == 11 * 12


async def test_a_stray_flood_ends_the_session(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, projector = await _connected(start_sim, make_projector)
    sim.faults.stray_bytes = 4 * DEFAULT_MAX_BYTES
    result = await _bounded(sim, Fault.STRAY_PACKETS, projector.poll)
    assert not getattr(result, "reachable", True)
    await _recovers(sim, projector)


async def test_raw_shell_has_its_own_cap(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, projector = await _connected(start_sim, make_projector)
    sim.faults.set(Fault.HUGE_OUTPUT)
    sim.faults.huge_output_bytes = 900_000
    output = await projector.shell("true")  # more than a poll may read, less than 1 MiB
    assert len(output) == 900_000
    sim.faults.huge_output_bytes = 100_000_000
    result = await _bounded(sim, Fault.HUGE_OUTPUT, lambda: projector.shell("true"))
    assert isinstance(result, CommandFailedError)
    assert f"exceeds {RAW_MAX_BYTES} bytes" in str(result)
    await _recovers(sim, projector)


async def test_a_command_past_its_cap_is_cut_off(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim, projector = await _connected(start_sim, make_projector)
    sim.faults.set(Fault.HUGE_OUTPUT)
    sim.faults.huge_output_bytes = 200_000
    with pytest.raises(CommandFailedError, match="exceeds 65536 bytes"):
        await projector.press("HOME")
    assert not projector.connection.connected
    await _recovers(sim, projector)
