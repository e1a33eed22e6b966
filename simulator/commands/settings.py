"""``settings get|put|delete|list`` (and ``cmd settings``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import ShellResult
from .common import err, ok, strip_user

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["setting_value", "settings"]

_USAGE = (
    "usage:  settings [--user <USER_ID> | current] get namespace key\n"
    "        settings [--user <USER_ID> | current] put namespace key value"
)


def setting_value(device: DeviceModel, namespace: str, key: str) -> str:
    """What ``settings get`` prints; the music volume is live, a missing key is ``null``."""
    if namespace == "system" and key == "volume_music_speaker":
        return str(device.volume)
    return device.settings[namespace].get(key, "null")


def settings(device: DeviceModel, args: list[str]) -> ShellResult:
    args = strip_user(args)
    if len(args) < 2:
        return err(_USAGE, 255)
    verb, namespace = args[0], args[1]
    if namespace not in device.settings:
        return err(f"Invalid namespace '{namespace}'", 255)
    values = device.settings[namespace]
    if verb == "get" and len(args) >= 3:
        return ok(setting_value(device, namespace, args[2]) + "\n")
    if verb == "put" and len(args) >= 4:
        values[args[2]] = args[3]
        return ok()
    if verb == "delete" and len(args) >= 3:
        existed = values.pop(args[2], None) is not None
        return ok(f"Deleted {1 if existed else 0} rows\n")
    if verb == "list":
        merged = {k: setting_value(device, namespace, k) for k in values}
        return ok("".join(f"{k}={v}\n" for k, v in sorted(merged.items())))
    return err(_USAGE, 255)
