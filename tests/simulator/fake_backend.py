"""A tiny ``DeviceBackend`` for testing the simulated adbd on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from simulator.backend import ShellResult

PROTOCOL_V1 = 0x01000000
PROTOCOL_V2 = 0x01000001
MAX_PAYLOAD_V1 = 4096
MAX_PAYLOAD_V2 = 1024 * 1024

DEFAULT_OUTPUTS: dict[str, ShellResult] = {
    "echo hi": ShellResult(b"hi\n"),
    "getprop ro.product.model": ShellResult(b"XGIMI Fake\n"),
    "false": ShellResult(b"", b"", 1),
    "exit3": ShellResult(b"out\n", b"err\n", 3),
}


class FakeBackend:
    """Canned command outputs and switchable reachability, security and features.

    Unknown commands print ``/system/bin/sh: <cmd>: not found`` on stderr and
    exit 127. Every command run, prompt shown and prompt hidden is recorded.
    """

    def __init__(
        self,
        *,
        adb_secure: bool = False,
        protocol_version: int = PROTOCOL_V2,
        max_payload: int = MAX_PAYLOAD_V2,
        features: frozenset[str] = frozenset({"shell_v2", "cmd"}),
        outputs: dict[str, ShellResult] | None = None,
        model: str = "XGIMI Fake",
    ) -> None:
        self.adb_secure_value = adb_secure
        self.protocol_version_value = protocol_version
        self.max_payload_value = max_payload
        self.features_value = features
        self.outputs = dict(DEFAULT_OUTPUTS if outputs is None else outputs)
        self.model = model
        self.delays: dict[str, float] = {}
        """Seconds ``run_shell`` sleeps before answering, per command."""
        self.commands: list[str] = []
        self.prompts: list[str] = []
        self.hidden = 0
        self._reachable = True
        self._listeners: list[Callable[[bool], None]] = []

    @property
    def reachable(self) -> bool:
        return self._reachable

    def set_reachable(self, reachable: bool) -> None:
        if reachable == self._reachable:
            return
        self._reachable = reachable
        for listener in list(self._listeners):
            listener(reachable)

    @property
    def adb_secure(self) -> bool:
        return self.adb_secure_value

    @property
    def protocol_version(self) -> int:
        return self.protocol_version_value

    @property
    def max_payload(self) -> int:
        return self.max_payload_value

    @property
    def features(self) -> frozenset[str]:
        return self.features_value

    def banner(self) -> bytes:
        features = ",".join(sorted(self.features_value))
        return (
            f"device::ro.product.name=fake;ro.product.model={self.model};"
            f"ro.product.device=fake;features={features}"
        ).encode()

    async def run_shell(self, command: str) -> ShellResult:
        self.commands.append(command)
        delay = self.delays.get(command, 0.0)
        if delay:
            await asyncio.sleep(delay)
        result = self.outputs.get(command)
        if result is None:
            name = command.split(" ", 1)[0]
            return ShellResult(b"", f"/system/bin/sh: {name}: not found\n".encode(), 127)
        return result

    def add_reachability_listener(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def show_prompt(self, fingerprint: str) -> None:
        self.prompts.append(fingerprint)

    def hide_prompt(self) -> None:
        self.hidden += 1
