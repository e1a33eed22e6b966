"""The ADB framing fuzzed from the client side (issue #12): a fake projector answers with
malformed headers, wrong checksums, lying lengths, stray and misaddressed packets and garbage,
and the library must only ever return output within its budget or raise one of its own errors,
quickly."""

from __future__ import annotations

import asyncio
from pathlib import Path
import struct
import time

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.xgimi_projector.projector import (
    AdbConnection,
    Backoff,
    CommandFailedError,
    ProjectorUnreachableError,
    Timeouts,
    WirelessDebuggingPortError,
    XgimiError,
)
from custom_components.xgimi_projector.projector.connection import (
    DEFAULT_MAX_BYTES,
    HANDSHAKE_MAX_BYTES,
)
from custom_components.xgimi_projector.projector.transport import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_STLS,
    A_SYNC,
    A_WRTE,
    MAX_PAYLOAD,
    ConnectionClosedError,
    EofAwareTcpTransport,
    ProtocolViolationError,
    _Streams,
)

TINY = Timeouts(transport_s=0.2, read_s=0.3, command_s=0.5, auth_s=0.3)
NO_BACKOFF = Backoff(initial_s=0.0, factor=1.0, max_s=0.0)
DEV = 0x77
"""The device's stream id in scripted answers (the client's first OPEN is local id 1)."""
U32 = st.integers(0, 0xFFFFFFFF)
COMMANDS = [A_CNXN, A_AUTH, A_OKAY, A_WRTE, A_CLSE, A_OPEN, A_SYNC, A_STLS]


def packet(
    command: int,
    arg0: int,
    arg1: int,
    payload: bytes = b"",
    *,
    length: int | None = None,
    checksum: int | None = None,
    magic: int | None = None,
) -> bytes:
    return (
        struct.pack(
            "<6I",
            command,
            arg0,
            arg1,
            len(payload) if length is None else length,
            (sum(payload) & 0xFFFFFFFF) if checksum is None else checksum,
            (command ^ 0xFFFFFFFF) if magic is None else magic,
        )
        + payload
    )


CNXN = packet(A_CNXN, 0x01000000, 4096, b"device::ro.product.model=Fuzz;features=cmd")
GOOD = [packet(A_OKAY, DEV, 1), packet(A_WRTE, DEV, 1, b"hi\n"), packet(A_CLSE, DEV, 1)]


@st.composite
def packets(draw: st.DrawFn) -> bytes:
    """A packet that is usually sane and often not: each field may be off."""
    payload = draw(st.binary(max_size=600))
    command = draw(st.sampled_from(COMMANDS) | U32)
    fields: dict[str, int] = {}
    if draw(st.integers(0, 3)) == 0:
        fields["length"] = draw(U32 | st.integers(0, 2048))
    if draw(st.integers(0, 5)) == 0:
        fields["checksum"] = draw(U32)
    if draw(st.integers(0, 5)) == 0:
        fields["magic"] = draw(U32)
    arg0 = draw(st.sampled_from([DEV, 0]) | U32)
    arg1 = draw(st.sampled_from([1, 0, 2]) | U32)
    return packet(command, arg0, arg1, payload, **fields)


@st.composite
def wires(draw: st.DrawFn) -> tuple[bytes, bool]:
    """What the fake projector sends, and whether it then hangs instead of closing."""
    parts = [CNXN] if draw(st.integers(0, 4)) else []
    body = draw(st.lists(packets() | st.sampled_from(GOOD), max_size=8))
    if draw(st.booleans()):  # a sane conversation with garbage spliced in
        body = [*body[:2], *GOOD, *body[2:]]
    parts += body
    if draw(st.booleans()):
        parts.append(draw(st.binary(max_size=64)))
    wire = b"".join(parts)
    if draw(st.integers(0, 4)) == 0:
        wire = wire[: draw(st.integers(0, len(wire)))]
    return wire, draw(st.booleans())


