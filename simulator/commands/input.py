"""``input``: key events (the remote), text, and the touch commands (accepted, no effect)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import ShellResult
from ..keys import keycode
from .common import err, ok

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["input_command"]

_SOURCES = frozenset(
    {
        "keyboard",
        "dpad",
        "gamepad",
        "touchscreen",
        "touchpad",
        "mouse",
        "trackball",
        "stylus",
        "joystick",
        "touchnavigation",
        "rotaryencoder",
    }
)
_IGNORED = frozenset(
    {"tap", "swipe", "draganddrop", "roll", "motionevent", "keycombination", "scroll"}
)
_USAGE = (
    "Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n\n"
    "The commands and default sources are:\n"
    "      text <string> (Default: touchscreen)\n"
    "      keyevent [--longpress] <key code number or name> ... (Default: keyboard)"
)


def input_command(device: DeviceModel, args: list[str]) -> ShellResult:
    if args and args[0] in _SOURCES:
        args = args[1:]
    if args and args[0] == "-d":
        args = args[2:]
    if not args:
        return err(_USAGE, 1)
    command, rest = args[0], args[1:]
    if command in ("keyevent", "press"):
        return _keyevent(device, ["23"] if command == "press" else rest)
    if command == "text":
        device.text_log.append(" ".join(rest).replace("%s", " "))
        return ok()
    if command in _IGNORED:
        return ok()
    return err(f"Error: Unknown command: {command}", 1)


def _keyevent(device: DeviceModel, args: list[str]) -> ShellResult:
    longpress = False
    codes: list[int] = []
    for arg in args:
        if arg in ("--longpress", "--doubletap"):
            longpress = longpress or arg == "--longpress"
            continue
        if arg == "--delay":
            continue
        code = keycode(arg)
        codes.append(code if code is not None else 0)
    if not codes:
        return err("Error: keyevent requires a key code", 1)
    for code in codes:
        device.press(code, longpress=longpress)
    return ok()
