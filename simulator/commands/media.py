"""``media`` / ``cmd media_session``: dispatch a media key, get/set/adjust the volume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import ShellResult
from .common import err, ok

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["dispatch", "media", "volume"]

_DISPATCH_KEYS = {
    "play": 126,
    "pause": 127,
    "play-pause": 85,
    "mute": 91,
    "headsethook": 79,
    "stop": 86,
    "next": 87,
    "previous": 88,
    "rewind": 89,
    "record": 130,
    "fast-forward": 90,
}
_STREAM_MUSIC = 3


def media(device: DeviceModel, args: list[str]) -> ShellResult:
    if not args:
        return err(
            "usage: media [subcommand] [options]\n"
            "       media dispatch KEY\n"
            "       media volume [options]",
            1,
        )
    if args[0] == "volume":
        return volume(device, args[1:])
    if args[0] == "dispatch" and len(args) > 1:
        return dispatch(device, args[1])
    return err(f"Error: unknown command '{args[0]}'", 1)


def dispatch(device: DeviceModel, key: str) -> ShellResult:
    """``media dispatch KEY``: the key as if pressed."""
    code = _DISPATCH_KEYS.get(key.lower())
    if code is None:
        return err(f"Error: unknown dispatch code '{key}'", 1)
    device.press(code)
    return ok()


def volume(device: DeviceModel, args: list[str]) -> ShellResult:
    """``media volume [--show] [--stream N] --get | --set N | --adj raise|lower|same``."""
    stream = _STREAM_MUSIC
    mode: str | None = None
    value: int | None = None
    adj: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--show":
            pass
        elif arg == "--stream" and i + 1 < len(args):
            try:
                stream = int(args[i + 1])
            except ValueError:
                return err(f"Error: invalid stream index: {args[i + 1]}", 1)
            i += 1
        elif arg == "--get":
            mode = "get"
        elif arg == "--set" and i + 1 < len(args):
            mode = "set"
            try:
                value = int(args[i + 1])
            except ValueError:
                return err(f"Error: invalid volume index: {args[i + 1]}", 1)
            i += 1
        elif arg == "--adj" and i + 1 < len(args):
            mode = "adj"
            adj = args[i + 1]
            i += 1
        else:
            return err(f"Error: unknown argument {arg}", 1)
        i += 1
    if mode is None:
        return err("Error: no valid command (--get, --set or --adj)", 1)
    lines: list[str] = []
    if mode == "set":
        lines.append(f"[V] will set volume to index={value}")
    elif mode == "adj":
        lines.append(f"[V] will adjust volume ({adj})")
    else:
        lines.append("[V] will get volume")
    lines.append("[V] Connecting to AudioService")
    if stream == _STREAM_MUSIC:
        if mode == "set" and value is not None:
            if not 0 <= value <= device.volume_max:
                return err(
                    "Exception occurred while executing:\n"
                    f"java.lang.IllegalArgumentException: Bad volume index {value}",
                    255,
                )
            device.set_volume(value)
        elif mode == "adj":
            if adj == "raise":
                device.set_volume(device.volume + 1)
            elif adj == "lower":
                device.step_volume(-1, unmute=False)
            elif adj != "same":
                return err(f"Error: unknown adjust value {adj}", 1)
        if mode == "get":
            lines.append(f"[V] volume is {device.volume} in range [0..{device.volume_max}]")
    elif mode == "get":
        lines.append(f"[V] volume is 5 in range [0..{15 if stream != 0 else 5}]")
    return ok("\n".join(lines) + "\n")
