"""The event stream over real ADB: adb-shell (as the library uses it) and Debian's adb client.

Every profile streams what its model does; the kill discipline is exercised against the
model's process table; the faults (stall, close, flood, refused) and the ends of a stream
(killed, host closed it, device gone) behave as docs/events.md says real Android does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from pathlib import Path
import shutil
from typing import Any

from adb_shell.adb_device_async import AdbDeviceAsync
from adb_shell.auth.sign_cryptography import CryptographySigner
import pytest

from custom_components.xgimi_projector.projector.events import (
    EVENT_LINE_MAX,
    EventKind,
    kill_command,
    make_marker,
    parse_event_line,
    stream_command,
)
from simulator import PromptMode, Simulator
from simulator.faults import Fault
from simulator.logcat import REFUSED_MESSAGE, UNEXPECTED_EOF

from ..conftest import StartSim
from .adbd_helpers import HOST, EofRaisingTransport, RealAdb
from .conftest import ALL
from .test_logcat import app_component, sdk_of

MARKER = make_marker(b"the integration's key")
LIMIT_S = 10.0


async def until(check: Callable[[], object], what: str, limit_s: float = LIMIT_S) -> None:
    """Wait (a bounded time) until ``check()`` holds; fail naming ``what``."""
    try:
        async with asyncio.timeout(limit_s):
            while not check():  # noqa: ASYNC110 -- polls the model, which has no event to wait on
                await asyncio.sleep(0.01)
    except TimeoutError:
        pytest.fail(f"never happened: {what}")


class Stream:
    """An ADB connection following one shell command's output, line by line."""

    def __init__(self, device: AdbDeviceAsync) -> None:
        self.device = device
        self.lines: list[bytes] = []
        self.ended = False
        self.error: Exception | None = None
        self._partial = b""
        self._task: asyncio.Task[None] | None = None

    def start(self, command: str) -> None:
        self._task = asyncio.create_task(self._read(command))

    async def _read(self, command: str) -> None:
        try:
            async for chunk in self.device.streaming_shell(
                command, transport_timeout_s=None, read_timeout_s=3600, decode=False
            ):
                data = self._partial + chunk
                *whole, self._partial = data.split(b"\n")
                self.lines.extend(whole)
        except (ConnectionError, OSError) as err:  # the device went away
            self.error = err
        finally:
            if self._partial:
                self.lines.append(self._partial)
            self.ended = True

    def events(self, kind: EventKind | None = None) -> list[Any]:
        parsed = [parse_event_line(line) for line in self.lines]
        return [e for e in parsed if e is not None and (kind is None or e.kind is kind)]

    def abandon(self) -> None:
        """Stop reading but keep the TCP connection open (a host that went silent)."""
        if self._task is not None:
            self._task.cancel()

    async def close(self) -> None:
        self.abandon()
        if self._task is not None:
            with contextlib.suppress(BaseException):
                await self._task


Connect = Callable[[Simulator], Any]
_STREAMS: list[Stream] = []


@pytest.fixture
async def connect(signer: CryptographySigner) -> AsyncIterator[Connect]:
    opened: list[AdbDeviceAsync] = []
    _STREAMS.clear()

    async def _connect(sim: Simulator) -> AdbDeviceAsync:
        device = AdbDeviceAsync(EofRaisingTransport(HOST, sim.port), banner="pytest")
        await device.connect(rsa_keys=[signer], auth_timeout_s=5, transport_timeout_s=5)
        opened.append(device)
        return device

    yield _connect
    for stream in _STREAMS:  # a reader inside adb-shell would keep close() waiting
        await stream.close()
    _STREAMS.clear()
    for device in opened:
        with contextlib.suppress(Exception):
            await device.close()


async def open_stream(sim: Simulator, connect: Connect, command: str | None = None) -> Stream:
    stream = Stream(await connect(sim))
    _STREAMS.append(stream)
    before = set(sim.device.event_log.processes)
    stream.start(command or stream_command(sdk_of(sim.device), MARKER))
    if command is None:
        await until(
            lambda: set(sim.device.event_log.processes) - before or stream.ended,
            "the logcat process started",
        )
    return stream


