"""A simulated device-side ADB daemon (adbd) on a TCP port.

It speaks the ADB transport protocol to real hosts (the ``adb`` client,
``adb-shell``): the CNXN/AUTH handshake with RSA signature checks and an
"Allow USB debugging?" prompt, and the ``shell:``/``exec:``/``shell,v2:``
stream services with v1 flow control. What a command prints is decided by a
``DeviceBackend``; misbehaviour is injected through a live ``FaultState``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import functools
import logging
import pathlib
import socket
from typing import Any, Final

from simulator.backend import DeviceBackend
from simulator.faults import Fault, FaultState, PromptMode

from .auth import KeyStore
from .connection import Connection, format_address

_LOGGER = logging.getLogger(__name__)

_LISTEN_BACKLOG: Final = 16
_PROMPT_POLL_S: Final = 0.1
"""How often a prompt nobody answers re-checks whether the prompt mode changed."""


class AdbDaemon:
    """A simulated adbd listening on ``host:port`` for one simulated device."""

    def __init__(
        self,
        backend: DeviceBackend,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        prompt_mode: PromptMode = PromptMode.ACCEPT,
        prompt_delay_s: float = 0.5,
        faults: FaultState | None = None,
        keys_file: pathlib.Path | None = None,
    ) -> None:
        self._backend = backend
        self._host = host
        self._port = port
        self.prompt_mode: PromptMode = prompt_mode
        """How the simulated person answers a new key's prompt (mutable at runtime)."""
        self.prompt_delay_s: float = prompt_delay_s
        """How long the simulated person takes to answer (mutable at runtime)."""
        self.faults: FaultState = faults if faults is not None else FaultState()
        """The faults in force, read live."""
        self._keys = KeyStore(keys_file)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sock: socket.socket | None = None
        """Bound to our port while running (so it stays ours); listening only while reachable."""
        self._listening = False
        self._running = False
        self._remove_listener: Callable[[], None] | None = None
        self._connections: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._prompts_shown = 0

    # ---------------------------------------------------------------- public API

    @property
    def port(self) -> int:
        """The TCP port; after ``start()`` the real one even if 0 was asked for."""
        return self._port

    @property
    def trusted_keys(self) -> frozenset[bytes]:
        """The trusted host keys, each as its ``adb_keys`` line (base64, space, comment)."""
        return self._keys.lines

    @property
    def connection_count(self) -> int:
        """How many host connections are open now."""
        return sum(1 for conn in self._connections if not conn.closed)

    @property
    def prompt_pending(self) -> bool:
        """True while an "Allow USB debugging?" dialog is on screen."""
        return self._prompts_shown > 0

    async def start(self) -> None:
        """Bind the port (picking a free one if 0) and listen if the device is reachable."""
        if self._running:
            raise RuntimeError("AdbDaemon already started")
        self._loop = asyncio.get_running_loop()
        self._bind()
        self._running = True
        self._remove_listener = self._backend.add_reachability_listener(self._on_reachability)
        if self._backend.reachable:
            self._listen()
        _LOGGER.debug(
            "adbd on %s:%d (%s)",
            self._host,
            self._port,
            "listening" if self._listening else "unreachable",
        )

    async def stop(self) -> None:
        """Close the port and every connection, and wait for every task to end."""
        self._running = False
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        self._unlisten()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.kick_all()
        # Tasks remove themselves from the set in a done-callback that runs one loop turn after
        # they finish; gathering already-done tasks does not yield, so loop on "not done" rather
        # than on set membership, or a finished task would make this spin without yielding.
        while pending := [task for task in self._tasks if not task.done()]:
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)
        self._tasks.clear()
        _LOGGER.debug("adbd on %s:%d stopped", self._host, self._port)

    def kick_all(self) -> None:
        """Drop every host connection now (the device rebooted or its network went away)."""
        for conn in list(self._connections):
            conn.abort()

    def forget_keys(self) -> None:
        """Forget every trusted key ("Revoke USB debugging authorizations")."""
        self._keys.clear()

    # ---------------------------------------------------------------- listening

    def _bind(self) -> None:
        infos = socket.getaddrinfo(
            self._host, self._port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        family, kind, proto, _canonname, address = infos[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._sock = sock

    def _listen(self) -> None:
        if self._listening or not self._running:
            return
        if self._sock is None:
            try:
                self._bind()
            except OSError as err:
                _LOGGER.warning("adbd cannot bind %s:%d again: %s", self._host, self._port, err)
                return
        assert self._sock is not None
        assert self._loop is not None
        self._sock.listen(_LISTEN_BACKLOG)
        self._loop.add_reader(self._sock.fileno(), self._on_acceptable)
        self._listening = True

    def _unlisten(self) -> None:
        """Stop listening at once; keep the port bound (but refusing) while running."""
        if not self._listening:
            return
        assert self._sock is not None
        assert self._loop is not None
        self._listening = False
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._sock = None
        if self._running:
            try:
                self._bind()
            except OSError as err:
                _LOGGER.warning("adbd cannot keep port %d reserved: %s", self._port, err)

    def _on_reachability(self, reachable: bool) -> None:
        if not self._running:
            return
        _LOGGER.debug(
            "adbd on port %d: device %s", self._port, "reachable" if reachable else "unreachable"
        )
        if reachable:
            self._listen()
        else:
            self._unlisten()
            self.kick_all()

    def _on_acceptable(self) -> None:
        sock = self._sock
        if sock is None or not self._listening:
            return
        for _ in range(_LISTEN_BACKLOG):
            try:
                client, address = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                _LOGGER.warning("adbd accept failed: %s", err)
                return
            client.setblocking(False)
            peer = format_address(address)
            _LOGGER.debug("adbd: connection from %s", peer)
            conn = Connection(self, client, peer)
            self._connections.add(conn)
            conn.task = self._create_task(conn.run(), f"adbd connection {peer}")
            conn.task.add_done_callback(functools.partial(self._connection_done, conn))

    def _connection_done(self, conn: Connection, _task: asyncio.Task[None]) -> None:
        self._connections.discard(conn)
        conn.release_socket()

    def _create_task(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        assert self._loop is not None
        task = self._loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ---------------------------------------------------------------- prompt

    def _effective_prompt_mode(self) -> PromptMode:
        if Fault.PROMPT_NEVER in self.faults:
            return PromptMode.NEVER
        if Fault.PROMPT_REJECT in self.faults:
            return PromptMode.REJECT
        return self.prompt_mode

    async def _wait_for_answer(self) -> PromptMode:
        """Wait until the simulated person answers: ACCEPT or REJECT (never returns for NEVER).

        The mode is re-read while waiting, so switching from NEVER to ACCEPT at
        runtime answers a prompt that is already on screen.
        """
        while True:
            if self._effective_prompt_mode() is PromptMode.NEVER:
                await asyncio.sleep(_PROMPT_POLL_S)
                continue
            await asyncio.sleep(self.prompt_delay_s)
            mode = self._effective_prompt_mode()
            if mode is not PromptMode.NEVER:
                return mode

    def _show_prompt(self, fingerprint: str) -> None:
        self._backend.show_prompt(fingerprint)
        self._prompts_shown += 1

    def _hide_prompt(self) -> None:
        self._prompts_shown -= 1
        if self._prompts_shown == 0:
            self._backend.hide_prompt()
