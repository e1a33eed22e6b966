"""The library's typed error hierarchy: every public error, each with its own key.

Every failure the library reports is an :class:`XgimiError`. Each class carries a stable
``translation_key`` (the integration's translations are keyed by it), its
``translation_placeholders``, and whether it is the caller's fault (``invalid_input``: Home
Assistant shows it as a validation error) or a failed power-on worth a repair issue
(``repair_issue``). The integration maps errors by these attributes in one place, so adding an
error is one class here and one message per language. Nothing here is user-facing text.
"""

from __future__ import annotations


class XgimiError(Exception):
    """Base class of every error raised by this library."""

    translation_key: str = "command_failed"
    """The key of the error's message (``exceptions.<key>`` in the integration's translations)."""
    invalid_input: bool = False
    """The caller's input was refused before anything was sent."""
    repair_issue: bool = False
    """A power-on failure the user must fix on the projector or the plug (a repair issue)."""
    connect_error_key: str = "cannot_connect"
    """The key of the error shown by the set-up form when connecting fails this way
    (``config.error.<key>``)."""

    @property
    def translation_placeholders(self) -> dict[str, str]:
        """The values the message refers to (the integration adds ``host``)."""
        return {"error": str(self)}


class ProjectorUnreachableError(XgimiError):
    """No ADB session could be opened: wrong address, ADB disabled, or the projector
    is in standby (关机), where its network is down."""

    translation_key = "unreachable"


class PortClosedError(ProjectorUnreachableError):
    """The host answered, but refused the connection: nothing listens on that port (network
    ADB is off, or it uses another port)."""

    connect_error_key = "port_closed"


class ConnectTimeoutError(ProjectorUnreachableError):
    """Nothing answered at all: the projector is off or in standby (its network is down), or
    the address is wrong."""

    connect_error_key = "connect_timeout"


class NoRouteError(ProjectorUnreachableError):
    """The network says the address cannot be reached (another subnet, or no such host on
    the LAN)."""

    connect_error_key = "no_route"


class UnknownHostError(ProjectorUnreachableError):
    """The host name does not resolve."""

    connect_error_key = "unknown_host"


class SessionClosedError(ProjectorUnreachableError):
    """The projector accepted TCP and then closed the ADB session during the handshake.

    Some adbd builds do this while another ADB client holds the projector.
    """

    connect_error_key = "another_client"


class AuthorizationError(XgimiError):
    """Base class of the "Allow USB debugging?" outcomes."""

    translation_key = "authorization_required"


class AuthorizationPendingError(AuthorizationError):
    """The projector is showing "Allow USB debugging?" and nobody has answered yet."""

    connect_error_key = "auth_timeout"


class AuthorizationRejectedError(AuthorizationError):
    """The prompt was answered with Cancel, or the projector refused our key."""

    connect_error_key = "auth_rejected"


class WirelessDebuggingPortError(XgimiError):
    """The port answered with STLS: an Android 11+ wireless-debugging port, which needs
    pairing. Use the classic port 5555 (``adb tcpip 5555``) instead."""

    translation_key = connect_error_key = "wireless_debugging_port"


class KeyFileError(XgimiError):
    """Home Assistant's ADB key file cannot be used (corrupt, unreadable, a dangling link).

    It is never replaced silently: every projector trusts the key it holds."""

    translation_key = connect_error_key = "adb_key_invalid"

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"the ADB key {path} cannot be used: {reason}")
        self.path = str(path)
        self.reason = reason

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"path": self.path, "error": self.reason}


class CommandFailedError(XgimiError):
    """A command reached the projector but failed or its session broke mid-way."""


class InvalidCommandError(XgimiError, ValueError):
    """Caller input was rejected before anything was sent."""

    translation_key = "invalid_command"
    invalid_input = True


class UnknownKeyError(InvalidCommandError):
    """A key name is not in the whitelist."""

    translation_key = "unknown_key"

    def __init__(self, key: str) -> None:
        super().__init__(f"unknown key: {key!r}")
        self.key = key

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"key": self.key}


class UnknownSourceError(InvalidCommandError):
    """A source name is neither an HDMI input nor a valid app package."""

    translation_key = "unknown_source"

    def __init__(self, source: str) -> None:
        super().__init__(f"unknown source: {source!r}")
        self.source = source

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"source": self.source}


class NotSupportedError(InvalidCommandError):
    """The projector's firmware family cannot do this (e.g. direct HDMI switching on GMUI 9)."""

    translation_key = "not_supported"

    def __init__(self, what: str, family: str) -> None:
        super().__init__(f"{what} is not supported on firmware family {family}")
        self.what = what
        self.family = family

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"family": self.family, "what": self.what}


