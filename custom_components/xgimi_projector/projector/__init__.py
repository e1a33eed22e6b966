"""XGIMI projector control over network ADB: an asyncio library with no Home Assistant imports.

Public API::

    projector = Projector("192.168.1.20", 5555, key_path=Path("adbkey"))
    info = await projector.connect(auth_timeout_s=60, on_prompt=lambda: ...)
    state = await projector.poll()          # one shell round trip
    await projector.select_source("HDMI1")
    await projector.send_keys(["autofocus"])
    await projector.turn_off()
    await projector.close()

    keys = LanKeys("192.168.1.20")          # GMUI only: XGIMI's UDP key protocol, no ADB
    await keys.press("home")
    found = await discover(timeout_s=2.0)   # GMUI projectors answering the UDP probe

Errors are subclasses of :class:`XgimiError`; see :mod:`.errors`.
"""

from .adbkey import async_load_signer, ensure_key
from .apps import KNOWN_APPS, app_name
from .connection import AdbConnection, Backoff, Timeouts
from .discovery import (
    DISCOVERY_PORT,
    DISCOVERY_REPLY_PORT,
    DiscoveredProjector,
    discover,
    parse_reply,
)
from .errors import (
    AdbRequiredError,
    AuthorizationError,
    AuthorizationPendingError,
    AuthorizationRejectedError,
    AutoPowerOnError,
    BootTimeoutError,
    CalibrationError,
    CommandFailedError,
    ConnectTimeoutError,
    InvalidCommandError,
    KeyFileError,
    LanKeyNotSupportedError,
    LanPortClosedError,
    LanSendError,
    NoPlugError,
    NoRouteError,
    NotSupportedError,
    PlugSwitchError,
    PlugUnavailableError,
    PortClosedError,
    PowerError,
    PowerOnCancelledError,
    ProjectorUnreachableError,
    RunningUnreachableError,
    SessionClosedError,
    SoftOffFailedError,
    StillAsleepError,
    UnknownHostError,
    UnknownKeyError,
    UnknownSourceError,
    WirelessDebuggingPortError,
    XgimiError,
)
from .families import HDMI_INPUTS, Family, FamilyTraits, HdmiMethod
from .keycodes import KEYCODES, LAN_KEYCODES, XGIMI_KEYS, lan_keycode, normalize_key_name
from .lan import LAN_KEY_PORT, LanKeys
from .power import (
    POWERING_ON,
    SYSTEM_CLOCK,
    Clock,
    Deadline,
    DrawLevel,
    DrawTracker,
    Dwell,
    Plug,
    PowerManager,
    PowerOffResult,
    PowerOnResult,
    PowerPhase,
    PowerSettings,
    PowerThresholds,
    SystemClock,
)
from .probe import DeviceInfo, parse_probe
from .projector import LAN_FAMILIES, SOURCE_HOME, SOURCE_MENU, Projector, normalize_source
from .snapshot import ProjectorSnapshot
from .state import (
    POLL_COMMAND,
    UNREACHABLE,
    Playback,
    PowerState,
    ProjectorState,
    SourceKind,
    parse_poll,
)

__all__ = [
    "DISCOVERY_PORT",
    "DISCOVERY_REPLY_PORT",
    "HDMI_INPUTS",
    "KEYCODES",
    "KNOWN_APPS",
    "LAN_FAMILIES",
    "LAN_KEYCODES",
    "LAN_KEY_PORT",
    "POLL_COMMAND",
    "POWERING_ON",
    "SOURCE_HOME",
    "SOURCE_MENU",
    "SYSTEM_CLOCK",
    "UNREACHABLE",
    "XGIMI_KEYS",
    "AdbConnection",
    "AdbRequiredError",
    "AuthorizationError",
    "AuthorizationPendingError",
    "AuthorizationRejectedError",
    "AutoPowerOnError",
    "Backoff",
    "BootTimeoutError",
    "CalibrationError",
    "Clock",
    "CommandFailedError",
    "ConnectTimeoutError",
    "Deadline",
    "DeviceInfo",
    "DiscoveredProjector",
    "DrawLevel",
    "DrawTracker",
    "Dwell",
    "Family",
    "FamilyTraits",
    "HdmiMethod",
    "InvalidCommandError",
    "KeyFileError",
    "LanKeyNotSupportedError",
    "LanKeys",
    "LanPortClosedError",
    "LanSendError",
    "NoPlugError",
    "NoRouteError",
    "NotSupportedError",
    "Playback",
    "Plug",
    "PlugSwitchError",
    "PlugUnavailableError",
    "PortClosedError",
    "PowerError",
    "PowerManager",
    "PowerOffResult",
    "PowerOnCancelledError",
    "PowerOnResult",
    "PowerPhase",
    "PowerSettings",
    "PowerState",
    "PowerThresholds",
    "Projector",
    "ProjectorSnapshot",
    "ProjectorState",
    "ProjectorUnreachableError",
    "RunningUnreachableError",
    "SessionClosedError",
    "SoftOffFailedError",
    "SourceKind",
    "StillAsleepError",
    "SystemClock",
    "Timeouts",
    "UnknownHostError",
    "UnknownKeyError",
    "UnknownSourceError",
    "WirelessDebuggingPortError",
    "XgimiError",
    "app_name",
    "async_load_signer",
    "discover",
    "ensure_key",
    "lan_keycode",
    "normalize_key_name",
    "normalize_source",
    "parse_poll",
    "parse_probe",
    "parse_reply",
]
