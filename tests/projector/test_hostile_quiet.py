"""Quiet commands (issue #12, failure 5): a command may print nothing for longer than one
socket read's timeout, key sequences with long delays go in steps that let polls through, and
a cancelled command does not poison the session."""

from __future__ import annotations

import asyncio
import time

import pytest

from custom_components.xgimi_projector.projector import CommandFailedError, Timeouts
from custom_components.xgimi_projector.projector.projector import (
    MAX_KEY_DELAY_S,
    MAX_STEP_PAUSE_S,
    key_steps,
)

from ..conftest import StartSim
from .conftest import FAST, MakeProjector


@pytest.mark.parametrize(
    ("count", "delay", "sizes"),
    [
        (5, 0.0, [5]),
        (13, 0.4, [6, 6, 1]),
        (3, 0.5, [3]),
        (4, 2.0, [2, 2]),
        (3, 4.0, [1, 1, 1]),
        (2, MAX_KEY_DELAY_S, [1, 1]),
    ],
)
def test_key_steps(count: int, delay: float, sizes: list[int]) -> None:
    steps = key_steps(list(range(count)), delay)
    assert [len(step) for step in steps] == sizes
    assert [code for step in steps for code in step] == list(range(count))
    assert all(delay * (len(step) - 1) <= MAX_STEP_PAUSE_S + 1e-9 for step in steps)


async def test_keys_farther_apart_than_a_read_timeout(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """Before: one command with ``sleep 1.5`` between the keys failed when the socket read
    timed out (1 s here, 3 s by default) and only the first key was pressed."""
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    before = len(sim.device.key_log)
    await projector.send_keys(["up", "down"], delay_s=1.5)
    pressed = sim.device.key_log[before:]
    assert [event.code for event in pressed] == [19, 20]
    assert pressed[1].time - pressed[0].time >= 1.4


async def test_keys_four_seconds_apart_with_default_timeouts(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """The issue's own case: ``delay_secs: 4`` against the default 3 s transport timeout."""
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim, timeouts=Timeouts())
    await projector.connect()
    before = len(sim.device.key_log)
    await projector.send_keys(["left", "right"], delay_s=4.0)
    assert [event.code for event in sim.device.key_log[before:]] == [21, 22]


async def test_polls_go_between_the_steps(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """Keys more than :data:`MAX_STEP_PAUSE_S` apart are separate steps; the wait between them
    is spent outside the queue, so polls run in between instead of waiting it out."""
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    polled: list[float] = []
    done = asyncio.Event()

    async def poller() -> None:
        while not done.is_set():
            assert (await projector.poll()).reachable
            polled.append(time.time())
            await asyncio.sleep(0.05)

    task = asyncio.create_task(poller())
    before = len(sim.device.key_log)
    await projector.send_keys(["down"], repeats=2, delay_s=2.5)
    done.set()
    await task
    first, second = sim.device.key_log[before:]
    assert (first.code, second.code) == (20, 20)
    assert second.time - first.time >= 2.4
    between = [t for t in polled if first.time < t < second.time]
    assert len(between) >= 5, "polls went on while the keys waited"


async def test_raw_command_silent_longer_than_a_read_timeout(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """What ``adb_command`` runs: its 30 s may be spent printing nothing (before: failed once
    a socket read timed out)."""
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    assert FAST.transport_s < 1.5
    assert await projector.shell("sleep 1.5; echo done", timeout_s=30.0) == "done\n"


async def test_raw_command_past_its_timeout(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(CommandFailedError, match="within 0.5 s"):
        await projector.shell("sleep 2; echo late", timeout_s=0.5)
    assert loop.time() - started < 1.0
    assert not projector.connection.connected
    assert await projector.shell("echo again") == "again\n"


async def test_a_cancelled_command_leaves_no_half_stream(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    task = asyncio.create_task(projector.shell("sleep 0.5; echo stale", timeout_s=5.0))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not projector.connection.connected
    assert await projector.shell("echo fresh") == "fresh\n"
