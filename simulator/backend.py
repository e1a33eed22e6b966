"""The contract between the simulated ADB daemon and the simulated device.

The daemon (``simulator.adb``) speaks the wire protocol; the device model
(``simulator.device``) decides what the projector is doing and what its shell
prints. Neither imports the other: they meet through these types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ShellResult:
    """What one shell command produced."""

    stdout: bytes
    stderr: bytes = b""
    exit_code: int = 0


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
