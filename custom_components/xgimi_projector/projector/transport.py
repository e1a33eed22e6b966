"""The TCP transport under ``adb-shell``: it reads whole ADB packets itself and checks them.

adb-shell trusts the wire. Its own ``TcpTransportAsync`` spins on EOF without yielding
(docs/adb.md §0.1); its reader believes any payload length it is told and keeps every packet
for a stream it is not reading, for the life of the session (docs/adb.md §3.7). This transport
sits under ``AdbDeviceAsync`` and hands it only packets that make sense:

- EOF raises :class:`ConnectionClosedError` instead of returning ``b""``;
- each header is checked before its payload is read: the magic, a known command word, and a
  length no larger than the 1 MiB adb-shell announces; a violation raises
  :class:`ProtocolViolationError`, and the caller drops the session;
- every byte read counts against the running command's budget (:meth:`begin_command`); past
  it :class:`OutputLimitError` is raised before the payload is read, so nothing large is ever
  buffered, decoded or parsed;
- it follows the host's OPEN/CLSE and the device's OKAY/CLSE, and drops packets for streams
  that are not open (late CLSEs, stray WRTEs) instead of passing them up to be stored;
- a read waits at most ``transport_timeout_s`` for each piece of a packet (progress, not a
  deadline for the whole packet); the caller bounds a whole command.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import struct
from typing import Final

from adb_shell.exceptions import InvalidCommandError, TcpTimeoutException
from adb_shell.transport.base_transport_async import BaseTransportAsync

_LOGGER = logging.getLogger(__name__)

HEADER: Final = struct.Struct("<6I")
"""command, arg0, arg1, payload length, payload checksum, magic (docs/adb.md §3.4)."""
HEADER_SIZE: Final = HEADER.size

A_SYNC: Final = 0x434E5953
A_CNXN: Final = 0x4E584E43
A_AUTH: Final = 0x48545541
A_OPEN: Final = 0x4E45504F
A_OKAY: Final = 0x59414B4F
A_CLSE: Final = 0x45534C43
A_WRTE: Final = 0x45545257
A_STLS: Final = 0x534C5453
KNOWN_COMMANDS: Final = frozenset({A_SYNC, A_CNXN, A_AUTH, A_OPEN, A_OKAY, A_CLSE, A_WRTE})

MAX_PAYLOAD: Final = 1024 * 1024
"""The largest payload adb-shell announces in its CNXN (``MAX_ADB_DATA``); a device may send
no more than that, so a bigger length is a lie (docs/adb.md §3.4)."""
_CLOSING_KEPT: Final = 8
"""Streams the host closed first, remembered so the device's answering CLSE still gets up."""


class ConnectionClosedError(ConnectionError):
    """The projector closed the socket."""


class OutputLimitError(ConnectionError):
    """A command read more bytes than its budget allows; the session must be dropped."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes of output")
        self.limit = limit


class ProtocolViolationError(InvalidCommandError):  # type: ignore[misc]
    """The projector sent something that is not a valid ADB packet; the session must be
    dropped (its framing can no longer be trusted)."""


class TcpConnectTimeout(TcpTimeoutException):  # type: ignore[misc]
    """Opening the TCP connection timed out (nothing answered at that address)."""


def _name(command: int) -> str:
    raw = command.to_bytes(4, "little")
    text = raw.decode("ascii", "replace")
    return text if text.isalpha() and text.isupper() else f"0x{command:08x}"


class _Streams:
    """Which streams are open, from both sides' packets; decides what the device may send."""

    def __init__(self) -> None:
        self.online = False
        """The device has answered the host's CNXN (the handshake is over)."""
        self.opening: set[int] = set()
        """Host ids of OPENs the device has not answered yet."""
        self.open: dict[int, int] = {}
        """Host id → device id of open streams."""
        self.closing: dict[int, int] = {}
        """Host id → device id of streams the host closed first (awaiting the device's CLSE)."""

    def reset(self) -> None:
        self.online = False
        self.opening.clear()
        self.open.clear()
        self.closing.clear()

    def host_sent(self, command: int, arg0: int, arg1: int) -> None:
        if command == A_CNXN:
            self.reset()
        elif command == A_OPEN:
            self.opening.add(arg0)
        elif command == A_CLSE:
            self.opening.discard(arg0)
            if (dev_id := self.open.pop(arg0, None)) is not None:
                self.closing[arg0] = dev_id
                while len(self.closing) > _CLOSING_KEPT:
                    del self.closing[next(iter(self.closing))]

    def admit(self, command: int, dev_id: int, host_id: int) -> bool:
        """Whether a device packet belongs to the conversation (and update the streams)."""
        if command in (A_CNXN, A_AUTH):
            admitted = not self.online  # a second handshake within a session is nonsense
            self.online = self.online or command == A_CNXN
            return admitted
        if not self.online:
            return False
        if command == A_OKAY:
            return self._okay(dev_id, host_id)
        if command == A_WRTE:
            return self.open.get(host_id) == dev_id
        if command == A_CLSE:
            return self._clse(dev_id, host_id)
        return False  # OPEN or SYNC from the device: nothing we asked for

    def _okay(self, dev_id: int, host_id: int) -> bool:
        if host_id in self.opening:
            self.opening.discard(host_id)
            self.open[host_id] = dev_id
            return True
        return self.open.get(host_id) == dev_id

    def _clse(self, dev_id: int, host_id: int) -> bool:
        if dev_id == 0 and host_id in self.opening:  # the device refused the service
            self.opening.discard(host_id)
            return True
        if self.open.get(host_id) == dev_id:
            del self.open[host_id]
            return True
        return self.closing.pop(host_id, None) == dev_id