async def start(start_sim: StartSim, profile: str = "androidtv11", **kwargs: Any) -> Simulator:
    return await start_sim(profile, prompt=PromptMode.ACCEPT, **kwargs)


# --- every profile -----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ALL)
async def test_stream_follows_the_model_until_killed(
    start_sim: StartSim, connect: Connect, profile: str
) -> None:
    sim = await start(start_sim, profile)
    command = await connect(sim)
    stream = await open_stream(sim, connect)
    assert len(sim.device.event_log.processes) == 1
    ps = await command.shell("ps -A")
    assert " logcat" in ps

    await command.shell(f"am start -n {app_component(sim.device)}")
    await until(lambda: stream.events(EventKind.ACTIVITY), "an activity line")
    await command.shell("input keyevent 24")
    await until(lambda: stream.events(EventKind.VOLUME), "a volume line")
    for event in stream.events():
        assert f" {event.tag} " in f" {stream_command(sdk_of(sim.device), MARKER)} "

    assert await command.shell(kill_command(MARKER) + "; echo rc=$?") == "rc=0\n"
    await until(lambda: stream.ended, "the stream ends when logcat is killed")
    assert sim.device.event_log.processes == {}
    assert " logcat" not in await command.shell("ps -A")
    assert await command.shell(kill_command(MARKER) + "; echo rc=$?") == "rc=0\n"


@pytest.mark.parametrize("profile", ["gmui_android8", "googletv14"])
async def test_power_off_ends_the_stream_with_the_connection(
    start_sim: StartSim, connect: Connect, profile: str
) -> None:
    sim = await start(start_sim, profile)
    command = await connect(sim)
    stream = await open_stream(sim, connect)
    with contextlib.suppress(Exception):  # the projector goes away under this command
        await command.shell("input keyevent 26")
    await until(lambda: stream.events(EventKind.POWER), "the sleep request")
    assert [e.tag for e in stream.events(EventKind.SCREEN)][:2] == [
        "power_screen_state",
        "screen_toggled",
    ]
    await until(lambda: stream.ended, "the network drops: the connection and its stream end")
    await until(lambda: not sim.device.event_log.processes, "adbd's SIGHUP ends logcat")


async def test_mains_cut_kills_every_logcat(start_sim: StartSim, connect: Connect) -> None:
    sim = await start(start_sim, "gmui_android12")
    stream = await open_stream(sim, connect)
    sim.device.mains_off()
    await until(lambda: stream.ended, "the connection drops")
    assert sim.device.event_log.processes == {}


# --- the kill discipline -----------------------------------------------------------------------


@pytest.mark.parametrize("kill", [True, False])
async def test_reconnects_leave_one_logcat_only_with_the_kill(
    start_sim: StartSim, connect: Connect, kill: bool
) -> None:
    sim = await start(start_sim, "gmui_android9")
    reconnects = 4
    for _ in range(reconnects + 1):
        # The previous stream's host went silent: its TCP connection and logcat stay.
        command = await connect(sim)
        if kill:
            assert await command.shell(kill_command(MARKER) + "; echo rc=$?") == "rc=0\n"
        stream = await open_stream(sim, connect)
        stream.abandon()
    expected = 1 if kill else reconnects + 1
    assert len(sim.device.event_log.processes) == expected
    command = await connect(sim)
    out = await command.shell("ps -A | grep -c ' logcat$'")
    assert out.strip() == str(expected)


# --- how a stream ends when the host closes it (Debian's adb) ----------------------------------

needs_adb = pytest.mark.skipif(shutil.which("adb") is None, reason="Debian's adb is not installed")


