"""The library's typed error hierarchy.

Every failure the library reports is an :class:`XgimiError`. The integration maps
each class to a translated Home Assistant error; nothing here is user-facing text.
"""

from __future__ import annotations


class XgimiError(Exception):
    """Base class of every error raised by this library."""


class ProjectorUnreachableError(XgimiError):
    """No ADB session could be opened: wrong address, ADB disabled, or the projector
    is in standby (关机), where its network is down."""


class SessionClosedError(ProjectorUnreachableError):
    """The projector accepted TCP and then closed the ADB session during the handshake.

    Some adbd builds do this while another ADB client holds the projector.
    """


class AuthorizationError(XgimiError):
    """Base class of the "Allow USB debugging?" outcomes."""


class AuthorizationPendingError(AuthorizationError):
    """The projector is showing "Allow USB debugging?" and nobody has answered yet."""


class AuthorizationRejectedError(AuthorizationError):
    """The prompt was answered with Cancel, or the projector refused our key."""


class WirelessDebuggingPortError(XgimiError):
    """The port answered with STLS: an Android 11+ wireless-debugging port, which needs
    pairing. Use the classic port 5555 (``adb tcpip 5555``) instead."""


class CommandFailedError(XgimiError):
    """A command reached the projector but failed or its session broke mid-way."""


class InvalidCommandError(XgimiError, ValueError):
    """Caller input was rejected before anything was sent."""


class UnknownKeyError(InvalidCommandError):
    """A key name is not in the whitelist."""

    def __init__(self, key: str) -> None:
        super().__init__(f"unknown key: {key!r}")
        self.key = key


class UnknownSourceError(InvalidCommandError):
    """A source name is neither an HDMI input nor a valid app package."""

    def __init__(self, source: str) -> None:
        super().__init__(f"unknown source: {source!r}")
        self.source = source


class NotSupportedError(InvalidCommandError):
    """The projector's firmware family cannot do this (e.g. direct HDMI switching on GMUI 9)."""

    def __init__(self, what: str, family: str) -> None:
        super().__init__(f"{what} is not supported on firmware family {family}")
        self.what = what
        self.family = family


class PowerError(XgimiError):
    """Base class of the smart-plug power path's failures (:mod:`.power`)."""


class NoPlugError(PowerError):
    """The projector is unreachable (standby or mains off) and no plug is configured,
    so nothing can turn it on."""


class PlugUnavailableError(PowerError):
    """The configured plug is unavailable (offline, or its integration is not loaded)."""


class PlugSwitchError(PowerError):
    """The plug did not switch (its state did not follow within the confirmation time)."""

    def __init__(self, wanted_on: bool) -> None:
        super().__init__(f"the plug did not switch {'on' if wanted_on else 'off'}")
        self.wanted_on = wanted_on


class BootTimeoutError(PowerError):
    """Mains came back, but ADB did not answer within the boot timeout."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"ADB did not come back within {timeout_s:.0f} s of mains returning")
        self.timeout_s = timeout_s


class AutoPowerOnError(PowerError):
    """Mains came back, but the power draw stayed at the standby level: 上电自动开机
    (auto power-on when mains returns) is off on the projector."""

    def __init__(self, watts: float) -> None:
        super().__init__(f"draw stayed at {watts:.1f} W (standby) after mains returned")
        self.watts = watts


class RunningUnreachableError(PowerError):
    """ADB is unreachable but the plug's power draw says the projector is running:
    cutting mains would pull the cord of a running system, so nothing is done."""

    def __init__(self, watts: float) -> None:
        super().__init__(f"unreachable over ADB but drawing {watts:.1f} W")
        self.watts = watts


class PowerOnCancelledError(PowerError):
    """A turn-off arrived while the plug cycle was running."""


class SoftOffFailedError(PowerError):
    """The soft power-off was sent, but Android stayed awake."""


class StillAsleepError(PowerError):
    """Android is asleep but stays on the network and did not wake: mains is not cut while
    it may still be running."""
