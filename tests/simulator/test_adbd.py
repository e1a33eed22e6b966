"""The simulated adbd, driven by real ADB hosts: adb-shell, a raw socket client, Debian's adb."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import hashlib
import os
from pathlib import Path
import shutil
import socket
import struct
import time
from typing import Any

from adb_shell.adb_device_async import AdbDeviceAsync, AdbDeviceTcpAsync
from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_cryptography import CryptographySigner
from adb_shell.exceptions import DeviceAuthError, InvalidCommandError, TcpTimeoutException
from adb_shell.transport.tcp_transport_async import TcpTransportAsync
import pytest

from simulator.adb import AdbDaemon
from simulator.adb.auth import InvalidKeyError, KeyStore, fingerprint, parse_public_key
from simulator.adb.protocol import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_STLS,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    HEADER,
    HEADER_SIZE,
    checksum,
    pack,
)
from simulator.backend import ShellResult
from simulator.faults import Fault, FaultState, PromptMode
from tests.simulator.fake_backend import (
    MAX_PAYLOAD_V1,
    MAX_PAYLOAD_V2,
    PROTOCOL_V1,
    PROTOCOL_V2,
    FakeBackend,
)

HOST = "127.0.0.1"
# Keep every adb-shell wait short: nothing here needs more than a fraction of a second.
FAST = {"transport_timeout_s": 1.0, "read_timeout_s": 2.0}

pytestmark = pytest.mark.usefixtures("socket_enabled")


# ------------------------------------------------------------------------------------ helpers


class EofRaisingTransport(TcpTransportAsync):  # type: ignore[misc]
    """adb-shell's TCP transport, but EOF raises instead of busy-looping until read_timeout_s."""

    async def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        data: bytes = await super().bulk_read(numbytes, transport_timeout_s)
        if not data:
            raise ConnectionResetError("the device closed the connection")
        return data


class RawClient:
    """A bare ADB host on a socket, to see exactly what the daemon sends (and when it hangs up)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def send(
        self,
        command: int,
        arg0: int,
        arg1: int,
        payload: bytes = b"",
        *,
        data_checksum: int | None = None,
    ) -> None:
        if data_checksum is None:
            self.writer.write(pack(command, arg0, arg1, payload))
        else:
            header = HEADER.pack(
                command, arg0, arg1, len(payload), data_checksum, command ^ 0xFFFFFFFF
            )
            self.writer.write(header + payload)
        await self.writer.drain()

    async def recv(self, limit_s: float = 2.0) -> tuple[int, int, int, bytes]:
        async with asyncio.timeout(limit_s):
            header = await self.reader.readexactly(HEADER_SIZE)
            command, arg0, arg1, length, data_checksum, magic = HEADER.unpack(header)
            payload = await self.reader.readexactly(length)
        assert magic == command ^ 0xFFFFFFFF
        assert data_checksum == checksum(payload)
        return command, arg0, arg1, payload

    async def connect(self, version: int = PROTOCOL_V2, max_data: int = MAX_PAYLOAD_V2) -> bytes:
        """Handshake with a no-auth device; returns the banner."""
        await self.send(A_CNXN, version, max_data, b"host::raw\0")
        command, _, _, banner = await self.recv()
        assert command == A_CNXN
        return banner

    async def assert_eof(self, limit_s: float = 2.0) -> bytes:
        """Read until the daemon hangs up; returns what came before."""
        data = b""
        async with asyncio.timeout(limit_s):
            while chunk := await self.reader.read(65536):
                data += chunk
        return data

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


async def wait_until(predicate: Callable[[], bool], limit_s: float = 2.0) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def v2_frames(data: bytes) -> list[tuple[int, bytes]]:
    frames = []
    while data:
        shell_id, length = struct.unpack("<BI", data[:5])
        frames.append((shell_id, data[5 : 5 + length]))
        data = data[5 + length :]
    return frames


async def read_stream(client: RawClient, local_id: int) -> bytes:
    """Collect a stream's WRTEs (OKAYing each) until its CLSE; answer the CLSE."""
    data = b""
    while True:
        command, arg0, arg1, payload = await client.recv()
        assert arg1 == local_id
        if command == A_WRTE:
            data += payload
            await client.send(A_OKAY, local_id, arg0)
        elif command == A_CLSE:
            await client.send(A_CLSE, local_id, arg0)
            return data
        else:
            raise AssertionError(f"unexpected {command:#x}")


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def session_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adbkey") / "adbkey"
    keygen(str(path))
    return path