async def _talk(wire: bytes, hang: bool, key: Path) -> tuple[object, float]:
    """Connect and run one command against a projector that sends ``wire``."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(wire)
        await writer.drain()
        if hang:
            await asyncio.sleep(10)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = AdbConnection("127.0.0.1", port, key_path=key, timeouts=TINY, backoff=NO_BACKOFF)
    started = time.perf_counter()
    result: object
    try:
        await connection.connect()
        result = await connection.shell("echo hi")
    except XgimiError as err:
        result = err
    finally:
        elapsed = time.perf_counter() - started
        await connection.close()
        server.close()
        server.abort_clients()
    return result, elapsed


def _check(result: object, elapsed: float) -> None:
    assert isinstance(result, str | XgimiError), repr(result)
    if isinstance(result, str):
        assert len(result) <= DEFAULT_MAX_BYTES
    # connect (read timeout) + one command (its own timeout), with slack for a busy machine.
    assert elapsed < TINY.read_s * 3 + TINY.command_s + 1.0, f"took {elapsed:.2f} s"


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(script=wires())
def test_any_answer_ends_in_output_or_our_error(
    script: tuple[bytes, bool], shared_key: Path
) -> None:
    wire, hang = script
    _check(*asyncio.run(_talk(wire, hang, shared_key)))


def _run(wire: bytes, key: Path, hang: bool = True) -> object:
    result, elapsed = asyncio.run(_talk(wire, hang, key))
    _check(result, elapsed)
    return result


def test_a_sane_conversation(shared_key: Path) -> None:
    assert _run(CNXN + b"".join(GOOD), shared_key) == "hi\n"


def test_strays_and_late_packets_are_skipped(shared_key: Path) -> None:
    noise = [
        packet(A_WRTE, 0x99, 0x55, b"stray"),  # a stream nobody opened
        packet(A_OKAY, 0x99, 7),
        packet(A_CLSE, 0x98, 1),  # the right host id, the wrong device id
        packet(A_OPEN, 5, 0, b"shell:\0"),  # the device opening streams to us
        packet(A_SYNC, 1, 0),
        packet(A_CNXN, 0x01000000, 4096, b"device::again"),  # a second handshake
    ]
    okay, wrte, clse = GOOD
    wire = CNXN + b"".join([*noise, okay, *noise, wrte, *noise, clse, clse])
    assert _run(wire, shared_key) == "hi\n"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (packet(A_WRTE, DEV, 1, b"x", length=0x7FFF_FFFF), CommandFailedError),
        (packet(A_WRTE, DEV, 1, b"x", length=MAX_PAYLOAD + 1), CommandFailedError),
        (packet(A_WRTE, DEV, 1, b"x", magic=0), CommandFailedError),
        (packet(0x4B4E554A, DEV, 1, b"x"), CommandFailedError),  # "JUNK"
        (packet(A_WRTE, DEV, 1, b"hi", checksum=1), CommandFailedError),
        (packet(A_STLS, 0x01000000, 0), CommandFailedError),
        (b"\x00" * 30, CommandFailedError),
    ],
    ids=["huge-length", "just-too-long", "bad-magic", "unknown", "checksum", "stls", "zeros"],
)
def test_a_broken_packet_fails_the_command(
    bad: bytes, error: type[Exception], shared_key: Path
) -> None:
    okay, _, clse = GOOD
    started = time.perf_counter()
    assert isinstance(_run(CNXN + okay + bad + clse, shared_key), error)
    assert time.perf_counter() - started < 1.0


def test_output_past_the_budget_is_refused_unread(shared_key: Path) -> None:
    okay, _, clse = GOOD
    chunk = packet(A_WRTE, DEV, 1, b"y" * 4000)
    wire = CNXN + okay + chunk * (DEFAULT_MAX_BYTES // len(chunk) + 2) + clse
    result = _run(wire, shared_key)
    assert isinstance(result, CommandFailedError)
    assert f"exceeds {DEFAULT_MAX_BYTES} bytes" in str(result)


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (packet(A_STLS, 0x01000000, 0), WirelessDebuggingPortError),
        (packet(A_CNXN, 1, 4096, b"d" * 4000) * (HANDSHAKE_MAX_BYTES // 4000 + 1), None),
        (packet(A_CNXN, 1, 4096, b"d" * (HANDSHAKE_MAX_BYTES + 1)), ProjectorUnreachableError),
        (packet(A_CNXN, 1, 4096, magic=5), ProjectorUnreachableError),
        (packet(A_OKAY, 1, 1) + CNXN, None),  # ignored before the handshake
    ],
    ids=["stls", "cnxn-flood", "huge-banner", "bad-magic", "early-okay"],
)
def test_handshake_answers(wire: bytes, error: type[Exception] | None, shared_key: Path) -> None:
    async def connect() -> object:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(wire)
            await writer.drain()
            await asyncio.sleep(10)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = AdbConnection(
            "127.0.0.1", port, key_path=shared_key, timeouts=TINY, backoff=NO_BACKOFF
        )
        try:
            await connection.connect()
        except XgimiError as err:
            return err
        finally:
            await connection.close()
            server.close()
            server.abort_clients()
        return None

    result = asyncio.run(connect())
    if error is None:
        assert result is None
    else:
        assert isinstance(result, error), repr(result)


@st.composite
def stream_ops(draw: st.DrawFn) -> list[tuple[str, int, int, int]]:
    ids = st.integers(0, 4)
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["host", "device"]),
                st.sampled_from(COMMANDS),
                ids,
                ids,
            ),
            max_size=60,
        )
    )


@settings(max_examples=300, deadline=None)
@given(ops=stream_ops())
def test_stream_bookkeeping_stays_small(ops: list[tuple[str, int, int, int]]) -> None:
    streams = _Streams()
    for side, command, first, second in ops:
        if side == "host":
            streams.host_sent(command, first, second)
        else:
            streams.admit(command, first, second)
        assert len(streams.closing) <= 8
        assert not streams.opening & streams.open.keys()
        assert len(streams.open) + len(streams.opening) <= 5


async def test_transport_hands_out_partial_reads(start_sim) -> None:  # type: ignore[no-untyped-def]
    """adb-shell asks for whole headers and payloads, but a smaller read must work too; and a
    host packet written in one piece (header and payload) is still followed."""
    sim = await start_sim("gmui_android9")
    transport = EofAwareTcpTransport("127.0.0.1", sim.port)
    await transport.connect(1.0)
    try:
        await transport.bulk_write(packet(A_CNXN, 0x01000001, 4096, b"host::t\0"), 1.0)
        header = await transport.bulk_read(10, 1.0)
        header += await transport.bulk_read(14, 1.0)
        command, _, _, length, _, _ = struct.unpack("<6I", header)
        assert command == A_AUTH  # this profile asks for a signature
        token = await transport.bulk_read(length, 1.0)
        assert len(token) == 20
        await transport.bulk_write(packet(A_OPEN, 3, 0, b"shell:echo hi\0"), 1.0)
        assert 3 in transport._streams.opening
    finally:
        await transport.close()


def test_stream_bookkeeping_cases() -> None:
    streams = _Streams()
    assert not streams.admit(A_OKAY, DEV, 1), "nothing before the handshake"
    assert streams.admit(A_AUTH, 1, 0)
    assert streams.admit(A_CNXN, 1, 4096)
    assert not streams.admit(A_AUTH, 1, 0), "no second handshake"
    streams.host_sent(A_OPEN, 1, 0)
    assert streams.admit(A_CLSE, 0, 1), "a refused service"
    assert not streams.opening
    for host_id in range(2, 12):
        streams.host_sent(A_OPEN, host_id, 0)
        assert streams.admit(A_OKAY, 100 + host_id, host_id)
        streams.host_sent(A_CLSE, host_id, 100 + host_id)
    assert list(streams.closing) == list(range(4, 12)), "the oldest are forgotten"
    assert streams.admit(A_CLSE, 111, 11), "the device's answer to our CLSE"
    assert not streams.admit(A_CLSE, 111, 11), "but only once"
    assert not streams.admit(A_WRTE, 110, 10), "data after we closed"
    streams.host_sent(A_CNXN, 0, 0)
    assert not streams.online
    assert not streams.closing


async def test_a_broken_session_stays_broken() -> None:
    release = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(CNXN + packet(A_OKAY, DEV, 1, magic=0) + b"".join(GOOD))
        await writer.drain()
        await release.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    transport = EofAwareTcpTransport("127.0.0.1", server.sockets[0].getsockname()[1])
    try:
        await transport.connect(1.0)
        await transport.bulk_write(b"short", 1.0)  # not a header: nothing to follow
        await transport.bulk_write(packet(A_CNXN, 0x01000000, 4096)[:24], 1.0)
        assert (await transport.bulk_read(24, 1.0))[:4] == b"CNXN"
        await transport.bulk_read(1024, 1.0)
        await transport.bulk_write(packet(A_OPEN, 1, 0, b"shell:\0"), 1.0)
        with pytest.raises(ProtocolViolationError, match="bad magic"):
            await transport.bulk_read(24, 1.0)
        with pytest.raises(ConnectionClosedError, match="out of step"):
            await transport.bulk_read(24, 1.0)
    finally:
        transport.abort()
        transport.abort()  # twice is harmless
        release.set()
        server.close()
        await server.wait_closed()
