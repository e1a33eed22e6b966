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
