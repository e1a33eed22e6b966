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

    # Hostile modes (issue #12): a broken or malicious adbd. Each applies once the handshake is
    # done, so a client can still connect and then meets the misbehaviour on every command.
    HUGE_OUTPUT = "huge-output"
    """Every shell command answers with ``FaultState.huge_output_bytes`` of text (100 MB by
    default) instead of its own output, at full speed (flow control still honoured)."""
    STRAY_PACKETS = "stray-packets"
    """Before each command's output the device sends ``FaultState.stray_bytes`` of WRTE packets
    for a stream that is not open, without waiting for them to be acknowledged."""
    BYTE_DRIP = "byte-drip"
    """Every packet goes out one byte at a time, ``FaultState.drip_interval_s`` apart."""
    LYING_LENGTH = "lying-length"
    """The first WRTE of each command claims a payload of ``FaultState.lying_length`` bytes, and
    the device then streams ``huge_output_bytes`` of filler as if it were that payload."""
    BAD_MAGIC = "bad-magic"
    """Every packet's ``magic`` field is wrong (not the command's bitwise inverse)."""

    # Event-stream modes (issue #13): they act on ``logcat`` (simulator.logcat) only.
    EVENTS_STALL = "events-stall"
    """A following ``logcat`` starts and stays open but never prints a line (a firmware whose
    system_server does not log our tags looks the same)."""
    EVENTS_CLOSE = "events-close"
    """A following ``logcat`` exits after ``FaultState.events_close_after`` lines (0: at once)
    with ``read: unexpected EOF!``, as when logd drops a reader; the stream closes."""
    EVENTS_FLOOD = "events-flood"
    """A following ``logcat`` gets ``FaultState.flood_lines_per_s`` matching lines a second,
    every 50th of them ``flood_overlong_bytes`` long."""
    EVENTS_REFUSED = "events-refused"
    """``logcat`` fails at once: ``logcat: permission denied``, exit 1 (a firmware that does not
    let the shell user read the event log)."""


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
    huge_output_bytes: int = 100 * 1000 * 1000
    """How much ``huge-output`` (and ``lying-length``'s filler) sends per command."""
    stray_bytes: int = 16 * 1024
    """How much ``stray-packets`` sends per command (in packets of at most 4 KiB)."""
    drip_interval_s: float = 0.05
    """The pause between two bytes of ``byte-drip``."""
    lying_length: int = 0x7FFF_FFFF
    """The payload length ``lying-length`` claims (2 GiB - 1)."""
    events_close_after: int = 1
    """Lines ``events-close`` lets through before logcat exits (0: exits before any)."""
    flood_lines_per_s: int = 5000
    """How many matching lines ``events-flood`` writes per second (in bursts every 10 ms)."""
    flood_overlong_bytes: int = 8192
    """The length of ``events-flood``'s overlong lines."""

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
