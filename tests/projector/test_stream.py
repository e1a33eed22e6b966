"""The event stream: bounded line splitting (table-driven), and the stream against the simulator
over loopback: events arrive, long lines and floods stay bounded, a stalled or closed stream
reconnects with back-off, a firmware without logcat is marked unsupported, and reconnecting
never leaves a second logcat behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from pathlib import Path
from typing import Any

import pytest

from custom_components.xgimi_projector.projector import AdbConnection, Backoff, CommandFailedError
from custom_components.xgimi_projector.projector.adbkey import ensure_key
from custom_components.xgimi_projector.projector.events import (
    EVENT_LINE_MAX,
    DeviceEvent,
    EventKind,
    make_marker,
)
from custom_components.xgimi_projector.projector.stream import (
    UNSUPPORTED_AFTER,
    EventStream,
    LineSplitter,
    StreamHealth,
    StreamState,
)
from simulator import Fault, Simulator

from ..conftest import StartSim
from .conftest import FAST, MakeProjector, until

LINE = b"12-01 10:00:00.000  1000  1000 I wm_on_resume_called: [0,com.xgimi.home.MainActivity,x]"


@pytest.mark.parametrize(
    ("chunks", "lines", "dropped"),
    [
        ([b"a\nb\n"], [b"a", b"b"], 0),
        ([b"a", b"b\n"], [b"ab"], 0),
        ([b"a\r\nb"], [b"a\r"], 0),
        ([b"\n\n\na\n"], [b"a"], 0),
        ([b"12345\n"], [b"12345"], 0),
        ([b"123456\nok\n"], [b"ok"], 1),
        ([b"123", b"456", b"789\nok\n"], [b"ok"], 1),
        ([b"1234", b"56\n"], [], 1),
        ([b"12345", b"\n"], [b"12345"], 0),
        ([b"123456" * 100, b"x" * 1000, b"\nok\n"], [b"ok"], 1),
        ([b"x" * 9 + b"\n" + b"y" * 9 + b"\n"], [], 2),
        ([b"no end"], [], 0),
    ],
)
def test_line_splitter(chunks: list[bytes], lines: list[bytes], dropped: int) -> None:
    splitter = LineSplitter(5)
    got: list[bytes] = []
    for chunk in chunks:
        got += splitter.feed(chunk)
        assert splitter.buffered <= 5
    assert got == lines
    assert splitter.dropped == dropped


def test_line_splitter_reset_forgets_a_partial_line() -> None:
    splitter = LineSplitter(5)
    assert splitter.feed(b"abc") == []
    splitter.reset()
    assert splitter.feed(b"d\n") == [b"d"]
    assert splitter.feed(b"1234567") == []
    splitter.reset()
    assert splitter.feed(b"ok\n") == [b"ok"]
    assert splitter.dropped == 0


def test_line_splitter_holds_at_most_one_line_of_a_flood() -> None:
    splitter = LineSplitter(EVENT_LINE_MAX + 1)
    megabyte = (LINE + b"\n") * (1024 * 1024 // (len(LINE) + 1))
    lines = splitter.feed(megabyte + LINE[:50])
    assert len(lines) == megabyte.count(b"\n")
    assert splitter.buffered == 50
    assert splitter.feed(b"x" * (4 * 1024 * 1024)) == []
    assert splitter.buffered == 0
    assert splitter.feed(b"\n" + LINE + b"\n") == [LINE]
    assert splitter.dropped == 1


# --- against the simulator ------------------------------------------------------------------

FAST_BACKOFF = Backoff(initial_s=0.05, factor=2.0, max_s=0.4)


class Seen:
    """What the stream reported: its events and its health changes."""

    def __init__(self) -> None:
        self.events: list[DeviceEvent] = []
        self.health: list[StreamHealth] = []

    def event(self, event: DeviceEvent) -> None:
        self.events.append(event)

    def changed(self, health: StreamHealth) -> None:
        self.health.append(health)

    def tags(self) -> list[str]:
        return [event.tag for event in self.events]


MakeStream = Callable[..., Awaitable[tuple[EventStream, Seen]]]


async def authorize(sim: Simulator, key_path: Path) -> None:
    """What the command connection does first: the person allows our key."""
    connection = AdbConnection("127.0.0.1", sim.port, key_path=key_path, timeouts=FAST)
    await connection.connect()
    await connection.close()


@pytest.fixture
async def make_stream(key_path: Path) -> AsyncIterator[MakeStream]:
    made: list[EventStream] = []

    async def _make(sim: Simulator, **kwargs: Any) -> tuple[EventStream, Seen]:
        if "key_path" not in kwargs:
            await authorize(sim, key_path)
        seen = Seen()
        kwargs.setdefault("backoff", FAST_BACKOFF)
        kwargs.setdefault("timeouts", FAST)
        kwargs.setdefault("key_path", key_path)
        stream = EventStream(
            "127.0.0.1",
            sim.port,
            sdk=int(sim.device.props["ro.build.version.sdk"]),
            marker=MARKER,
            on_event=seen.event,
            on_health=seen.changed,
            **kwargs,
        )
        made.append(stream)
        return stream, seen

    yield _make
    for stream in made:
        await stream.close()


MARKER = make_marker(b"test")


def ours(sim: Simulator) -> list[int]:
    """The pids of the simulated projector's logcat processes that carry our marker."""
    return [
        pid for pid, process in sim.device.event_log.processes.items() if MARKER in process.cmdline
    ]


