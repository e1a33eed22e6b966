"""Fault modes of the simulated projector, selectable per run and switchable at runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
import enum


class Fault(enum.StrEnum):
    """A misbehaviour of the device's adbd or network."""

    CLOSE_AFTER_CNXN = "close-after-cnxn"
    """The device closes the socket as soon as the host's CNXN arrives."""
    CLOSE_MID_COMMAND = "close-mid-command"
    """The device acknowledges a shell OPEN, sends part of the output, then closes the socket."""
    SILENT = "silent"
    """The TCP connection is accepted but the device never sends a byte."""
    PROMPT_NEVER = "prompt-never"
    """The authorization prompt is shown and nobody answers it."""
    PROMPT_REJECT = "prompt-reject"
    """The authorization prompt is answered with Cancel."""
    STLS = "stls"
    """The port is an Android 11+ wireless-debugging port: it answers CNXN with STLS."""


class PromptMode(enum.StrEnum):
    """How the simulated person in front of the projector answers "Allow USB debugging?"."""

    ACCEPT = "accept"
    REJECT = "reject"
    NEVER = "never"


@dataclass(slots=True)
class FaultState:
    """The faults in force. Mutable: tests and the CLI switch them at runtime."""

    active: set[Fault] = field(default_factory=set)
    latency_s: float = 0.0
    """Extra delay before every shell command's output (per-command latency)."""

    def set(self, *faults: Fault) -> None:
        self.active.update(faults)

    def clear(self, *faults: Fault) -> None:
        if faults:
            self.active.difference_update(faults)
        else:
            self.active.clear()
            self.latency_s = 0.0

    def __contains__(self, fault: object) -> bool:
        return fault in self.active
