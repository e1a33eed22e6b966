"""The ADB transport protocol: packet constants and the 24-byte header.

Every packet is a little-endian header ``<6I``
(``command, arg0, arg1, data_length, data_checksum, magic``) followed by
``data_length`` bytes of payload. The checksum is the byte sum of the payload
(not a CRC, whatever AOSP's ``protocol.txt`` calls it) and ``magic`` is
``command ^ 0xFFFFFFFF``.
"""

from __future__ import annotations

from dataclasses import dataclass
import struct
from typing import Final

A_SYNC: Final = 0x434E5953
A_CNXN: Final = 0x4E584E43
A_AUTH: Final = 0x48545541
A_OPEN: Final = 0x4E45504F
A_OKAY: Final = 0x59414B4F
A_CLSE: Final = 0x45534C43
A_WRTE: Final = 0x45545257
A_STLS: Final = 0x534C5453

KNOWN_COMMANDS: Final = frozenset({A_SYNC, A_CNXN, A_AUTH, A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_STLS})

AUTH_TOKEN: Final = 1
AUTH_SIGNATURE: Final = 2
AUTH_RSAPUBLICKEY: Final = 3

A_VERSION_MIN: Final = 0x01000000
"""Protocol version of adbd before Android 9: payload checksums are checked."""
A_VERSION_SKIP_CHECKSUM: Final = 0x01000001
"""Protocol version of adbd from Android 9: payload checksums are neither sent nor checked."""
A_STLS_VERSION: Final = 0x01000000
"""``arg0`` of an STLS packet."""

MAX_PAYLOAD_V1: Final = 4096
"""Largest payload before Android 9 (and the floor every peer must accept)."""
MAX_PAYLOAD: Final = 1024 * 1024
"""Largest payload from Android 9 on."""

TOKEN_SIZE: Final = 20
"""Size of the random AUTH token the device asks the host to sign."""

HEADER: Final = struct.Struct("<6I")
HEADER_SIZE: Final = HEADER.size

_NAMES: Final = {
    A_SYNC: "SYNC",
    A_CNXN: "CNXN",
    A_AUTH: "AUTH",
    A_OPEN: "OPEN",
    A_OKAY: "OKAY",
    A_CLSE: "CLSE",
    A_WRTE: "WRTE",
    A_STLS: "STLS",
}


def checksum(payload: bytes) -> int:
    """The ``data_checksum`` of a payload: the sum of its bytes, modulo 2**32."""
    return sum(payload) & 0xFFFFFFFF


def command_name(command: int) -> str:
    """A readable name of a command word, for logs (``CNXN``, or the hex value)."""
    return _NAMES.get(command, f"0x{command:08x}")


@dataclass(frozen=True, slots=True)
class Header:
    """A decoded 24-byte packet header."""

    command: int
    arg0: int
    arg1: int
    length: int
    checksum: int
    magic: int


def pack_header(
    command: int, arg0: int, arg1: int, length: int, payload_checksum: int, magic: int | None = None
) -> bytes:
    """A 24-byte header as given (``magic`` defaults to the right one: ``command ^ 0xFFFFFFFF``)."""
    return HEADER.pack(
        command,
        arg0 & 0xFFFFFFFF,
        arg1 & 0xFFFFFFFF,
        length & 0xFFFFFFFF,
        payload_checksum & 0xFFFFFFFF,
        (command ^ 0xFFFFFFFF) if magic is None else magic & 0xFFFFFFFF,
    )


def pack(command: int, arg0: int, arg1: int, payload: bytes = b"") -> bytes:
    """One whole packet, header and payload, with checksum and magic filled in."""
    return pack_header(command, arg0, arg1, len(payload), checksum(payload)) + payload


def unpack_header(data: bytes) -> Header:
    """Decode a 24-byte header (raises ``struct.error`` on the wrong size)."""
    return Header(*HEADER.unpack(data))
