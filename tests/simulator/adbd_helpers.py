"""Helpers for driving the simulated adbd: a raw ADB host, adb-shell devices, stream readers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import os
from pathlib import Path
import socket
import struct
import time
from typing import Any

from adb_shell.adb_device_async import AdbDeviceAsync, AdbDeviceTcpAsync
from adb_shell.transport.tcp_transport_async import TcpTransportAsync

from simulator.adb import AdbDaemon
from simulator.adb.protocol import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_WRTE,
    HEADER,
    HEADER_SIZE,
    checksum,
    pack,
)
from tests.simulator.fake_backend import (
    MAX_PAYLOAD_V2,
    PROTOCOL_V2,
)

HOST = "127.0.0.1"
# Keep every adb-shell wait short: nothing here needs more than a fraction of a second.
FAST = {"transport_timeout_s": 1.0, "read_timeout_s": 2.0}


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


StartDaemon = Callable[..., Awaitable[AdbDaemon]]


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
