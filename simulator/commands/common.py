"""Helpers shared by the Android command handlers: results and ``--user`` stripping."""

from __future__ import annotations

from ..backend import ShellResult

__all__ = ["err", "not_found", "ok", "strip_user"]


def not_found(name: str) -> ShellResult:
    """What Android's ``sh`` says about a command it does not have."""
    return ShellResult(b"", f"/system/bin/sh: {name}: not found\n".encode(), 127)


def ok(text: str = "") -> ShellResult:
    return ShellResult(text.encode())


def err(text: str, code: int = 1, stdout: str = "") -> ShellResult:
    """``text`` on stderr (newline added), exit ``code``, and optionally some stdout first."""
    if text and not text.endswith("\n"):
        text += "\n"
    return ShellResult(stdout.encode(), text.encode(), code)


def strip_user(args: list[str]) -> list[str]:
    """``args`` without ``--user <id>`` (everything runs as user 0)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--user":
            skip = True
            continue
        out.append(arg)
    return out
