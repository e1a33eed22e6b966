"""The contract between the simulated ADB daemon and the simulated device.

The daemon (``simulator.adb``) speaks the wire protocol; the device model
(``simulator.device``) decides what the projector is doing and what its shell
prints. Neither imports the other: they meet through these types.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

OutputCallback = Callable[[bytes], Awaitable[None]]
"""Receives a running command's stdout as it is produced (awaited: back-pressure)."""


class OutputStream(Protocol):
    """A long-running command's output (a following ``logcat``): it writes to a FIFO."""

    def attach(self, fifo: Path) -> None:
        """Start writing to ``fifo`` (bash reads it); end by writing ``<fifo>.x`` (the exit
        status) and closing it."""

    def shell_gone(self) -> None:
        """The command line that started it ended, or its stream closed."""


@dataclass(frozen=True, slots=True)
class ShellResult:
    """What one shell command produced."""

    stdout: bytes
    stderr: bytes = b""
    exit_code: int = 0
    stream: OutputStream | None = None
    """Set by a command that keeps running and streams its output (the shell bridge attaches
    it); ``stdout``/``stderr`` are then printed first."""


class DeviceBackend(Protocol):
    """What the ADB daemon needs from a device."""

    @property
    def reachable(self) -> bool:
        """True while the device's network and adbd are up (on, screen-off, just asleep)."""

    @property
    def adb_secure(self) -> bool:
        """``ro.adb.secure``: True means new host keys must be confirmed on screen."""

    @property
    def protocol_version(self) -> int:
        """ADB protocol version sent in CNXN (0x01000000 before Android 9, 0x01000001 after)."""

    @property
    def max_payload(self) -> int:
        """Largest payload the device accepts (4096 before Android 9, 1 MiB after)."""

    def banner(self) -> bytes:
        """The CNXN payload.

        ``device::ro.product.name=…;ro.product.model=…;ro.product.device=…;features=…``
        """

    @property
    def features(self) -> frozenset[str]:
        """The ``features=`` list of the banner (``shell_v2``, ``cmd``, …)."""

    async def run_shell(self, command: str) -> ShellResult:
        """Run one shell command line, as adbd's ``shell:`` service would."""

    def add_reachability_listener(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        """Call ``callback(reachable)`` whenever reachability changes; returns a remover."""

    def show_prompt(self, fingerprint: str) -> None:
        """The "Allow USB debugging?" dialog appears on screen for this key."""

    def hide_prompt(self) -> None:
        """The dialog went away (answered, or its connection closed)."""


class StreamingBackend(DeviceBackend, Protocol):
    """A backend whose commands can stream (the daemon uses it when the backend has it)."""

    async def stream_shell(
        self, command: str, on_output: OutputCallback, faults: object | None = None
    ) -> ShellResult:
        """Like :meth:`run_shell`, but once a command starts streaming (a following
        ``logcat``) its stdout goes to ``on_output`` as it comes; the result holds only what
        was not streamed. ``faults`` is the daemon's live fault state."""
