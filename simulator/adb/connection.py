"""One host connection of the simulated adbd: the handshake, AUTH and the service streams.

The :class:`~simulator.adb.daemon.AdbDaemon` accepts the socket and hands it to a
:class:`Connection`, which reads packets until the host, the daemon or a fault closes it. A
connection uses its daemon's backend, key store, fault state, prompt and task set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import contextlib
from dataclasses import dataclass, field
import logging
import os
import socket
from typing import TYPE_CHECKING, Any, Final

from simulator.backend import ShellResult
from simulator.faults import Fault, PromptMode

from . import hostile
from .auth import HostKey, InvalidKeyError, parse_public_key
from .protocol import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_STLS,
    A_STLS_VERSION,
    A_VERSION_MIN,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    HEADER_SIZE,
    KNOWN_COMMANDS,
    MAX_PAYLOAD_V1,
    TOKEN_SIZE,
    checksum,
    command_name,
    pack_header,
    unpack_header,
)
from .shell_v2 import (
    ShellService,
    encode_output,
    encode_stdout,
    interactive_result,
    parse_service,
)

if TYPE_CHECKING:
    from .daemon import AdbDaemon

__all__ = ["Connection", "format_address"]

_LOGGER = logging.getLogger(__name__)

_CLOSE_FLUSH_TIMEOUT_S: Final = 1.0
"""How long a deliberate close waits for queued bytes to reach the host."""
_CLOSE_MID_COMMAND_BYTES: Final = 16
"""How much output the CLOSE_MID_COMMAND fault lets through before dropping the socket."""


class _ProtocolError(Exception):
    """The host sent something this adbd does not accept; the connection is dropped."""


class _ConnectionClosed(Exception):
    """The connection is gone (closed by us, the host, or a fault)."""


@dataclass(slots=True, eq=False)
class _Stream:
    """One open service stream of a connection."""

    local_id: int
    """The host's id for the stream (``arg0`` of its OPEN)."""
    dev_id: int
    """Our id for the stream."""
    service: ShellService
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the host OKAYs our last WRTE."""
    clse_sent: bool = False
    task: asyncio.Task[None] | None = None


def format_address(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)


class Connection:
    """One host connection: handshake state, streams, and the tasks serving them."""

    def __init__(self, daemon: AdbDaemon, sock: socket.socket, peer: str) -> None:
        self._daemon = daemon
        self._backend = daemon._backend
        self._sock = sock
        self.peer = peer
        self.task: asyncio.Task[None] | None = None
        self.closed = False
        self._writer: asyncio.StreamWriter | None = None
        self._children: set[asyncio.Task[None]] = set()
        # Handshake state.
        self._host_version = A_VERSION_MIN
        self._host_max_data = MAX_PAYLOAD_V1
        self._version: int | None = None
        """The negotiated protocol version, once we have sent CNXN."""
        self._max_data = MAX_PAYLOAD_V1
        self._online = False
        """True once our CNXN is out: the hostile modes apply from then on."""
        self._token: bytes | None = None
        self._prompt_task: asyncio.Task[None] | None = None
        # Streams, by our id.
        self._streams: dict[int, _Stream] = {}
        self._next_dev_id = 1
        self._send_lock = asyncio.Lock()
        """Held while a packet is written, so a dripped packet is never interleaved."""

    # ---------------------------------------------------------------- lifecycle

    async def run(self) -> None:
        try:
            reader, writer = await asyncio.open_connection(sock=self._sock)
            self._writer = writer
            if self.closed:
                return
            await self._read_loop(reader)
        except asyncio.IncompleteReadError as err:
            if err.partial:
                _LOGGER.debug("%s: host closed the connection mid-packet", self.peer)
            else:
                _LOGGER.debug("%s: host closed the connection", self.peer)
        except _ProtocolError as err:
            _LOGGER.debug("%s: dropping connection: %s", self.peer, err)
        except (_ConnectionClosed, ConnectionError) as err:
            _LOGGER.debug("%s: connection closed: %r", self.peer, err)
        except OSError as err:
            _LOGGER.debug("%s: connection failed: %s", self.peer, err)
        except Exception:
            _LOGGER.exception("adbd: unexpected error on connection from %s", self.peer)
        finally:
            await self._cleanup()

    async def _cleanup(self) -> None:
        self.closed = True
        children = list(self._children)
        for child in children:
            child.cancel()
        writer = self._writer
        try:
            if children:
                await asyncio.gather(*children, return_exceptions=True)
            if writer is not None and not writer.transport.is_closing():
                writer.close()
            if writer is not None:
                with contextlib.suppress(TimeoutError, OSError):
                    await asyncio.wait_for(writer.wait_closed(), _CLOSE_FLUSH_TIMEOUT_S)
        finally:
            if writer is not None:
                writer.transport.abort()
            _LOGGER.debug("%s: connection ended", self.peer)

    def _is_closed(self) -> bool:
        # A method, not the attribute: mypy would keep ``closed`` narrowed across awaits.
        return self.closed

    def release_socket(self) -> None:
        """Close the raw socket if no transport took it over (task cancelled before it ran)."""
        if self._writer is None:
            self._sock.close()

    def abort(self) -> None:
        """Drop the connection at once, without flushing."""
        if not self.closed:
            _LOGGER.debug("%s: dropping connection", self.peer)
        self.closed = True
        if self._writer is not None:
            self._writer.transport.abort()
        if self.task is not None:
            self.task.cancel()

    def _close(self) -> None:
        """Close the connection on purpose (a fault, a rejected prompt): flush, then FIN."""
        if self.closed:
            return
        self.closed = True
        if self._writer is not None and not self._writer.transport.is_closing():
            self._writer.close()
        current = asyncio.current_task()
        if self.task is not None and self.task is not current:
            self.task.cancel()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = self._daemon._create_task(coro, f"{name} ({self.peer})")
        self._children.add(task)
        task.add_done_callback(self._children.discard)
        task.add_done_callback(self._log_failure)
        return task

    def _log_failure(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        if (exc := task.exception()) is not None:
            _LOGGER.error("adbd: %s failed", task.get_name(), exc_info=exc)

    # ---------------------------------------------------------------- packets

    @property
    def _checks_checksum(self) -> bool:
        version = A_VERSION_MIN if self._version is None else self._version
        return version < A_VERSION_SKIP_CHECKSUM

    @property
    def _payload_limit(self) -> int:
        if self._version is None:
            return max(self._backend.max_payload, MAX_PAYLOAD_V1)
        return self._max_data

    def _writer_or_raise(self) -> asyncio.StreamWriter:
        writer = self._writer
        if self.closed or writer is None or writer.transport.is_closing():
            raise _ConnectionClosed
        return writer

    async def _send(
        self,
        command: int,
        arg0: int,
        arg1: int,
        payload: bytes = b"",
        payload_checksum: int | None = None,
    ) -> None:
        self._writer_or_raise()
        if Fault.SILENT in self._daemon.faults:
            _LOGGER.debug("%s: silent, not sending %s", self.peer, command_name(command))
            return
        _LOGGER.debug(
            "%s: -> %s(%#x, %#x) %d bytes",
            self.peer,
            command_name(command),
            arg0,
            arg1,
            len(payload),
        )
        total = checksum(payload) if payload_checksum is None else payload_checksum
        header = pack_header(command, arg0, arg1, len(payload), total)
        if self._online and Fault.BAD_MAGIC in self._daemon.faults:
            header = hostile.corrupt_magic(header)
        await self._write(header, payload)

    async def _write(self, *parts: bytes) -> None:
        """Write bytes as they are (one packet, or a hostile mode's pieces), then drain.

        Under ``byte-drip`` (once online) every byte goes out alone, a pause apart.
        """
        async with self._send_lock:
            writer = self._writer_or_raise()
            faults = self._daemon.faults
            if not self._online or Fault.BYTE_DRIP not in faults:
                for part in parts:
                    writer.write(part)
                await writer.drain()
                return
            for part in parts:
                for index in range(len(part)):
                    writer = self._writer_or_raise()
                    writer.write(part[index : index + 1])
                    await writer.drain()
                    await asyncio.sleep(faults.drip_interval_s)

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        while not self._is_closed():
            header = unpack_header(await reader.readexactly(HEADER_SIZE))
            name = command_name(header.command)
            if header.command not in KNOWN_COMMANDS:
                raise _ProtocolError(f"unknown command {name}")
            if header.length > self._payload_limit:
                raise _ProtocolError(
                    f"{name} payload of {header.length} bytes exceeds {self._payload_limit}"
                )
            payload = await reader.readexactly(header.length) if header.length else b""
            _LOGGER.debug(
                "%s: <- %s(%#x, %#x) %d bytes, checksum %#x",
                self.peer,
                name,
                header.arg0,
                header.arg1,
                header.length,
                header.checksum,
            )
            if self._checks_checksum and checksum(payload) != header.checksum:
                raise _ProtocolError(
                    f"{name} checksum {header.checksum:#x} != {checksum(payload):#x} (payload sum)"
                )
            if self._is_closed():
                break
            await self._dispatch(header.command, header.arg0, header.arg1, payload)

    async def _dispatch(self, command: int, arg0: int, arg1: int, payload: bytes) -> None:
        if command == A_CNXN:
            await self._on_cnxn(arg0, arg1, payload)
        elif command == A_AUTH:
            await self._on_auth(arg0, payload)
        elif self._version is None:
            raise _ProtocolError(f"{command_name(command)} before the connection is online")
        elif command == A_OPEN:
            await self._on_open(arg0, payload)
        elif command == A_OKAY:
            self._on_okay(arg0, arg1)
        elif command == A_WRTE:
            await self._on_wrte(arg0, arg1)
        elif command == A_CLSE:
            await self._on_clse(arg1)
        else:
            raise _ProtocolError(f"unsupported command {command_name(command)}")

    # ---------------------------------------------------------------- handshake

    def _reset_session(self) -> None:
        """Forget a previous handshake and its streams (the host sent CNXN again)."""
        for stream in self._streams.values():
            if stream.task is not None:
                stream.task.cancel()
        self._streams.clear()
        if self._prompt_task is not None:
            self._prompt_task.cancel()
            self._prompt_task = None
        self._version = None
        self._max_data = MAX_PAYLOAD_V1
        self._online = False
        self._token = None

    async def _on_cnxn(self, version: int, max_data: int, payload: bytes) -> None:
        faults = self._daemon.faults
        if Fault.CLOSE_AFTER_CNXN in faults:
            _LOGGER.debug("%s: fault %s", self.peer, Fault.CLOSE_AFTER_CNXN)
            self._close()
            return
        self._reset_session()
        self._host_version = version
        self._host_max_data = max_data
        _LOGGER.debug("%s: host banner %r", self.peer, payload.rstrip(b"\0"))
        if Fault.STLS in faults:
            await self._send(A_STLS, A_STLS_VERSION, 0)
            return
        if not self._backend.adb_secure:
            await self._send_cnxn()
            return
        await self._send_token()

    async def _send_token(self) -> None:
        self._token = os.urandom(TOKEN_SIZE)
        await self._send(A_AUTH, AUTH_TOKEN, 0, self._token)

    async def _send_cnxn(self) -> None:
        self._token = None
        if self._prompt_task is not None and self._prompt_task is not asyncio.current_task():
            # Authenticated some other way while the dialog was up.
            self._prompt_task.cancel()
        self._prompt_task = None
        self._version = min(self._host_version, self._backend.protocol_version)
        self._max_data = min(self._host_max_data, self._backend.max_payload)
        await self._send(A_CNXN, self._version, self._max_data, self._backend.banner())
        self._online = True

    async def _on_auth(self, kind: int, payload: bytes) -> None:
        if self._token is None:
            _LOGGER.debug("%s: ignoring AUTH(%d) outside authentication", self.peer, kind)
            return
        if kind == AUTH_SIGNATURE:
            if self._daemon._keys.find_signer(self._token, payload) is not None:
                _LOGGER.debug("%s: signature verified", self.peer)
                await self._send_cnxn()
            else:
                _LOGGER.debug("%s: signature not from a trusted key", self.peer)
                await self._send_token()
        elif kind == AUTH_RSAPUBLICKEY:
            if self._prompt_task is not None:
                _LOGGER.debug("%s: ignoring another public key while prompting", self.peer)
                return
            try:
                key = parse_public_key(payload)
            except InvalidKeyError as err:
                raise _ProtocolError(f"bad public key: {err}") from err
            if key in self._daemon._keys:
                _LOGGER.debug("%s: public key already trusted", self.peer)
                await self._send_cnxn()
                return
            self._prompt_task = self._spawn(self._prompt(key), "adbd prompt")
        else:
            raise _ProtocolError(f"unexpected AUTH type {kind}")

    async def _prompt(self, key: HostKey) -> None:
        daemon = self._daemon
        _LOGGER.debug("%s: asking to allow key %s", self.peer, key.fingerprint)
        daemon._show_prompt(key.fingerprint)
        shown = True
        try:
            answer = await daemon._wait_for_answer()
            _LOGGER.debug("%s: prompt answered %s", self.peer, answer)
            if answer is PromptMode.ACCEPT:
                daemon._keys.add(key)
                shown = False
                daemon._hide_prompt()
                await self._send_cnxn()
            else:
                shown = False
                daemon._hide_prompt()
                self._close()
        except (_ConnectionClosed, ConnectionError):
            pass
        finally:
            if shown:
                daemon._hide_prompt()

    # ---------------------------------------------------------------- streams

    def _allocate_dev_id(self) -> int:
        while True:
            dev_id = self._next_dev_id
            self._next_dev_id = (self._next_dev_id + 1) & 0xFFFFFFFF or 1
            if dev_id not in self._streams:
                return dev_id

    async def _on_open(self, local_id: int, payload: bytes) -> None:
        if local_id == 0:
            raise _ProtocolError("OPEN with local id 0")
        name = payload.split(b"\0", 1)[0].decode("utf-8", "replace")
        service = parse_service(name, self._backend.features)
        if service is None:
            _LOGGER.debug("%s: refusing unknown service %r", self.peer, name)
            await self._send(A_CLSE, 0, local_id)
            return
        stream = _Stream(local_id=local_id, dev_id=self._allocate_dev_id(), service=service)
        self._streams[stream.dev_id] = stream
        _LOGGER.debug("%s: stream %d/%d opened %r", self.peer, local_id, stream.dev_id, name)
        await self._send(A_OKAY, stream.dev_id, local_id)
        stream.task = self._spawn(self._serve_stream(stream), f"adbd stream {stream.dev_id}")

    async def _serve_stream(self, stream: _Stream) -> None:
        faults = self._daemon.faults
        close_mid_command = Fault.CLOSE_MID_COMMAND in faults
        try:
            if faults.latency_s > 0:
                await asyncio.sleep(faults.latency_s)
            if Fault.STRAY_PACKETS in faults:
                await self._send_strays()
            if Fault.LYING_LENGTH in faults:
                await self._send_lie(stream)
                return
            if Fault.HUGE_OUTPUT in faults:
                await self._send_huge_output(stream)
                return
            result = await self._run_command(stream)
            chunks = encode_output(stream.service, result, self._max_data)
            if close_mid_command:
                _LOGGER.debug("%s: fault %s", self.peer, Fault.CLOSE_MID_COMMAND)
                if chunks:
                    await self._send(
                        A_WRTE, stream.dev_id, stream.local_id, chunks[0][:_CLOSE_MID_COMMAND_BYTES]
                    )
                self._close()
                return
            for chunk in chunks:
                stream.acked.clear()
                await self._send(A_WRTE, stream.dev_id, stream.local_id, chunk)
                await stream.acked.wait()
            await self._close_stream(stream)
        except (_ConnectionClosed, ConnectionError):
            pass

    async def _send_strays(self) -> None:
        faults = self._daemon.faults
        _LOGGER.debug("%s: fault %s (%d bytes)", self.peer, Fault.STRAY_PACKETS, faults.stray_bytes)
        for packet in hostile.stray_packets(faults.stray_bytes, self._max_data):
            await self._write(packet)

    async def _send_huge_output(self, stream: _Stream) -> None:
        total = self._daemon.faults.huge_output_bytes
        _LOGGER.debug("%s: fault %s (%d bytes)", self.peer, Fault.HUGE_OUTPUT, total)
        for payload, payload_checksum in hostile.filler_payloads(total, self._max_data):
            stream.acked.clear()
            await self._send(A_WRTE, stream.dev_id, stream.local_id, payload, payload_checksum)
            await stream.acked.wait()
        await self._close_stream(stream)

    async def _send_lie(self, stream: _Stream) -> None:
        faults = self._daemon.faults
        _LOGGER.debug(
            "%s: fault %s (claims %d bytes, sends %d)",
            self.peer,
            Fault.LYING_LENGTH,
            faults.lying_length,
            faults.huge_output_bytes,
        )
        # The header alone (its checksum cannot match anything), then filler as its "payload";
        # the host either waits for the rest or hangs up.
        await self._write(
            pack_header(A_WRTE, stream.dev_id, stream.local_id, faults.lying_length, 0)
        )
        for piece in hostile.lying_payload(faults.huge_output_bytes):
            await self._write(piece)

    async def _run_command(self, stream: _Stream) -> ShellResult:
        service = stream.service
        if not service.command:
            return interactive_result(service)
        stream_shell = getattr(self._backend, "stream_shell", None)
        try:
            if stream_shell is not None:
                # A following logcat's lines go out as they come (adbd passes output on as the
                # subprocess writes it); everything else still arrives whole, at the end.
                async def on_output(data: bytes) -> None:
                    await self._send_output(stream, data)

                result: ShellResult = await stream_shell(
                    service.command, on_output, self._daemon.faults
                )
                return result
            return await self._backend.run_shell(service.command)
        except Exception:
            _LOGGER.exception("Simulated device failed to run %r", service.command)
            return ShellResult(stdout=b"", stderr=b"simulator: internal error\n", exit_code=255)

    async def _send_output(self, stream: _Stream, data: bytes) -> None:
        """Part of a running command's stdout, with flow control (one WRTE, one OKAY)."""
        for chunk in encode_stdout(stream.service, data, self._max_data):
            stream.acked.clear()
            await self._send(A_WRTE, stream.dev_id, stream.local_id, chunk)
            await stream.acked.wait()

    async def _close_stream(self, stream: _Stream) -> None:
        if self._streams.get(stream.dev_id) is stream:
            del self._streams[stream.dev_id]
        if not stream.clse_sent:
            stream.clse_sent = True
            await self._send(A_CLSE, stream.dev_id, stream.local_id)

    def _on_okay(self, local_id: int, dev_id: int) -> None:
        stream = self._streams.get(dev_id)
        if stream is None:
            _LOGGER.debug("%s: OKAY for unknown stream %d/%d", self.peer, local_id, dev_id)
            return
        stream.acked.set()

    async def _on_wrte(self, local_id: int, dev_id: int) -> None:
        stream = self._streams.get(dev_id)
        if stream is None:
            _LOGGER.debug("%s: WRTE for unknown stream %d/%d", self.peer, local_id, dev_id)
            return
        # Stdin, close-stdin and window-size packets are acknowledged and ignored.
        await self._send(A_OKAY, stream.dev_id, stream.local_id)

    async def _on_clse(self, dev_id: int) -> None:
        stream = self._streams.pop(dev_id, None)
        if stream is None:
            # The host's answer to our CLSE, or a refused OPEN: nothing to do.
            return
        _LOGGER.debug("%s: host closed stream %d/%d", self.peer, stream.local_id, dev_id)
        current = asyncio.current_task()
        if stream.task is not None and stream.task is not current:
            stream.task.cancel()
        if not stream.clse_sent:
            stream.clse_sent = True
            await self._send(A_CLSE, stream.dev_id, stream.local_id)