@pytest.fixture(scope="session")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("otherkey") / "adbkey"
    keygen(str(path))
    return path


@pytest.fixture
def signer(session_key: Path) -> CryptographySigner:
    return CryptographySigner(str(session_key))


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


StartDaemon = Callable[..., Awaitable[AdbDaemon]]


@pytest.fixture
async def start_daemon(backend: FakeBackend) -> AsyncIterator[StartDaemon]:
    daemons: list[AdbDaemon] = []

    async def _start(backend_: FakeBackend | None = None, **kwargs: Any) -> AdbDaemon:
        kwargs.setdefault("prompt_delay_s", 0.05)
        daemon = AdbDaemon(backend_ or backend, **kwargs)
        await daemon.start()
        daemons.append(daemon)
        return daemon

    yield _start
    for daemon in daemons:
        await daemon.stop()
        assert daemon.connection_count == 0
        assert not daemon.prompt_pending


@pytest.fixture
async def devices() -> AsyncIterator[list[Any]]:
    """adb-shell devices to close at the end of the test."""
    opened: list[Any] = []
    yield opened
    for device in opened:
        await device.close()


@pytest.fixture
async def raw_clients() -> AsyncIterator[list[RawClient]]:
    opened: list[RawClient] = []
    yield opened
    for client in opened:
        await client.close()


def tcp_device(port: int, devices: list[Any]) -> AdbDeviceTcpAsync:
    device = AdbDeviceTcpAsync(HOST, port, banner="pytest")
    devices.append(device)
    return device


def eof_aware_device(port: int, devices: list[Any]) -> AdbDeviceAsync:
    device = AdbDeviceAsync(EofRaisingTransport(HOST, port), banner="pytest")
    devices.append(device)
    return device


async def raw_client(port: int, raw_clients: list[RawClient]) -> RawClient:
    client = await RawClient.open(port)
    raw_clients.append(client)
    return client


# ------------------------------------------------------------------------------------ adb-shell


