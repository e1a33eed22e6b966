"""``getprop`` and ``setprop``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import ShellResult
from .common import err, ok

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["getprop", "setprop"]


def getprop(device: DeviceModel, args: list[str]) -> ShellResult:
    props = device.props
    if not args:
        return ok("".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())))
    if args[0].startswith("-"):
        return ok("")
    default = args[1] if len(args) > 1 else ""
    return ok(props.get(args[0], default) + "\n")


def setprop(device: DeviceModel, args: list[str]) -> ShellResult:
    if len(args) != 2:
        return err("setprop: Need 2 arguments")
    name, value = args
    if name.startswith("ctl."):
        return ok()
    if name.startswith("ro.") and name in device.props:
        return err(f"Failed to set property '{name}' to '{value}'.\nSee dmesg for error reason.")
    device.setprop(name, value)
    return ok()
