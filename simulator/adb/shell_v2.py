"""Shell services: parsing ``shell:``/``exec:``/``shell,v2:`` names and shell-protocol framing.

The shell protocol (feature ``shell_v2``, Android 7+) multiplexes stdin,
stdout, stderr and the exit code over one stream. Each packet is one id byte,
a 4-byte little-endian length, and that many bytes of data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
import enum
import struct
from typing import Final

from simulator.backend import ShellResult

FRAME_HEADER: Final = struct.Struct("<BI")

INTERACTIVE_UNSUPPORTED: Final = b"simulator: interactive shell is not supported\n"


class ShellId(enum.IntEnum):
    """Packet ids of the shell protocol."""

    STDIN = 0
    STDOUT = 1
    STDERR = 2
    EXIT = 3
    CLOSE_STDIN = 4
    WINDOW_SIZE_CHANGE = 5


class ServiceKind(enum.Enum):
    """Which flavour of shell a stream asked for."""

    SHELL = "shell"
    """``shell:`` (or ``shell,raw:``/``shell,pty:``): stdout and stderr together, no exit code."""
    EXEC = "exec"
    """``exec:``: stdout only, no exit code."""
    SHELL_V2 = "shell_v2"
    """``shell,v2…:``: shell protocol with separate stdout/stderr and an exit packet."""


@dataclass(frozen=True, slots=True)
class ShellService:
    """A parsed shell-like service name."""

    kind: ServiceKind
    command: str
    pty: bool = False
    options: tuple[str, ...] = ()


def parse_service(name: str, features: frozenset[str]) -> ShellService | None:
    """Parse an OPEN service name; None if this device does not offer it.

    ``shell,v2…`` is only offered when the device advertises ``shell_v2``.
    Options between ``shell`` and ``:`` (``v2``, ``raw``, ``pty``,
    ``TERM=…``) are comma-separated; unknown ones are ignored. As in adbd, a
    command defaults to raw and an empty (interactive) command to a PTY.
    """
    if name.startswith("exec:"):
        return ShellService(ServiceKind.EXEC, name[len("exec:") :])
    if not name.startswith("shell"):
        return None
    rest = name[len("shell") :]
    if rest.startswith(":"):
        options: tuple[str, ...] = ()
        command = rest[1:]
    elif rest.startswith(","):
        head, colon, command = rest[1:].partition(":")
        if not colon:
            return None
        options = tuple(option for option in head.split(",") if option)
    else:
        return None
    pty = not command
    if "raw" in options:
        pty = False
    if "pty" in options:
        pty = True
    if "v2" in options:
        if "shell_v2" not in features:
            return None
        return ShellService(ServiceKind.SHELL_V2, command, pty, options)
    return ShellService(ServiceKind.SHELL, command, pty, options)


def frame(shell_id: ShellId, data: bytes) -> bytes:
    """One shell-protocol packet."""
    return FRAME_HEADER.pack(shell_id, len(data)) + data


def _frames(shell_id: ShellId, data: bytes, max_frame: int) -> list[bytes]:
    step = max(1, max_frame - FRAME_HEADER.size)
    return [frame(shell_id, data[i : i + step]) for i in range(0, len(data), step)]


def _pty_output(result: ShellResult) -> bytes:
    # A PTY merges stderr into stdout and its line discipline turns "\n" into "\r\n".
    return (result.stdout + result.stderr).replace(b"\n", b"\r\n")


def encode_output(service: ShellService, result: ShellResult, max_frame: int) -> list[bytes]:
    """What a shell service sends back, as WRTE payloads of at most ``max_frame`` bytes.

    v1 ``shell:`` sends stdout then stderr (no exit code), ``exec:`` stdout
    only; v2 sends stdout packets, stderr packets, then one exit packet, each
    shell packet in its own WRTE as adbd does.
    """
    max_frame = max(max_frame, FRAME_HEADER.size + 1)
    if not service.command:
        # No interactive shell here: its refusal is printed before any terminal exists.
        service = dataclasses.replace(service, pty=False)
    if service.kind is ServiceKind.SHELL_V2:
        if service.pty:
            stdout, stderr = _pty_output(result), b""
        else:
            stdout, stderr = result.stdout, result.stderr
        return [
            *_frames(ShellId.STDOUT, stdout, max_frame),
            *_frames(ShellId.STDERR, stderr, max_frame),
            frame(ShellId.EXIT, bytes([result.exit_code & 0xFF])),
        ]
    if service.kind is ServiceKind.EXEC:
        data = result.stdout
    elif service.pty:
        data = _pty_output(result)
    else:
        data = result.stdout + result.stderr
    return [data[i : i + max_frame] for i in range(0, len(data), max_frame)]


def encode_stdout(service: ShellService, data: bytes, max_frame: int) -> list[bytes]:
    """A piece of a still-running command's stdout, as WRTE payloads (see :func:`encode_output`:
    the same framing, without stderr and the exit packet that come at the end)."""
    max_frame = max(max_frame, FRAME_HEADER.size + 1)
    if service.pty:
        data = data.replace(b"\n", b"\r\n")
    if service.kind is ServiceKind.SHELL_V2:
        return _frames(ShellId.STDOUT, data, max_frame)
    return [data[i : i + max_frame] for i in range(0, len(data), max_frame)]


def interactive_result(service: ShellService) -> ShellResult:
    """What the simulator answers to an interactive shell (an empty command)."""
    if service.kind is ServiceKind.SHELL_V2:
        return ShellResult(stdout=b"", stderr=INTERACTIVE_UNSUPPORTED, exit_code=1)
    return ShellResult(stdout=INTERACTIVE_UNSUPPORTED, stderr=b"", exit_code=1)
