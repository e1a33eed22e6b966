"""The simulated adbd's hostile modes (issue #12), as seen on the wire by a bare ADB host."""

from __future__ import annotations

import asyncio
import struct

import pytest

from simulator import Fault, FaultState
from simulator.adb import hostile
from simulator.adb.protocol import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_WRTE,
    HEADER,
    HEADER_SIZE,
    checksum,
    pack_header,
)

from .adbd_helpers import RawClient, StartDaemon, raw_client, read_stream, wait_until
from .fake_backend import FakeBackend


async def _online(start_daemon: StartDaemon, raw_clients: list[RawClient], *faults: Fault):  # type: ignore[no-untyped-def]
    daemon = await start_daemon()
    daemon.faults.set(*faults)
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()  # the handshake itself is never hostile
    return daemon, client


async def _header(client: RawClient) -> tuple[int, int, int, int, int, int]:
    async with asyncio.timeout(2):
        return HEADER.unpack(await client.reader.readexactly(HEADER_SIZE))


def test_defaults_and_clear() -> None:
    faults = FaultState()
    assert faults.huge_output_bytes == 100_000_000
    assert faults.stray_bytes == 16 * 1024
    assert faults.lying_length == 0x7FFF_FFFF
    faults.set(Fault.HUGE_OUTPUT, Fault.BAD_MAGIC)
    faults.clear(Fault.HUGE_OUTPUT)
    assert faults.active == {Fault.BAD_MAGIC}


def test_generators() -> None:
    assert list(hostile.filler_payloads(0, 4096)) == []
    pieces = list(hostile.filler_payloads(10_000, 4096))
    assert [len(p) for p, _ in pieces] == [4096, 4096, 1808]
    assert all(total == checksum(p) for p, total in pieces)
    assert b"".join(p for p, _ in pieces).startswith(hostile.FILLER_LINE)
    strays = list(hostile.stray_packets(5000, 1024 * 1024))
    assert [len(p) - HEADER_SIZE for p in strays] == [4096, 904]
    assert [len(p) for p in hostile.lying_payload(70_000)] == [65536, 4464]
    header = pack_header(A_OKAY, 1, 2, 0, 0)
    assert hostile.corrupt_magic(header)[:20] == header[:20]
    (magic,) = struct.unpack_from("<I", hostile.corrupt_magic(header), 20)
    assert magic == A_OKAY ^ 0xFFFFFFFF ^ 1


async def test_huge_output_honours_flow_control(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    daemon, client = await _online(start_daemon, raw_clients, Fault.HUGE_OUTPUT)
    daemon.faults.huge_output_bytes = 2 * 1024 * 1024 + 100
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    command, dev_id, _, _ = await client.recv()
    assert command == A_OKAY
    command, _, _, first = await client.recv()
    assert command == A_WRTE
    assert len(first) == 1024 * 1024
    with pytest.raises(TimeoutError):  # nothing more until we acknowledge
        await client.recv(limit_s=0.1)
    await client.send(A_OKAY, 1, dev_id)
    rest = await read_stream(client, 1)
    assert len(first) + len(rest) == daemon.faults.huge_output_bytes
    assert rest.endswith(hostile.filler(100))


async def test_stray_packets_come_first_unacknowledged(
    start_daemon: StartDaemon, raw_clients: list[RawClient], backend: FakeBackend
) -> None:
    daemon, client = await _online(start_daemon, raw_clients, Fault.STRAY_PACKETS)
    daemon.faults.stray_bytes = 10_000
    await client.send(A_OPEN, 7, 0, b"shell:echo hi\0")
    assert (await client.recv())[0] == A_OKAY
    sizes = []
    for _ in range(3):  # never acknowledged, yet the real output follows
        command, arg0, arg1, payload = await client.recv()
        assert (command, arg0, arg1) == (A_WRTE, hostile.STRAY_DEV_ID, hostile.STRAY_LOCAL_ID)
        sizes.append(len(payload))
    assert sizes == [4096, 4096, 1808]
    assert await read_stream(client, 7) == b"hi\n"
    assert backend.commands == ["echo hi"]


async def test_byte_drip(start_daemon: StartDaemon, raw_clients: list[RawClient]) -> None:
    daemon, client = await _online(start_daemon, raw_clients, Fault.BYTE_DRIP)
    daemon.faults.drip_interval_s = 0.005
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    async with asyncio.timeout(2):
        first = await client.reader.read(100)
    assert len(first) == 1, "one byte at a time"
    rest = await client.reader.readexactly(HEADER_SIZE - 1)
    command, dev_id, local_id, length, _, magic = HEADER.unpack(first + rest)
    assert (command, local_id, length, magic) == (A_OKAY, 1, 0, A_OKAY ^ 0xFFFFFFFF)
    assert await read_stream(client, 1) == b"hi\n"


async def test_byte_drip_stops_when_the_host_leaves(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    daemon, client = await _online(start_daemon, raw_clients, Fault.BYTE_DRIP)
    daemon.faults.drip_interval_s = 0.01
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    async with asyncio.timeout(2):
        await client.reader.read(1)
    await client.close()
    await wait_until(lambda: daemon.connection_count == 0)


async def test_lying_length(start_daemon: StartDaemon, raw_clients: list[RawClient]) -> None:
    daemon, client = await _online(start_daemon, raw_clients, Fault.LYING_LENGTH)
    daemon.faults.huge_output_bytes = 100_000
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    assert (await client.recv())[0] == A_OKAY
    command, _, local_id, length, _, magic = await _header(client)
    assert (command, local_id, length) == (A_WRTE, 1, 0x7FFF_FFFF)
    assert magic == A_WRTE ^ 0xFFFFFFFF
    async with asyncio.timeout(2):
        body = await client.reader.readexactly(100_000)
    assert body == hostile.filler(100_000)
    with pytest.raises(TimeoutError):  # and then nothing: no CLSE
        async with asyncio.timeout(0.1):
            await client.reader.read(1)


async def test_bad_magic_after_the_handshake(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon()
    daemon.faults.set(Fault.BAD_MAGIC)
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_CNXN, 0x01000001, 1024 * 1024, b"host::raw\0")
    command, _, _, length, _, magic = await _header(client)
    assert command == A_CNXN
    assert magic == A_CNXN ^ 0xFFFFFFFF, "the handshake is left alone"
    await client.reader.readexactly(length)
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    command, dev_id, _, _, _, magic = await _header(client)
    assert command == A_OKAY
    assert magic == A_OKAY ^ 0xFFFFFFFF ^ 1
    command, _, _, length, _, magic = await _header(client)
    assert (command, magic) == (A_WRTE, A_WRTE ^ 0xFFFFFFFF ^ 1)
    assert await client.reader.readexactly(length) == b"hi\n"
    await client.send(A_OKAY, 1, dev_id)
    command, *_ = await _header(client)
    assert command == A_CLSE