class CalibrationError(InvalidCommandError):
    """Power readings that cannot make thresholds; ``reason`` is a stable key
    (``too_close``, ``negative``, ``screen_off_out_of_range``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.translation_key = f"calibration_{reason}"


class PowerError(XgimiError):
    """Base class of the smart-plug power path's failures (:mod:`.power`)."""

    translation_key = "power_failed"


class NoPlugError(PowerError):
    """The projector is unreachable (standby or mains off) and no plug is configured,
    so nothing can turn it on."""

    translation_key = "no_plug"


class PlugUnavailableError(PowerError):
    """The configured plug is unavailable (offline, or its integration is not loaded)."""

    translation_key = "plug_unavailable"


class PlugSwitchError(PowerError):
    """The plug did not switch (its state did not follow within the confirmation time)."""

    translation_key = "plug_switch_failed"
    repair_issue = True

    def __init__(self, wanted_on: bool) -> None:
        super().__init__(f"the plug did not switch {'on' if wanted_on else 'off'}")
        self.wanted_on = wanted_on


class BootTimeoutError(PowerError):
    """Mains came back, but ADB did not answer within the boot timeout."""

    translation_key = "boot_timeout"
    repair_issue = True

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"ADB did not come back within {timeout_s:.0f} s of mains returning")
        self.timeout_s = timeout_s


class AutoPowerOnError(PowerError):
    """Mains came back, but the power draw stayed at the standby level: 上电自动开机
    (auto power-on when mains returns) is off on the projector."""

    translation_key = "auto_power_on_off"
    repair_issue = True

    def __init__(self, watts: float) -> None:
        super().__init__(f"draw stayed at {watts:.1f} W (standby) after mains returned")
        self.watts = watts


class RunningUnreachableError(PowerError):
    """ADB is unreachable but the plug's power draw says the projector is running:
    cutting mains would pull the cord of a running system, so nothing is done."""

    translation_key = "running_unreachable"
    repair_issue = True

    def __init__(self, watts: float) -> None:
        super().__init__(f"unreachable over ADB but drawing {watts:.1f} W")
        self.watts = watts


class PowerOnCancelledError(PowerError):
    """A turn-off arrived while the plug cycle was running."""

    translation_key = "power_on_cancelled"


class SoftOffFailedError(PowerError):
    """The soft power-off was sent, but Android stayed awake."""

    translation_key = "soft_off_failed"


class StillAsleepError(PowerError):
    """Android is asleep but stays on the network and did not wake: mains is not cut while
    it may still be running."""

    translation_key = "still_asleep"


# --- XGIMI's LAN key protocol (docs/lan.md) -------------------------------------------------


class LanKeyNotSupportedError(InvalidCommandError):
    """A whitelisted key name that XGIMI's LAN key protocol has no code for (e.g. ``PLAY``):
    refused before anything is sent."""

    translation_key = "lan_key_not_supported"

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} has no code in the LAN key protocol")
        self.key = key

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"key": self.key}


class LanPortClosedError(PortClosedError):
    """The host answered "port unreachable" to a LAN key datagram: nothing listens on the
    key port (Android TV / Google TV firmware ignore the protocol, or the address is not a
    GMUI projector)."""

    translation_key = connect_error_key = "lan_port_closed"


class LanSendError(ProjectorUnreachableError):
    """A LAN datagram could not be sent (no usable network, the port is in use, a broadcast
    address without permission, ...)."""

    translation_key = connect_error_key = "lan_send_failed"


class WakeActionError(PowerError):
    """The wake action (a button, a script, or a remote's IR command) could not be run: its
    service call failed."""

    translation_key = "wake_action_failed"
    repair_issue = True

    def __init__(self, entity: str, reason: str) -> None:
        super().__init__(f"the wake action {entity} failed: {reason}")
        self.entity = entity
        self.reason = reason

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"entity": self.entity, "error": self.reason}


class WakeActionUnavailableError(WakeActionError):
    """The wake action's entity does not exist or is unavailable (an ESPHome node offline, an
    IR remote's integration not loaded)."""

    translation_key = "wake_action_unavailable"


class WakeTimeoutError(PowerError):
    """The wake action ran, but ADB did not answer within the wake wait time: the projector
    did not hear it (BLE out of range, a wrong token, IR not aimed), or took longer."""

    translation_key = "wake_timeout"
    repair_issue = True

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"ADB did not answer within {wait_s:.0f} s of the wake action")
        self.wait_s = wait_s


class AdbRequiredError(InvalidCommandError):
    """A command that only ADB can carry, asked of a projector set up for LAN keys only
    (reading state, setting a volume level, HDMI, apps, the shell)."""

    translation_key = "lan_needs_adb"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} needs ADB; this projector is set up for LAN keys only")
        self.what = what

    @property
    def translation_placeholders(self) -> dict[str, str]:
        return {"what": self.what}
