"""``cmd <service> …``: routes to the command that models the service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import ShellResult
from ..dumpsys import service_names
from . import am, input, media, pm, settings
from .common import err, ok

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["cmd"]


def cmd(device: DeviceModel, args: list[str]) -> ShellResult:
    if not args:
        return err("cmd: No service specified; use -l to list all services", 20)
    service, rest = args[0], args[1:]
    names = service_names(device.profile)
    if service == "-l":
        return ok("Currently running services:\n" + "".join(f"  {s}\n" for s in names))
    if service == "package":
        return pm.pm(device, rest)
    if service == "activity":
        return am.am(device, rest)
    if service == "media_session":
        return _media_session(device, rest)
    if service == "input":
        return input.input_command(device, rest)
    if service == "settings":
        return settings.settings(device, rest)
    if service in names:
        return ok()
    return err(f"cmd: Can't find service: {service}", 20)


def _media_session(device: DeviceModel, args: list[str]) -> ShellResult:
    if args[:1] == ["volume"]:
        return media.volume(device, args[1:])
    if args[:1] == ["dispatch"] and len(args) > 1:
        return media.dispatch(device, args[1])
    if args[:1] == ["list-sessions"]:
        return ok(
            "".join(
                f"  {s.tag} {s.package}/{s.tag} (userId=0)\n"
                for s in device.media.sessions.values()
            )
        )
    return err(f"Unknown command: {' '.join(args) or '(none)'}", 255)