async def test_no_auth_connect_and_shell(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    daemon = await start_daemon()
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    assert await device.shell("echo hi", **FAST) == "hi\n"
    # v1 shell: stdout then stderr, no exit code.
    assert await device.shell("exit3", **FAST) == "out\nerr\n"
    assert await device.shell("nope", **FAST) == "/system/bin/sh: nope: not found\n"
    # exec: stdout only.
    assert await device.exec_out("exit3", **FAST) == "out\n"
    assert await device.shell("", **FAST) == "simulator: interactive shell is not supported\n"
    assert backend.commands == ["echo hi", "exit3", "nope", "exit3"]
    assert daemon.connection_count == 1
    assert backend.prompts == []


async def test_auth_prompt_accept_then_signature(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    signer: CryptographySigner,
    session_key: Path,
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon(prompt_mode=PromptMode.ACCEPT, prompt_delay_s=0.2)

    first = tcp_device(daemon.port, devices)
    connecting = asyncio.create_task(first.connect(rsa_keys=[signer], auth_timeout_s=2.0, **FAST))
    await wait_until(lambda: daemon.prompt_pending)
    pub = Path(f"{session_key}.pub").read_bytes()
    assert backend.prompts == [fingerprint(parse_public_key(pub).blob)]
    assert backend.prompts[0].count(":") == 15
    assert not connecting.done()
    assert await connecting
    assert not daemon.prompt_pending
    assert backend.hidden == 1
    assert daemon.trusted_keys == {pub.strip()}
    assert await first.shell("echo hi", **FAST) == "hi\n"
    await first.close()

    # Second connection: the signature over the token is enough, no prompt.
    second = tcp_device(daemon.port, devices)
    started = time.monotonic()
    assert await second.connect(rsa_keys=[signer], auth_timeout_s=2.0, **FAST)
    assert time.monotonic() - started < 0.2
    assert len(backend.prompts) == 1
    assert await second.shell("getprop ro.product.model", **FAST) == "XGIMI Fake\n"


async def test_auth_without_keys_is_refused(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon()
    with pytest.raises(DeviceAuthError):
        await tcp_device(daemon.port, devices).connect(**FAST)


@pytest.mark.parametrize(
    ("mode", "faults"),
    [(PromptMode.REJECT, set()), (PromptMode.ACCEPT, {Fault.PROMPT_REJECT})],
)
async def test_prompt_reject_closes_fast(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    signer: CryptographySigner,
    mode: PromptMode,
    faults: set[Fault],
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon(prompt_mode=mode, faults=FaultState(active=set(faults)))
    device = eof_aware_device(daemon.port, devices)
    started = time.monotonic()
    with pytest.raises(ConnectionResetError):
        await device.connect(rsa_keys=[signer], auth_timeout_s=5.0, **FAST)
    assert time.monotonic() - started < 1.0
    assert backend.hidden == 1
    assert not daemon.prompt_pending
    assert daemon.trusted_keys == frozenset()


async def test_prompt_never_times_out(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any], signer: CryptographySigner
) -> None:
    backend.adb_secure_value = True
    # The fault overrides the ACCEPT mode.
    daemon = await start_daemon(
        prompt_mode=PromptMode.ACCEPT, faults=FaultState(active={Fault.PROMPT_NEVER})
    )
    device = tcp_device(daemon.port, devices)
    started = time.monotonic()
    with pytest.raises(TcpTimeoutException):
        await device.connect(rsa_keys=[signer], auth_timeout_s=0.3, **FAST)
    assert 0.3 <= time.monotonic() - started < 1.0
    assert daemon.prompt_pending
    assert backend.hidden == 0
    await device.close()
    # The dialog goes away when its connection does.
    await wait_until(lambda: not daemon.prompt_pending)
    assert backend.hidden == 1
    assert daemon.trusted_keys == frozenset()


async def test_pending_prompt_is_answered_when_mode_changes(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any], signer: CryptographySigner
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon(prompt_mode=PromptMode.NEVER)
    device = tcp_device(daemon.port, devices)
    connecting = asyncio.create_task(device.connect(rsa_keys=[signer], auth_timeout_s=2.0, **FAST))
    await wait_until(lambda: daemon.prompt_pending)
    await asyncio.sleep(0.2)
    assert not connecting.done()
    daemon.prompt_mode = PromptMode.ACCEPT
    assert await connecting
    assert len(daemon.trusted_keys) == 1


async def test_stls_fault(
    start_daemon: StartDaemon, devices: list[Any], raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon(faults=FaultState(active={Fault.STLS}))
    with pytest.raises(InvalidCommandError, match="STLS"):
        await tcp_device(daemon.port, devices).connect(**FAST)
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert await client.recv() == (A_STLS, 0x01000000, 0, b"")


async def test_silent_fault_times_out(start_daemon: StartDaemon, devices: list[Any]) -> None:
    daemon = await start_daemon(faults=FaultState(active={Fault.SILENT}))
    started = time.monotonic()
    with pytest.raises(TcpTimeoutException):
        await tcp_device(daemon.port, devices).connect(transport_timeout_s=0.3, read_timeout_s=1.0)
    assert time.monotonic() - started < 0.9
    assert daemon.connection_count == 1


async def test_close_after_cnxn_fault(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    faults = FaultState()
    daemon = await start_daemon(faults=faults)
    faults.set(Fault.CLOSE_AFTER_CNXN)  # switched at runtime
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert await client.assert_eof() == b""
    await wait_until(lambda: daemon.connection_count == 0)
    faults.clear(Fault.CLOSE_AFTER_CNXN)
    client = await raw_client(daemon.port, raw_clients)
    assert b"features=" in await client.connect()


async def test_close_mid_command_fault(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.outputs["long"] = ShellResult(b"0123456789" * 10)
    faults = FaultState()
    daemon = await start_daemon(faults=faults)
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    faults.set(Fault.CLOSE_MID_COMMAND)
    await client.send(A_OPEN, 1, 0, b"shell:long\0")
    command, dev_id, local_id, _ = await client.recv()
    assert (command, local_id) == (A_OKAY, 1)
    rest = await client.assert_eof()
    assert rest == pack(A_WRTE, dev_id, 1, b"0123456789012345")
    assert backend.commands == ["long"]


@pytest.mark.parametrize(
    ("protocol_version", "max_payload", "size"),
    [(PROTOCOL_V1, MAX_PAYLOAD_V1, 200_000), (PROTOCOL_V2, MAX_PAYLOAD_V2, 1_500_000)],
)
async def test_large_output_arrives_intact(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    protocol_version: int,
    max_payload: int,
    size: int,
) -> None:
    backend.protocol_version_value = protocol_version
    backend.max_payload_value = max_payload
    blob = os.urandom(size)
    backend.outputs["cat blob"] = ShellResult(blob)
    daemon = await start_daemon()
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    assert await device.shell("cat blob", decode=False, **FAST) == blob


async def test_large_output_is_flow_controlled(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.protocol_version_value = PROTOCOL_V1
    backend.max_payload_value = MAX_PAYLOAD_V1
    backend.outputs["cat blob"] = ShellResult(b"x" * 10_000)
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect(PROTOCOL_V1, MAX_PAYLOAD_V1)
    await client.send(A_OPEN, 5, 0, b"shell:cat blob\0")
    command, dev_id, _, _ = await client.recv()
    assert command == A_OKAY
    assert await client.recv() == (A_WRTE, dev_id, 5, b"x" * 4096)
    # No OKAY yet: nothing more may come.
    with pytest.raises(TimeoutError):
        await client.recv(limit_s=0.1)
    await client.send(A_OKAY, 5, dev_id)
    assert await client.recv() == (A_WRTE, dev_id, 5, b"x" * 4096)
    await client.send(A_OKAY, 5, dev_id)
    assert await client.recv() == (A_WRTE, dev_id, 5, b"x" * 1808)
    await client.send(A_OKAY, 5, dev_id)
    assert await client.recv() == (A_CLSE, dev_id, 5, b"")
    await client.send(A_CLSE, 5, dev_id)
    # A late second CLSE is tolerated.
    await client.send(A_CLSE, 5, dev_id)
    # The connection still works.
    await client.send(A_OPEN, 6, 0, b"shell:echo hi\0")
    command, _, local_id, _ = await client.recv()
    assert (command, local_id) == (A_OKAY, 6)
    assert await read_stream(client, 6) == b"hi\n"


async def test_concurrent_shells_on_one_connection(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    for i in range(5):
        backend.outputs[f"slow {i}"] = ShellResult(f"result {i}\n".encode())
        backend.delays[f"slow {i}"] = 0.2
    daemon = await start_daemon()
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    started = time.monotonic()
    results = await asyncio.gather(*(device.shell(f"slow {i}", **FAST) for i in range(5)))
    assert results == [f"result {i}\n" for i in range(5)]
    assert time.monotonic() - started < 0.6  # they ran side by side, not one after another


async def test_latency_fault_delays_output(start_daemon: StartDaemon, devices: list[Any]) -> None:
    faults = FaultState()
    daemon = await start_daemon(faults=faults)
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    faults.latency_s = 0.3
    started = time.monotonic()
    assert await device.shell("echo hi", **FAST) == "hi\n"
    assert time.monotonic() - started >= 0.3
    faults.clear()
    started = time.monotonic()
    assert await device.shell("echo hi", **FAST) == "hi\n"
    assert time.monotonic() - started < 0.25


async def test_unreachable_refuses_then_listens_again_on_same_port(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    raw_clients: list[RawClient],
) -> None:
    daemon = await start_daemon()
    port = daemon.port
    client = await raw_client(port, raw_clients)
    await client.connect()
    assert daemon.connection_count == 1

    backend.set_reachable(False)
    assert daemon.connection_count == 0
    with contextlib.suppress(ConnectionResetError):
        assert await client.assert_eof() == b""
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(HOST, port)

    backend.set_reachable(True)
    assert daemon.port == port
    device = tcp_device(port, devices)
    assert await device.connect(**FAST)
    assert await device.shell("echo hi", **FAST) == "hi\n"


async def test_unreachable_at_start(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    backend.set_reachable(False)
    daemon = await start_daemon()
    assert daemon.port != 0
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(HOST, daemon.port)
    backend.set_reachable(True)
    assert await tcp_device(daemon.port, devices).connect(**FAST)


async def test_kick_all_drops_connections(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon()
    clients = [await raw_client(daemon.port, raw_clients) for _ in range(3)]
    for client in clients:
        await client.connect()
    assert daemon.connection_count == 3
    daemon.kick_all()
    assert daemon.connection_count == 0
    for client in clients:
        with contextlib.suppress(ConnectionResetError):
            assert await client.assert_eof() == b""
    # Still listening afterwards.
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()


@pytest.mark.parametrize(
    ("protocol_version", "checked"), [(PROTOCOL_V1, True), (PROTOCOL_V2, False)]
)
async def test_checksum_validated_only_on_v1(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    raw_clients: list[RawClient],
    protocol_version: int,
    checked: bool,
) -> None:
    backend.protocol_version_value = protocol_version
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    # The host offers v2; the device's version wins if lower.
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    command, version, max_data, _ = await client.recv()
    assert (command, version, max_data) == (A_CNXN, protocol_version, MAX_PAYLOAD_V2)
    # A zero checksum, as the real adb client sends after negotiating 0x01000001.
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0", data_checksum=0)
    if checked:
        assert await client.assert_eof() == b""
    else:
        command, _, local_id, _ = await client.recv()
        assert (command, local_id) == (A_OKAY, 1)
        assert await read_stream(client, 1) == b"hi\n"


async def test_invalid_packets_close_the_connection(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.max_payload_value = MAX_PAYLOAD_V1
    daemon = await start_daemon()
    # An unknown command.
    client = await raw_client(daemon.port, raw_clients)
    await client.send(0x12345678, 0, 0)
    assert await client.assert_eof() == b""
    # A payload larger than negotiated.
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    await client.send(A_WRTE, 1, 1, b"x" * (MAX_PAYLOAD_V1 + 1))
    assert await client.assert_eof() == b""
    # OPEN before the handshake.
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    assert await client.assert_eof() == b""
    assert backend.commands == []


async def test_services(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()

    async def run(local_id: int, service: bytes) -> bytes | None:
        await client.send(A_OPEN, local_id, 0, service + b"\0")
        command, dev_id, arg1, _ = await client.recv()
        assert arg1 == local_id
        if command == A_CLSE:
            assert dev_id == 0
            return None
        assert command == A_OKAY
        return await read_stream(client, local_id)

    assert v2_frames(await run(1, b"shell,v2,raw:exit3") or b"") == [
        (1, b"out\n"),
        (2, b"err\n"),
        (3, b"\x03"),
    ]
    assert v2_frames(await run(2, b"shell,v2,TERM=xterm-256color,raw:echo hi") or b"") == [
        (1, b"hi\n"),
        (3, b"\x00"),
    ]
    # A PTY merges stderr into stdout and turns \n into \r\n.
    assert v2_frames(await run(3, b"shell,v2,pty:exit3") or b"") == [
        (1, b"out\r\nerr\r\n"),
        (3, b"\x03"),
    ]
    assert v2_frames(await run(4, b"shell,v2:") or b"") == [
        (2, b"simulator: interactive shell is not supported\n"),
        (3, b"\x01"),
    ]
    assert await run(5, b"shell,raw:exit3") == b"out\nerr\n"
    assert await run(6, b"exec:exit3") == b"out\n"
    assert await run(7, b"sync:") is None
    assert await run(8, b"reboot:") is None
    assert await run(9, b"shellfoo:echo hi") is None
    assert await run(12, b"shell,v2") is None
    assert await run(14, b"shell,pty:exit3") == b"out\r\nerr\r\n"
    assert await run(13, b"exec:") == b"simulator: interactive shell is not supported\n"

    # Without the shell_v2 feature there is no shell,v2 service.
    backend.features_value = frozenset({"cmd"})
    assert await run(10, b"shell,v2,raw:echo hi") is None
    assert await run(11, b"shell:echo hi") == b"hi\n"


async def test_host_writes_and_early_close(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.outputs["slow"] = ShellResult(b"late\n")
    backend.delays["slow"] = 0.2
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    await client.send(A_OPEN, 1, 0, b"shell,v2,raw:slow\0")
    command, dev_id, _, _ = await client.recv()
    assert command == A_OKAY
    # stdin and close-stdin are acknowledged and ignored.
    await client.send(A_WRTE, 1, dev_id, b"\x00\x03\x00\x00\x00abc")
    assert await client.recv() == (A_OKAY, dev_id, 1, b"")
    await client.send(A_WRTE, 1, dev_id, b"\x04\x00\x00\x00\x00")
    assert await client.recv() == (A_OKAY, dev_id, 1, b"")
    # The host closes before the output: the device answers CLSE and sends nothing more.
    await client.send(A_CLSE, 1, dev_id)
    assert await client.recv() == (A_CLSE, dev_id, 1, b"")
    with pytest.raises(TimeoutError):
        await client.recv(limit_s=0.3)
    assert daemon.connection_count == 1


async def test_keys_persisted_and_reloaded(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    signer: CryptographySigner,
    session_key: Path,
    tmp_path: Path,
) -> None:
    backend.adb_secure_value = True
    keys_file = tmp_path / "data" / "misc" / "adb" / "adb_keys"
    daemon = await start_daemon(keys_file=keys_file)
    assert await tcp_device(daemon.port, devices).connect(
        rsa_keys=[signer], auth_timeout_s=2.0, **FAST
    )
    pub = Path(f"{session_key}.pub").read_bytes().strip()
    assert keys_file.read_bytes() == pub + b"\n"
    await daemon.stop()

    # A new daemon (the device rebooted) trusts the key without asking.
    reborn = await start_daemon(keys_file=keys_file, prompt_mode=PromptMode.NEVER)
    assert reborn.trusted_keys == {pub}
    assert await tcp_device(reborn.port, devices).connect(
        rsa_keys=[signer], auth_timeout_s=2.0, **FAST
    )
    assert len(backend.prompts) == 1

    reborn.forget_keys()
    assert reborn.trusted_keys == frozenset()
    assert not keys_file.exists()


async def test_restart_keeps_port(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    daemon = await start_daemon()
    port = daemon.port
    with pytest.raises(RuntimeError):
        await daemon.start()
    backend.set_reachable(False)
    await daemon.stop()  # while unreachable: the reserved port is released too
    backend.set_reachable(True)
    await daemon.start()
    assert daemon.port == port
    assert await tcp_device(port, devices).connect(**FAST)


async def test_port_in_use(start_daemon: StartDaemon, backend: FakeBackend) -> None:
    daemon = await start_daemon()
    other = AdbDaemon(backend, port=daemon.port)
    with pytest.raises(OSError, match="in use"):
        await other.start()
    await other.stop()


async def test_backend_failure_is_reported_on_stderr(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    raw_clients: list[RawClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(command: str) -> ShellResult:
        raise RuntimeError("boom")

    backend.run_shell = broken  # type: ignore[method-assign]
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    await client.send(A_OPEN, 1, 0, b"shell,v2,raw:echo hi\0")
    assert (await client.recv())[0] == A_OKAY
    assert v2_frames(await read_stream(client, 1)) == [
        (2, b"simulator: internal error\n"),
        (3, b"\xff"),
    ]
    assert "boom" in caplog.text


async def test_protocol_edge_cases(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.outputs["slow"] = ShellResult(b"late\n")
    backend.delays["slow"] = 0.3
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    # OKAY and WRTE for streams that do not exist are ignored.
    await client.send(A_OKAY, 9, 9)
    await client.send(A_WRTE, 9, 9, b"stdin")
    await client.send(A_CLSE, 9, 9)
    # A second CNXN starts over: open streams are dropped without output.
    await client.send(A_OPEN, 1, 0, b"shell:slow\0")
    assert (await client.recv())[0] == A_OKAY
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::again\0")
    assert (await client.recv())[0] == A_CNXN
    with pytest.raises(TimeoutError):
        await client.recv(limit_s=0.4)
    await client.send(A_OPEN, 2, 0, b"shell:echo hi\0")
    assert (await client.recv())[0] == A_OKAY
    assert await read_stream(client, 2) == b"hi\n"

    # OPEN with local id 0, SYNC, STLS from the host, a short read: all end the connection.
    for packet in (
        pack(A_OPEN, 0, 0, b"shell:echo hi\0"),
        pack(0x434E5953, 0, 0),  # SYNC
        pack(A_STLS, 0x01000000, 0),
        pack(A_OKAY, 1, 1)[:10],
    ):
        client = await raw_client(daemon.port, raw_clients)
        await client.connect()
        client.writer.write(packet)
        if len(packet) < HEADER_SIZE:
            client.writer.write_eof()
        assert await client.assert_eof() == b""


async def test_auth_edge_cases(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    raw_clients: list[RawClient],
    signer: CryptographySigner,
    session_key: Path,
    other_key: Path,
    tmp_path: Path,
) -> None:
    backend.adb_secure_value = True
    trusted_pub = Path(f"{session_key}.pub").read_bytes()
    other_pub = Path(f"{other_key}.pub").read_bytes()
    keys_file = tmp_path / "adb_keys"
    keys_file.write_bytes(b"# comment\n\nnot a key\n" + trusted_pub + b"\n")
    daemon = await start_daemon(prompt_mode=PromptMode.NEVER, keys_file=keys_file)
    assert daemon.trusted_keys == {trusted_pub.strip()}

    async def start_auth() -> tuple[RawClient, bytes]:
        client = await raw_client(daemon.port, raw_clients)
        await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
        command, kind, _, token = await client.recv()
        assert (command, kind, len(token)) == (A_AUTH, AUTH_TOKEN, 20)
        return client, token

    # AUTH before CNXN is ignored.
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_AUTH, AUTH_SIGNATURE, 0, b"x" * 256)
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert (await client.recv())[0] == A_AUTH

    # A trusted public key is let in without a prompt.
    client, _ = await start_auth()
    await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, trusted_pub + b"\0")
    assert (await client.recv())[0] == A_CNXN
    assert backend.prompts == []

    # A signature from a trusted key ends a pending prompt for another key.
    client, token = await start_auth()
    await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, other_pub + b"\0")
    await wait_until(lambda: daemon.prompt_pending)
    await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, other_pub + b"\0")  # ignored
    await client.send(A_AUTH, AUTH_SIGNATURE, 0, signer.Sign(token))
    assert (await client.recv())[0] == A_CNXN
    await wait_until(lambda: not daemon.prompt_pending)
    assert backend.hidden == 1

    # Two dialogs at once: hidden only when both are gone.
    first, _ = await start_auth()
    second, _ = await start_auth()
    for client in (first, second):
        await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, other_pub + b"\0")
    await wait_until(lambda: len(backend.prompts) == 3)
    await first.close()
    await asyncio.sleep(0.05)
    assert daemon.prompt_pending
    assert backend.hidden == 1
    # A new CNXN on the same connection takes its dialog down too.
    await second.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert (await second.recv())[0] == A_AUTH
    await wait_until(lambda: not daemon.prompt_pending)
    assert backend.hidden == 2

    # A malformed key, and an unknown AUTH type, end the connection.
    for kind, payload in ((AUTH_RSAPUBLICKEY, b"garbage\0"), (7, b"")):
        client, _ = await start_auth()
        await client.send(A_AUTH, kind, 0, payload)
        assert await client.assert_eof() == b""


def test_key_parsing_and_signatures(session_key: Path, signer: CryptographySigner) -> None:
    pub = Path(f"{session_key}.pub").read_bytes()
    key = parse_public_key(pub + b"\0")
    assert key.line == pub.strip()
    assert key.fingerprint == fingerprint(key.blob)
    assert key.public_key.key_size == 2048
    token = os.urandom(20)
    assert key.verify(token, signer.Sign(token))
    assert not key.verify(os.urandom(20), signer.Sign(token))
    assert not key.verify(token, b"short")
    # Android's fingerprint: MD5 of the decoded struct, upper-case hex pairs joined by colons.
    digest = hashlib.md5(key.blob).hexdigest().upper()
    assert key.fingerprint == ":".join(digest[i : i + 2] for i in range(0, 32, 2))

    blob = bytearray(key.blob)
    blob[0] = 32  # a 1024-bit key
    for bad in (
        b"",
        b"\0",
        b"!!!not-base64!!! user@host",
        base64.b64encode(b"too short"),
        base64.b64encode(bytes(blob)),
    ):
        with pytest.raises(InvalidKeyError):
            parse_public_key(bad)


def test_key_store_files(
    session_key: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pub = Path(f"{session_key}.pub").read_bytes().strip()
    key = parse_public_key(pub)
    # A directory where the file should be: reading and writing fail with a warning.
    (tmp_path / "dir").mkdir()
    store = KeyStore(tmp_path / "dir")
    store.add(key)
    assert key in store
    assert len(store) == 1
    store.add(key)
    assert len(store) == 1
    store.clear()
    assert "Cannot read ADB keys file" in caplog.text
    assert "Cannot write ADB keys file" in caplog.text
    assert "Cannot remove ADB keys file" in caplog.text
    # No file yet: empty; keys land in a fresh file.
    path = tmp_path / "sub" / "adb_keys"
    store = KeyStore(path)
    assert store.lines == frozenset()
    store.add(key)
    assert KeyStore(path).lines == {pub}


# ------------------------------------------------------------------------------------ real adb


class RealAdb:
    """Debian's adb client with a private server (own port, own HOME and key)."""

    def __init__(self, home: Path) -> None:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            server_port = sock.getsockname()[1]
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "TMPDIR": str(home),
            "ANDROID_ADB_SERVER_PORT": str(server_port),
        }

    async def run(self, *args: str, limit_s: float = 10.0) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            "adb",
            *args,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(limit_s):
                stdout, stderr = await proc.communicate()
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        assert proc.returncode is not None
        return proc.returncode, stdout.decode(), stderr.decode()

    async def wait_for_state(self, serial: str, state: str, limit_s: float = 10.0) -> None:
        deadline = time.monotonic() + limit_s
        last = ""
        while time.monotonic() < deadline:
            _, last, _ = await self.run("devices")
            if f"{serial}\t{state}" in last.splitlines():
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{serial} never became {state!r}; last `adb devices`: {last!r}")


@pytest.mark.skipif(shutil.which("adb") is None, reason="Debian's adb client is not installed")
async def test_real_adb_client(start_daemon: StartDaemon, tmp_path: Path) -> None:
    # Android 9+ style device: auth with a prompt, protocol 0x01000001 (no checksums), shell_v2.
    secure = FakeBackend(adb_secure=True)
    # Old style device: no auth, protocol 0x01000000 (checksums checked), 4 KiB, no shell_v2.
    legacy = FakeBackend(
        protocol_version=PROTOCOL_V1, max_payload=MAX_PAYLOAD_V1, features=frozenset()
    )
    legacy.outputs["cat blob"] = ShellResult(b"0123456789abcdef" * 1000)
    modern_daemon = await start_daemon(secure, prompt_mode=PromptMode.ACCEPT, prompt_delay_s=0.2)
    legacy_daemon = await start_daemon(legacy)
    modern = f"{HOST}:{modern_daemon.port}"
    old = f"{HOST}:{legacy_daemon.port}"
    adb = RealAdb(tmp_path / "home")
    try:
        await adb.run("connect", modern)
        await adb.wait_for_state(modern, "device")
        assert len(secure.prompts) == 1
        assert len(modern_daemon.trusted_keys) == 1

        code, out, _ = await adb.run("-s", modern, "shell", "getprop", "ro.product.model")
        assert (code, out) == (0, "XGIMI Fake\n")
        # shell_v2 carries stderr and the exit code.
        code, out, err = await adb.run("-s", modern, "shell", "exit3")
        assert (code, out, err) == (3, "out\n", "err\n")
        # Reconnecting: the key is trusted now, so the signature suffices and no dialog shows.
        await adb.run("disconnect", modern)
        await adb.run("connect", modern)
        await adb.wait_for_state(modern, "device")
        assert len(secure.prompts) == 1

        await adb.run("connect", old)
        await adb.wait_for_state(old, "device")
        code, out, _ = await adb.run("-s", old, "shell", "getprop", "ro.product.model")
        assert (code, out) == (0, "XGIMI Fake\n")
        # No shell_v2: no exit code (adb exits 0) and stderr comes on stdout.
        code, out, _ = await adb.run("-s", old, "shell", "exit3")
        assert (code, out) == (0, "out\nerr\n")
        code, out, _ = await adb.run("-s", old, "shell", "cat", "blob")
        assert out == "0123456789abcdef" * 1000
    finally:
        await adb.run("kill-server")
