"""The Android commands the simulated projector runs: one module per family, one registry.

:data:`COMMANDS` maps a command name to its handler, ``handler(device, args) -> ShellResult``.
:func:`run_command` is what the shell bridge calls for every Android command: a command the
profile lacks is "not found"; ``dumpsys`` and the read-only commands in
:data:`~simulator.dumpsys.TEMPLATED_COMMANDS` print from the profile's templates when one matches;
everything else goes to its handler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..backend import ShellResult
from ..dumpsys import TEMPLATED_COMMANDS, render_template
from ..intents import UsageError
from . import am, cmd, input, media, pm, props, settings, system
from .common import err, not_found

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["COMMANDS", "Handler", "run_command"]

Handler = Callable[["DeviceModel", list[str]], ShellResult]
"""Runs one command: the device and the arguments after the command's name."""

COMMANDS: Mapping[str, Handler] = MappingProxyType(
    {
        "getprop": props.getprop,
        "setprop": props.setprop,
        "input": input.input_command,
        "am": am.am,
        "monkey": am.monkey,
        "pm": pm.pm,
        "cmd": cmd.cmd,
        "media": media.media,
        "settings": settings.settings,
        "ps": system.ps,
        "wm": system.wm,
        "id": system.id_command,
        "uptime": system.uptime,
        "ip": system.ip,
        "service": system.service,
        "log": system.log,
        "logcat": system.logcat,
        "pkill": system.pkill,
        "pgrep": system.pgrep,
        "reboot": system.reboot,
        "screencap": system.screencap,
    }
)
"""Every Android command modelled in code (``dumpsys`` exists only as templates)."""


def run_command(device: DeviceModel, argv: Sequence[str]) -> ShellResult:
    """Run one Android command (``argv[0]`` is its name; ``argv`` is not empty)."""
    name = argv[0]
    if name in device.profile.commands_absent:
        return not_found(name)
    if name in TEMPLATED_COMMANDS:
        template = device.profile.find_template(" ".join(argv))
        if template is not None:
            result = render_template(device, template, argv)
            if name == "ps":  # the model's own logcat processes are not in any template
                result = system.with_logcat_rows(device, result)
            return result
    handler = COMMANDS.get(name)
    if handler is None:
        return not_found(name)
    try:
        return handler(device, list(argv[1:]))
    except UsageError as error:
        return err(error.message, error.code)