class EofAwareTcpTransport(BaseTransportAsync):  # type: ignore[misc]
    """``BaseTransportAsync`` over asyncio streams that passes adb-shell only sane packets."""

    def __init__(self, host: str, port: int, *, max_bytes: int | None = None) -> None:
        self._host = host
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._streams = _Streams()
        self._ready: collections.deque[bytes] = collections.deque()
        """The packet being handed to adb-shell: its header, then its payload."""
        self._host_payload_left = 0
        self._broken = False
        self._budget = max_bytes
        self._used = 0
        self.dropped = 0
        """Packets dropped because they belonged to no open stream (for tests and logs)."""
        self._dropped_at_start = 0

    @property
    def where(self) -> str:
        return f"{self._host}:{self._port}"

    def begin_command(self, max_bytes: int | None) -> None:
        """Start counting anew: the next command may read ``max_bytes`` (None: no limit)."""
        self._budget = max_bytes
        self._used = 0
        self._dropped_at_start = self.dropped

    async def connect(self, transport_timeout_s: float | None) -> None:
        self._streams.reset()
        self._ready.clear()
        self._host_payload_left = 0
        self._broken = False
        try:
            async with asyncio.timeout(transport_timeout_s):
                self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        except TimeoutError as exc:
            raise TcpConnectTimeout(
                f"connecting to {self.where} timed out ({transport_timeout_s} s)"
            ) from exc

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is None:
            return
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()

    def abort(self) -> None:
        """Drop the connection at once, without waiting (for a cancelled command)."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.transport.abort()

    # --- reading ---------------------------------------------------------------------------

    async def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        if not self._ready:
            header, payload = await self._next_packet(transport_timeout_s)
            self._ready.append(header)
            if payload:
                self._ready.append(payload)
        chunk = self._ready[0]
        if numbytes >= len(chunk):
            self._ready.popleft()
            return chunk
        self._ready[0] = chunk[numbytes:]
        return chunk[:numbytes]

    async def _next_packet(self, timeout_s: float | None) -> tuple[bytes, bytes]:
        """The next packet the device sent that belongs to the conversation."""
        if self._broken:
            raise ConnectionClosedError(f"session with {self.where} is out of step")
        while True:
            header = await self._read(HEADER_SIZE, timeout_s)
            command, arg0, arg1, length, _checksum, magic = HEADER.unpack(header)
            self._check(command, length, magic)
            payload = await self._read(length, timeout_s) if length else b""
            if self._streams.admit(command, arg0, arg1):
                return header, payload
            self.dropped += 1
            if self.dropped == self._dropped_at_start + 1:  # once per command: a flood is cheap
                _LOGGER.debug(
                    "%s: dropped %s(%#x, %#x) with %d bytes: no such stream (and any more "
                    "this command)",
                    self.where,
                    _name(command),
                    arg0,
                    arg1,
                    length,
                )

    def _check(self, command: int, length: int, magic: int) -> None:
        """Refuse a header before reading its payload."""
        name = _name(command)
        if magic != command ^ 0xFFFFFFFF:
            self._broken = True
            raise ProtocolViolationError(f"{self.where}: {name} header with a bad magic")
        if command == A_STLS:
            self._broken = True
            raise ProtocolViolationError(f"{self.where}: unsupported command STLS (TLS port)")
        if command not in KNOWN_COMMANDS:
            self._broken = True
            raise ProtocolViolationError(f"{self.where}: unknown command {name}")
        if length > MAX_PAYLOAD:
            self._broken = True
            raise ProtocolViolationError(
                f"{self.where}: {name} claims {length} bytes, more than {MAX_PAYLOAD}"
            )

    async def _read(self, size: int, timeout_s: float | None) -> bytes:
        """Exactly ``size`` bytes; each piece must come within ``timeout_s``."""
        reader = self._reader
        if reader is None:
            raise ConnectionClosedError("not connected")
        if self._budget is not None and self._used + size > self._budget:
            # Refused before reading: the payload of a header that would go over is never read.
            self._broken = True
            raise OutputLimitError(self._budget)
        pieces: list[bytes] = []
        missing = size
        try:
            while missing:
                piece = await self._read_some(reader, missing, timeout_s)
                pieces.append(piece)
                missing -= len(piece)
                self._used += len(piece)
        except BaseException:
            if pieces:
                self._broken = True  # part of a packet is gone: the framing is lost
            raise
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    async def _read_some(
        self, reader: asyncio.StreamReader, most: int, timeout_s: float | None
    ) -> bytes:
        try:
            async with asyncio.timeout(timeout_s):
                piece = await reader.read(most)
        except TimeoutError as exc:
            raise TcpTimeoutException(
                f"reading from {self.where} timed out ({timeout_s} s)"
            ) from exc
        if not piece:
            raise ConnectionClosedError(f"{self.where} closed the connection")
        return piece

    # --- writing ---------------------------------------------------------------------------

    async def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        if self._writer is None:
            raise ConnectionClosedError("not connected")
        self._observe_host(data)
        try:
            self._writer.write(data)
            async with asyncio.timeout(transport_timeout_s):
                await self._writer.drain()
        except TimeoutError as exc:
            raise TcpTimeoutException(
                f"writing to {self.where} timed out ({transport_timeout_s} s)"
            ) from exc
        return len(data)

    def _observe_host(self, data: bytes) -> None:
        """Follow the host's packets (adb-shell writes a header, then its payload)."""
        if self._host_payload_left:
            self._host_payload_left -= min(self._host_payload_left, len(data))
            return
        if len(data) < HEADER_SIZE:
            return
        command, arg0, arg1, length, _checksum, _magic = HEADER.unpack_from(data)
        self._host_payload_left = max(0, length - (len(data) - HEADER_SIZE))
        self._streams.host_sent(command, arg0, arg1)
