"""One persistent ADB session per projector, behind one FIFO queue.

Every command, poll or user action, waits its turn on a single :class:`asyncio.Lock`
(FIFO in CPython), so a key press issued during a poll runs right after it and is
never dropped. A failed connect starts a capped exponential back-off during which
calls fail fast with :class:`ProjectorUnreachableError` instead of touching the
network; an explicit :meth:`AdbConnection.connect` ignores the back-off.

Each command is bounded three ways (docs/adb.md §3.7): its whole duration (``timeout_s``),
the longest it may stay silent (``idle_s``), and the bytes it may read (``max_bytes``,
enforced by the transport before anything large is buffered). Past any of them the session
is dropped, so the next call starts on a clean one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import errno
import logging
from pathlib import Path
import socket
import time
from typing import Any

from adb_shell.adb_device_async import AdbDeviceAsync
from adb_shell.exceptions import (
    AdbConnectionError,
    AdbTimeoutError,
    InvalidChecksumError,
    InvalidCommandError as AdbInvalidCommandError,
    InvalidResponseError,
    TcpTimeoutException,
)

from .adbkey import async_load_signer
from .errors import (
    AuthorizationPendingError,
    AuthorizationRejectedError,
    CommandFailedError,
    ConnectTimeoutError,
    NoRouteError,
    PortClosedError,
    ProjectorUnreachableError,
    SessionClosedError,
    UnknownHostError,
    WirelessDebuggingPortError,
    XgimiError,
)
from .transport import (
    ConnectionClosedError,
    EofAwareTcpTransport,
    OutputLimitError,
    TcpConnectTimeout,
)

_LOGGER = logging.getLogger(__name__)

BANNER = "xgimi_projector"
_STLS = 0x534C5453

DEFAULT_MAX_BYTES = 64 * 1024
"""What one command may read (output plus ADB framing) unless it asks for more: a poll, a key
press or a volume change prints a few kilobytes at most."""
HANDSHAKE_MAX_BYTES = 64 * 1024
"""What connecting may read: a CNXN banner and AUTH tokens take well under a kilobyte."""


ADB_SESSION_ERRORS = (
    ConnectionClosedError,
    OSError,
    AdbTimeoutError,
    AdbConnectionError,
    TcpTimeoutException,
    InvalidChecksumError,
    AdbInvalidCommandError,
    InvalidResponseError,
)
"""What an open ADB session raises when it breaks (the session is then closed)."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Every timeout the library uses, in seconds. None of them is left to a default."""

    transport_s: float = 3.0
    """TCP connect, and each socket read or write; also how long a command may stay silent
    unless it says otherwise (``idle_s``)."""
    read_s: float = 5.0
    """Waiting for one expected ADB packet."""
    command_s: float = 10.0
    """A whole shell command."""
    auth_s: float = 10.0
    """Waiting for "Allow USB debugging?" to be answered on a reconnect."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential back-off between failed connects."""

    initial_s: float = 1.0
    factor: float = 2.0
    max_s: float = 30.0

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` consecutive failed connects (≥ 1)."""
        return float(min(self.max_s, self.initial_s * self.factor ** max(0, failures - 1)))


def _is_stls(exc: BaseException) -> bool:
    text = " ".join(str(arg) for arg in exc.args)
    return "STLS" in text or str(_STLS) in text


class AdbConnection:
    """A serialized, reconnecting ADB session to one projector."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        key_path: Path,
        timeouts: Timeouts | None = None,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.port = port
        self.key_path = key_path
        self.timeouts = timeouts or Timeouts()
        self.backoff = backoff or Backoff()
        self._clock = clock
        self._lock = asyncio.Lock()
        self._signer: Any = None
        self._device: AdbDeviceAsync | None = None
        self._transport: EofAwareTcpTransport | None = None
        self._failures = 0
        self._retry_at = 0.0
        self.prompt_shown = False
        """True while our last connect is waiting on the authorization prompt."""
        self.name: str | None = None
        """What people call this projector (the integration sets it); only for log lines."""

    @property
    def label(self) -> str:
        """``Name (host:port)`` for log lines, or ``host:port`` before a name is known."""
        where = f"{self.host}:{self.port}"
        return f"{self.name} ({where})" if self.name else where

    @property
    def connected(self) -> bool:
        return self._device is not None

    @property
    def failures(self) -> int:
        """Consecutive failed connects."""
        return self._failures

    @property
    def retry_in(self) -> float:
        """Seconds until the back-off allows another automatic connect (0 = now)."""
        return max(0.0, self._retry_at - self._clock())

    async def connect(
        self,
        *,
        auth_timeout_s: float | None = None,
        on_prompt: Callable[[], None] | None = None,
    ) -> None:
        """(Re)connect now, ignoring the back-off. Raises the library's errors."""
        async with self._lock:
            await self._connect_locked(auth_timeout_s=auth_timeout_s, on_prompt=on_prompt)

    async def shell(
        self,
        command: str,
        *,
        timeout_s: float | None = None,
        idle_s: float | None = None,
        max_bytes: int | None = None,
    ) -> str:
        """Run one shell command line and return its output.

        ``timeout_s`` bounds the whole command (default ``Timeouts.command_s``), ``idle_s``
        the longest it may print nothing (default ``Timeouts.transport_s``; a ``sleep`` or a
        slow command needs more), ``max_bytes`` what it may read (default
        :data:`DEFAULT_MAX_BYTES`). Connects first when needed (respecting the back-off). A
        broken session, or a command past one of its bounds, raises
        :class:`CommandFailedError` and is closed, so the next call reconnects.
        """
        async with self._lock:
            if self._device is None:
                if self.retry_in > 0:
                    wait = self.retry_in
                    raise ProjectorUnreachableError(
                        f"{self.host}:{self.port} unreachable; next attempt in {wait:.1f} s"
                    )
                await self._connect_locked()
            device, transport = self._device, self._transport
            assert device is not None
            assert transport is not None
            command_s = timeout_s if timeout_s is not None else self.timeouts.command_s
            quiet_s = min(command_s, idle_s if idle_s is not None else self.timeouts.transport_s)
            limit = max_bytes if max_bytes is not None else DEFAULT_MAX_BYTES
            transport.begin_command(limit)
            try:
                # adb-shell bounds each read by its transport timeout and the command only
                # between packets (docs/adb.md §3.1); the deadline here bounds it as a whole.
                async with asyncio.timeout(command_s):
                    raw = await device.shell(
                        command,
                        transport_timeout_s=quiet_s,
                        read_timeout_s=command_s,
                        timeout_s=command_s,
                        decode=False,
                    )
            except OutputLimitError as exc:
                await self._close_locked()
                raise CommandFailedError(
                    f"{_head(command)}: output exceeds {limit} bytes; session dropped"
                ) from exc
            except TimeoutError as exc:
                await self._close_locked()
                raise CommandFailedError(
                    f"{_head(command)}: did not finish within {command_s} s"
                ) from exc
            except asyncio.CancelledError:
                self._abort_locked()
                raise
            except ADB_SESSION_ERRORS as exc:
                await self._close_locked()
                raise CommandFailedError(f"{type(exc).__name__}: {exc}") from exc
        # At most ``limit`` bytes (the transport refused more), so decoding here is cheap.
        return bytes(raw).decode("utf-8", "backslashreplace")

    async def close(self) -> None:
        """Close the session (queued behind any running command)."""
        async with self._lock:
            await self._close_locked()

    def _abort_locked(self) -> None:
        """Drop the session at once (a cancelled command may have left it mid-stream)."""
        transport, self._device, self._transport = self._transport, None, None
        if transport is not None:
            transport.abort()

    async def _close_locked(self) -> None:
        device, self._device, self._transport = self._device, None, None
        if device is not None:
            try:
                await device.close()
            except (OSError, ConnectionError) as exc:  # pragma: no cover - close is best effort
                _LOGGER.debug("Error closing %s: %s", self.label, exc)

    async def _connect_locked(
        self,
        *,
        auth_timeout_s: float | None = None,
        on_prompt: Callable[[], None] | None = None,
    ) -> None:
        await self._close_locked()
        if self._signer is None:
            self._signer = await async_load_signer(self.key_path)
        transport = EofAwareTcpTransport(self.host, self.port, max_bytes=HANDSHAKE_MAX_BYTES)
        device = AdbDeviceAsync(
            transport, default_transport_timeout_s=self.timeouts.transport_s, banner=BANNER
        )
        prompted = False

        def _auth_callback(_device: object) -> None:
            nonlocal prompted
            prompted = True
            self.prompt_shown = True
            _LOGGER.debug("%s asks to authorize our key on screen", self.label)
            if on_prompt is not None:
                on_prompt()

        auth_s = auth_timeout_s if auth_timeout_s is not None else self.timeouts.auth_s
        try:
            await device.connect(
                rsa_keys=[self._signer],
                transport_timeout_s=self.timeouts.transport_s,
                auth_timeout_s=auth_s,
                read_timeout_s=self.timeouts.read_s,
                auth_callback=_auth_callback,
            )
        except asyncio.CancelledError:
            await device.close()
            raise
        except Exception as exc:
            await device.close()
            self._failures += 1
            self._retry_at = self._clock() + self.backoff.delay(self._failures)
            mapped = self._map_connect_error(exc, prompted, auth_s)
            if mapped is None:
                raise
            raise mapped from exc
        finally:
            self.prompt_shown = False
        self._device = device
        self._transport = transport
        self._failures = 0
        self._retry_at = 0.0
        _LOGGER.debug("Connected to %s", self.label)

    def _map_connect_error(
        self, exc: BaseException, prompted: bool, auth_s: float
    ) -> XgimiError | None:
        where = f"{self.host}:{self.port}"
        if prompted:
            if isinstance(exc, TcpTimeoutException | AdbTimeoutError):
                return AuthorizationPendingError(
                    f"{where}: the authorization prompt was not answered within {auth_s} s"
                )
            if isinstance(exc, ConnectionClosedError | ConnectionResetError | BrokenPipeError):
                return AuthorizationRejectedError(f"{where}: the authorization prompt was refused")
        if isinstance(exc, AdbInvalidCommandError) and _is_stls(exc):
            return WirelessDebuggingPortError(
                f"{where} is a wireless-debugging (TLS) port; use port 5555 (adb tcpip 5555)"
            )
        if isinstance(exc, ConnectionClosedError | ConnectionResetError | BrokenPipeError):
            return SessionClosedError(f"{where} closed the ADB session during the handshake")
        if (unreachable := _unreachable_kind(exc)) is not None:
            return unreachable(f"{where}: {type(exc).__name__}: {exc}")
        if isinstance(
            exc,
            OSError
            | TcpTimeoutException
            | AdbTimeoutError
            | InvalidChecksumError
            | InvalidResponseError
            | AdbInvalidCommandError,
        ):
            return ProjectorUnreachableError(f"{where}: {type(exc).__name__}: {exc}")
        return None


def _head(command: str) -> str:
    """The start of a command line, for error messages."""
    return command if len(command) <= 40 else command[:37] + "..."


def _unreachable_kind(exc: BaseException) -> type[ProjectorUnreachableError] | None:
    """Which way connecting failed, so the set-up form can say what to check."""
    if isinstance(exc, ConnectionRefusedError):
        return PortClosedError
    if isinstance(exc, socket.gaierror):
        return UnknownHostError
    if isinstance(exc, TcpConnectTimeout):
        return ConnectTimeoutError
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return NoRouteError
    return None
