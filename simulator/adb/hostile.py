"""What the hostile fault modes send (issue #12): a broken or malicious adbd's bytes.

The :class:`~simulator.adb.connection.Connection` decides *when* (each mode applies only once
the handshake is done, so a client connects and then meets the misbehaviour on every
command); this module decides *what*. Everything is generated lazily from one reused block,
so the simulator itself stays small and fast while it sends 100 MB.
"""

from __future__ import annotations

from collections.abc import Iterator
import struct
from typing import Final

from .protocol import A_WRTE, HEADER_SIZE, checksum, pack

FILLER_LINE: Final = b"hostile output: the projector prints far more than anyone asked\n"
"""One 64-byte line of ``huge-output`` text."""
STRAY_DEV_ID: Final = 0x5354_5259
"""``arg0`` of stray packets: a device stream id that was never announced."""
STRAY_LOCAL_ID: Final = 0x5354_5260
"""``arg1`` of stray packets: a host stream id the host never opened."""
STRAY_PACKET_MAX: Final = 4096
"""Payload size of one stray packet (at most; smaller if the session's limit is)."""
LIE_CHUNK: Final = 64 * 1024
"""How much of a lying payload is written at a time."""

_MAGIC_OFFSET: Final = HEADER_SIZE - 4


def filler(size: int) -> bytes:
    """``size`` bytes of ``huge-output`` text."""
    repeats = size // len(FILLER_LINE) + 1
    return (FILLER_LINE * repeats)[:size]


def filler_payloads(total: int, max_payload: int) -> Iterator[tuple[bytes, int]]:
    """``total`` bytes of filler as (payload, checksum) pairs of at most ``max_payload`` bytes.

    The full-size block and its checksum are computed once: summing 1 MiB costs the simulator
    about 4 ms, which would otherwise be charged to every 1 MiB packet.
    """
    if total <= 0:
        return
    block = filler(min(max(1, max_payload), total))
    block_sum = checksum(block)
    sent = 0
    while sent < total:
        size = min(len(block), total - sent)
        if size == len(block):
            yield block, block_sum
        else:
            tail = block[:size]
            yield tail, checksum(tail)
        sent += size


def stray_packets(total: int, max_payload: int) -> Iterator[bytes]:
    """Whole WRTE packets, ``total`` payload bytes in all, for a stream nobody opened."""
    size = max(1, min(STRAY_PACKET_MAX, max_payload))
    block = pack(A_WRTE, STRAY_DEV_ID, STRAY_LOCAL_ID, filler(size))
    sent = 0
    while sent < total:
        if total - sent >= size:
            yield block
        else:
            yield pack(A_WRTE, STRAY_DEV_ID, STRAY_LOCAL_ID, filler(total - sent))
        sent += size


def lying_payload(total: int) -> Iterator[bytes]:
    """``total`` bytes of filler in pieces, to follow a header that claims far more."""
    block = filler(min(LIE_CHUNK, max(total, 1)))
    sent = 0
    while sent < total:
        size = min(len(block), total - sent)
        yield block if size == len(block) else block[:size]
        sent += size


def corrupt_magic(header: bytes) -> bytes:
    """The same header with its ``magic`` word off by one bit."""
    (magic,) = struct.unpack_from("<I", header, _MAGIC_OFFSET)
    return header[:_MAGIC_OFFSET] + struct.pack("<I", magic ^ 1)
