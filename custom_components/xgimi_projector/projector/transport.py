"""A TCP transport for ``adb-shell`` that treats EOF as an error.

adb-shell 0.4.4's own ``TcpTransportAsync.bulk_read`` returns ``b""`` when the
peer closes the socket, and its reader then retries without ever yielding until
``read_timeout_s`` runs out: 100 % CPU and a frozen event loop for seconds
(docs/adb.md §0.1). This transport raises :class:`ConnectionClosedError`
instead, so a closed socket costs microseconds.
"""

from __future__ import annotations

import asyncio
import contextlib

from adb_shell.exceptions import TcpTimeoutException
from adb_shell.transport.base_transport_async import BaseTransportAsync


class ConnectionClosedError(ConnectionError):
    """The projector closed the socket."""


class TcpConnectTimeout(TcpTimeoutException):  # type: ignore[misc]
    """Opening the TCP connection timed out (nothing answered at that address)."""


class EofAwareTcpTransport(BaseTransportAsync):  # type: ignore[misc]
    """``BaseTransportAsync`` over asyncio streams; EOF raises instead of spinning."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self, transport_timeout_s: float | None) -> None:
        try:
            async with asyncio.timeout(transport_timeout_s):
                self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        except TimeoutError as exc:
            raise TcpConnectTimeout(
                f"connecting to {self._host}:{self._port} timed out ({transport_timeout_s} s)"
            ) from exc

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is None:
            return
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()

    async def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        if self._reader is None:
            raise ConnectionClosedError("not connected")
        try:
            async with asyncio.timeout(transport_timeout_s):
                data = await self._reader.read(numbytes)
        except TimeoutError as exc:
            raise TcpTimeoutException(
                f"reading from {self._host}:{self._port} timed out ({transport_timeout_s} s)"
            ) from exc
        if not data:
            raise ConnectionClosedError(f"{self._host}:{self._port} closed the connection")
        return data

    async def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        if self._writer is None:
            raise ConnectionClosedError("not connected")
        try:
            self._writer.write(data)
            async with asyncio.timeout(transport_timeout_s):
                await self._writer.drain()
        except TimeoutError as exc:
            raise TcpTimeoutException(
                f"writing to {self._host}:{self._port} timed out ({transport_timeout_s} s)"
            ) from exc
        return len(data)