async def healthy(stream: EventStream) -> None:
    await until(lambda: stream.health.healthy)


@pytest.mark.parametrize("profile", ["gmui_android8", "gmui_android12", "googletv14"])
async def test_changes_arrive_as_events(
    start_sim: StartSim, make_stream: MakeStream, profile: str
) -> None:
    sim = await start_sim(profile)
    stream, seen = await make_stream(sim)
    stream.start()
    # logcat -T 1 replays the newest matching entry at once: the firmware has the tags.
    await healthy(stream)
    health = stream.health
    assert health.state is StreamState.STREAMING
    assert health.connected
    assert health.streaming_since is not None
    assert health.sessions == 1
    assert len(ours(sim)) == 1

    before = len(seen.events)
    sim.device.step_volume(1)
    await until(lambda: len(seen.events) > before)
    assert seen.events[-1].kind is EventKind.VOLUME

    before = len(seen.events)
    app = sorted(sim.device.profile.apps)[0]
    sim.device.execute(["monkey", "-p", app, "-c", "android.intent.category.LAUNCHER", "1"])
    assert sim.device.foreground_package == app
    await until(lambda: any(e.kind is EventKind.ACTIVITY for e in seen.events[before:]))

    before = len(seen.events)
    sim.device.standby()  # 关机 from the projector's own remote
    await until(lambda: any(e.kind is not EventKind.ACTIVITY for e in seen.events[before:]))
    assert stream.health.events == len(seen.events)
    assert stream.health.last_event_at is not None


async def test_stop_kills_the_process_and_close_is_final(
    start_sim: StartSim, make_stream: MakeStream
) -> None:
    sim = await start_sim("gmui_android12")
    stream, seen = await make_stream(sim)
    stream.start()
    await healthy(stream)
    connections = sim.daemon.connection_count
    await stream.stop()
    assert ours(sim) == []
    assert stream.health.state is StreamState.STOPPED
    assert not stream.health.healthy
    assert seen.health[-1].state is StreamState.STOPPED
    await until(lambda: sim.daemon.connection_count == connections - 1)

    stream.start()  # it may start again after stop()
    await healthy(stream)
    await stream.close()
    stream.start()  # but not after close()
    assert not stream.running
    assert ours(sim) == []


async def test_no_orphans_after_many_reconnects(
    start_sim: StartSim, make_stream: MakeStream, key_path: Path
) -> None:
    sim = await start_sim("gmui_android12")
    # A logcat a previous Home Assistant left behind (started without exec, so closing its
    # stream does not end it): the first session kills it.
    leftover = AdbConnection("127.0.0.1", sim.port, key_path=key_path, timeouts=FAST)
    await leftover.connect()
    task = asyncio.create_task(
        leftover.shell(f"logcat -b events -s volume_changed {MARKER}:S", timeout_s=30, idle_s=30)
    )
    await until(lambda: len(ours(sim)) == 1)
    orphan = ours(sim)[0]
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await leftover.close()
    assert ours(sim) == [orphan], "without exec, logcat outlives its stream"

    stream, _seen = await make_stream(sim)
    stream.start()
    await healthy(stream)
    assert len(ours(sim)) == 1
    assert orphan not in ours(sim)
    for reconnect in range(2, 7):
        stream.connection.drop()  # the connection dies under the stream

        def reopened(sessions: int = reconnect) -> bool:
            return stream.health.sessions == sessions and stream.health.healthy

        await until(reopened)
        assert len(ours(sim)) == 1, f"after {reconnect - 1} reconnects"