@needs_adb
@pytest.mark.parametrize("exec_", [True, False])
async def test_closing_the_stream(start_sim: StartSim, tmp_path: Path, exec_: bool) -> None:
    """adbd sends SIGHUP to the shell's process: with ``exec`` that is logcat, which dies at
    once; without, logcat lingers until its next write fails (SIGPIPE)."""
    sim = await start(start_sim, "androidtv10")
    serial = f"{HOST}:{sim.port}"
    adb = RealAdb(tmp_path / "home")
    command = stream_command(sdk_of(sim.device), MARKER)
    if not exec_:
        command = command.removeprefix("exec ") + "; echo after"
    try:
        await adb.run("connect", serial)
        await adb.wait_for_state(serial, "device")
        client = await asyncio.create_subprocess_exec(
            "adb",
            "-s",
            serial,
            "shell",
            command,
            env=adb.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
        )
        await until(lambda: sim.device.event_log.processes, "logcat runs")
        sim.device.press("VOLUME_UP")
        assert client.stdout is not None
        async with asyncio.timeout(LIMIT_S):
            while b"volume_changed" not in await client.stdout.readline():
                pass
        client.kill()  # the host side of the stream goes away: the adb server closes it
        await client.wait()
        await until(lambda: sim.device.shell_running == 0, "the shell ended")
        if exec_:
            assert sim.device.event_log.processes == {}
        else:
            (process,) = sim.device.event_log.processes.values()
            assert process.alive, "orphaned logcat lingers"
            sim.device.press("VOLUME_DOWN")  # its next write has no reader: SIGPIPE
            assert sim.device.event_log.processes == {}
            assert process.exit_status == 128 + 13
    finally:
        await adb.run("kill-server")


# --- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["gmui_android8", "androidtv11", "googletv14"])
async def test_stall(start_sim: StartSim, connect: Connect, profile: str) -> None:
    sim = await start(start_sim, profile, faults=[Fault.EVENTS_STALL])
    command = await connect(sim)
    stream = await open_stream(sim, connect)
    (process,) = sim.device.event_log.processes.values()
    await command.shell(f"am start -n {app_component(sim.device)}; input keyevent 24")
    assert process.alive
    assert process.lines_written == 0
    assert not stream.ended
    # Once the fault clears, the same stream carries lines again.
    sim.faults.clear(Fault.EVENTS_STALL)
    await command.shell("input keyevent 25")
    await until(lambda: stream.events(EventKind.VOLUME), "a line after the stall")
    assert len(stream.events()) == 1


@pytest.mark.parametrize("after", [0, 1])
async def test_close(start_sim: StartSim, connect: Connect, after: int) -> None:
    sim = await start(start_sim, "googletv", faults=[Fault.EVENTS_CLOSE])
    sim.faults.events_close_after = after
    command = await connect(sim)
    stream = await open_stream(sim, connect)
    if after:
        await command.shell("input keyevent 24; input keyevent 24")
    await until(lambda: stream.ended, "logcat exits and the stream closes")
    assert len(stream.events()) == after
    assert UNEXPECTED_EOF.strip() in stream.lines
    assert sim.device.event_log.processes == {}


async def test_flood(start_sim: StartSim, connect: Connect) -> None:
    sim = await start(start_sim, "androidtv11", faults=[Fault.EVENTS_FLOOD])
    command = await connect(sim)
    stream = await open_stream(sim, connect)
    await until(lambda: len(stream.lines) >= 2000, "thousands of lines", limit_s=30)
    overlong = [line for line in stream.lines if len(line) > EVENT_LINE_MAX]
    assert overlong, "some lines are longer than the parser reads"
    assert all(parse_event_line(line) is None for line in overlong)
    flood = [line for line in stream.lines if len(line) <= EVENT_LINE_MAX and b"flood" in line]
    assert all(parse_event_line(line) is not None for line in flood[:200])
    (process,) = sim.device.event_log.processes.values()
    assert len(process._pending) <= 256 * 1024, "the simulator's buffer stays bounded"
    await command.shell(kill_command(MARKER))
    await until(lambda: stream.ended, "killed even while flooding")


@pytest.mark.parametrize("profile", ["gmui_android9", "googletv14"])
async def test_refused(start_sim: StartSim, connect: Connect, profile: str) -> None:
    sim = await start(start_sim, profile, faults=[Fault.EVENTS_REFUSED])
    stream = await open_stream(sim, connect, stream_command(sdk_of(sim.device), MARKER))
    await until(lambda: stream.ended, "logcat fails at once")
    assert stream.lines == [REFUSED_MESSAGE.strip()]
    assert sim.device.event_log.processes == {}