async def test_long_lines_are_dropped_unparsed_and_a_flood_stays_bounded(
    start_sim: StartSim, make_stream: MakeStream, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    sim.faults.flood_lines_per_s = 3000
    sim.faults.set(Fault.EVENTS_FLOOD)
    stream, seen = await make_stream(sim)
    high_water = 0

    def count(event: DeviceEvent) -> None:
        nonlocal high_water
        high_water = max(high_water, stream._splitter.buffered)
        seen.event(event)

    stream.on_event = count
    stream.start()
    await until(lambda: stream.health.dropped_lines >= 3 and len(seen.events) >= 500)
    assert high_water <= EVENT_LINE_MAX + 1
    # The command connection is not held up by the flood on the other connection.
    client = make_projector(sim)
    await client.connect()
    assert (await client.poll()).reachable
    sim.faults.clear(Fault.EVENTS_FLOOD)
    assert stream.health.state is StreamState.STREAMING


async def test_a_stall_is_noticed_and_the_stream_reopened(
    start_sim: StartSim, make_stream: MakeStream
) -> None:
    sim = await start_sim("gmui_android12")
    stream, seen = await make_stream(sim, idle_s=0.3)
    sim.faults.set(Fault.EVENTS_STALL)  # alive, never a line: also a firmware without the tags
    stream.start()
    await until(lambda: stream.health.sessions >= 3)
    assert not any(h.healthy for h in seen.health), "never verified, never healthy"
    assert "silent" in (stream.health.last_error or "")
    assert len(ours(sim)) <= 1
    sim.faults.clear(Fault.EVENTS_STALL)
    await healthy(stream)
    assert len(ours(sim)) == 1


async def test_a_deaf_stream_is_reopened_after_a_poll_saw_a_change(
    start_sim: StartSim, make_stream: MakeStream
) -> None:
    sim = await start_sim("gmui_android12")
    stream, seen = await make_stream(sim, missed_grace_s=0.05)
    stream.start()
    await healthy(stream)
    stream.poll_done(changed=False)
    stream.poll_done(changed=True)  # an event came since the previous poll: fine
    stream.poll_done(changed=False)
    assert stream.health.sessions == 1
    sim.faults.set(Fault.EVENTS_STALL)
    sim.device.step_volume(1)  # the change happens, the stream says nothing
    stream.poll_done(changed=True)
    await until(lambda: stream.health.sessions == 2)
    assert stream.health.last_error == "it missed a change a poll saw"
    assert any(not h.healthy and h.state is StreamState.STREAMING for h in seen.health)
    sim.faults.clear(Fault.EVENTS_STALL)
    sim.device.step_volume(-1)  # the next change is announced again
    await healthy(stream)


async def test_a_closing_stream_reconnects_with_back_off(
    start_sim: StartSim, make_stream: MakeStream
) -> None:
    sim = await start_sim("gmui_android12")
    sim.faults.events_close_after = 1  # the replayed entry, then "read: unexpected EOF!"
    sim.faults.set(Fault.EVENTS_CLOSE)
    stream, seen = await make_stream(sim, wall=lambda: 0.0)
    stream.start()
    await until(lambda: stream.health.sessions >= 4)
    waits = [h.next_attempt_at for h in seen.health if h.state is StreamState.BACKOFF]
    assert waits[:3] == [0.05, 0.1, 0.2], "each closed stream waits longer"
    assert stream.health.state is not StreamState.UNSUPPORTED, "it did deliver events"
    assert stream.health.last_error == "the stream ended"
    assert len(ours(sim)) <= 1


@pytest.mark.parametrize("fault", [Fault.EVENTS_REFUSED, Fault.EVENTS_CLOSE])
async def test_a_firmware_that_refuses_is_marked_unsupported(
    start_sim: StartSim, make_stream: MakeStream, fault: Fault
) -> None:
    sim = await start_sim("gmui_android12")
    sim.faults.events_close_after = 0
    sim.faults.set(fault)
    stream, seen = await make_stream(sim, unsupported_retry_s=0.5)
    stream.start()
    await until(lambda: stream.health.state is StreamState.UNSUPPORTED)
    assert stream.health.sessions == UNSUPPORTED_AFTER
    assert stream.health.next_attempt_at is not None
    assert not stream.health.connected, "no connection held while waiting"
    sim.faults.clear(fault)
    await healthy(stream)  # retried (rarely), and it works now
    assert [h.state for h in seen.health].count(StreamState.UNSUPPORTED) == 1


async def test_the_stream_never_shows_the_authorization_prompt(
    start_sim: StartSim, make_stream: MakeStream, tmp_path: Path
) -> None:
    sim = await start_sim("gmui_android9")  # ro.adb.secure=1
    untrusted = tmp_path / "other_adbkey"
    ensure_key(untrusted)
    stream, _seen = await make_stream(sim, key_path=untrusted)
    stream.start()
    await until(lambda: stream.health.failures >= 2)
    assert "not trusted" in (stream.health.last_error or "")
    assert not sim.daemon.prompt_pending
    assert sim.daemon.trusted_keys == frozenset(), "the prompt was never shown, so never accepted"


async def test_a_lost_projector_backs_off_without_spinning(
    start_sim: StartSim, make_stream: MakeStream
) -> None:
    sim = await start_sim("gmui_android12")
    stream, seen = await make_stream(sim, wall=lambda: 0.0)
    stream.start()
    await healthy(stream)
    await sim.stop()  # the socket reaches EOF, then nothing listens
    await until(lambda: stream.health.failures >= 3)
    assert not stream.health.healthy
    waits = [h.next_attempt_at for h in seen.health if h.state is StreamState.BACKOFF]
    assert waits[:3] == [0.05, 0.1, 0.2]


async def test_health_as_dict_is_plain_data() -> None:
    health = StreamHealth(
        state=StreamState.STREAMING,
        verified=True,
        connected=True,
        streaming_since=1.0,
        last_event_at=2.0,
        events=3,
        dropped_lines=0,
        sessions=1,
        failures=0,
        last_error=None,
        next_attempt_at=None,
    )
    data = health.as_dict()
    assert data["state"] == "streaming"
    assert data["healthy"] is True
    assert set(data) >= {"events", "dropped_lines", "last_error", "sessions", "failures"}


async def test_an_event_within_the_grace_is_not_a_miss(
    start_sim: StartSim, make_stream: MakeStream
) -> None:
    sim = await start_sim("gmui_android12")
    stream, seen = await make_stream(sim, missed_grace_s=0.3)
    stream.start()
    await healthy(stream)
    stream.poll_done(changed=False)
    stream.poll_done(changed=True)  # the poll was quicker than the event...
    sim.device.step_volume(1)  # ...which comes within the grace
    events = len(seen.events)
    await until(lambda: len(seen.events) > events)
    await asyncio.sleep(0.4)
    assert stream.health.sessions == 1
    assert stream.health.healthy


async def test_a_stream_that_ran_long_enough_retries_at_once(
    start_sim: StartSim, make_stream: MakeStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("custom_components.xgimi_projector.projector.stream.STABLE_S", 0.0)
    sim = await start_sim("gmui_android12")
    sim.faults.events_close_after = 1
    sim.faults.set(Fault.EVENTS_CLOSE)
    stream, seen = await make_stream(sim, wall=lambda: 0.0)
    stream.start()
    await until(lambda: stream.health.sessions >= 3)
    waits = [h.next_attempt_at for h in seen.health if h.state is StreamState.BACKOFF]
    assert waits[:2] == [0.05, 0.05], "each session counted as stable: no growing back-off"


async def test_streaming_needs_a_session(start_sim: StartSim, make_stream: MakeStream) -> None:
    sim = await start_sim("gmui_android12")
    stream, _seen = await make_stream(sim)
    with pytest.raises(CommandFailedError):
        await stream.connection.stream("true", idle_s=1.0, on_open=lambda: None, on_chunk=print)
