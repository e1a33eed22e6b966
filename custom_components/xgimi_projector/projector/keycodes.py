"""Key names the library accepts, and their Android / XGIMI key codes.

Only names in :data:`KEYCODES` ever reach ``input keyevent``: a caller's string is
looked up here and replaced by an integer, so it cannot inject shell. The same names
reach XGIMI's LAN key protocol through :data:`LAN_KEYCODES` (docs/lan.md §2), a subset:
the protocol has its own numbering and no code for many Android keys.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .errors import LanKeyNotSupportedError, UnknownKeyError

_ANDROID: dict[str, int] = {
    "HOME": 3,
    "BACK": 4,
    "UP": 19,
    "DOWN": 20,
    "LEFT": 21,
    "RIGHT": 22,
    "CENTER": 23,
    "VOLUME_UP": 24,
    "VOLUME_DOWN": 25,
    "POWER": 26,
    "ENTER": 66,
    "DEL": 67,
    "MENU": 82,
    "SEARCH": 84,
    "PLAY_PAUSE": 85,
    "STOP": 86,
    "NEXT": 87,
    "PREVIOUS": 88,
    "REWIND": 89,
    "FAST_FORWARD": 90,
    "ESCAPE": 111,
    "PLAY": 126,
    "PAUSE": 127,
    "MUTE": 164,
    "INFO": 165,
    "SETTINGS": 176,
    "TV_INPUT": 178,
    "SLEEP": 223,
    "WAKEUP": 224,
    "HDMI1": 243,
    "HDMI2": 244,
    "HDMI3": 245,
    "HDMI4": 246,
}

# XGIMI firmware keys (docs/xgimi.md §2.6). 2094/2101 follow the Horizon Pro
# reports (2101 = gear panel), not the older community table that swapped them.
_XGIMI: dict[str, int] = {
    "FOCUS_MOTOR_LEFT": 2092,
    "FOCUS_MOTOR_RIGHT": 2093,
    "FOCUS_MOTOR_STOP": 2094,
    "FOCUS_MOTOR_LEFT_OVERSTEP": 2095,
    "FOCUS_MOTOR_RIGHT_OVERSTEP": 2096,
    "MANUAL_FOCUS_LEFT": 2097,
    "MANUAL_FOCUS_RIGHT": 2098,
    "AUTOFOCUS": 2099,
    "XGIMI_POWER": 2100,
    "GEAR": 2101,
    "SOURCE_MENU": 2102,
    "AUTOFOCUS_NEW": 2103,
    "HIBERNATE": 2106,
    "XMUSIC": 2108,
}

_ALIASES: dict[str, str] = {
    "OK": "CENTER",
    "DPAD_CENTER": "CENTER",
    "SELECT": "CENTER",
    "DPAD_UP": "UP",
    "DPAD_DOWN": "DOWN",
    "DPAD_LEFT": "LEFT",
    "DPAD_RIGHT": "RIGHT",
    "VOLUME_MUTE": "MUTE",
    "MEDIA_PLAY_PAUSE": "PLAY_PAUSE",
    "MEDIA_PLAY": "PLAY",
    "MEDIA_PAUSE": "PAUSE",
    "MEDIA_STOP": "STOP",
    "MEDIA_NEXT": "NEXT",
    "MEDIA_PREVIOUS": "PREVIOUS",
    "MEDIA_REWIND": "REWIND",
    "MEDIA_FAST_FORWARD": "FAST_FORWARD",
    "INPUT": "TV_INPUT",
    "TV_INPUT_HDMI_1": "HDMI1",
    "TV_INPUT_HDMI_2": "HDMI2",
    "TV_INPUT_HDMI_3": "HDMI3",
    "TV_INPUT_HDMI_4": "HDMI4",
    "FOCUS": "AUTOFOCUS",
    "SOURCE": "SOURCE_MENU",
    "CHOOSE_SOURCE": "SOURCE_MENU",
    "QUICK_SETTINGS": "GEAR",
    "MISCKEY": "GEAR",
}

KEYCODES: MappingProxyType[str, int] = MappingProxyType(_ANDROID | _XGIMI)
"""Canonical key name → key code."""

XGIMI_KEYS: frozenset[str] = frozenset(_XGIMI)
"""The names of XGIMI's own (non-Android) keys."""

_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_key_name(name: str) -> str:
    """Return the canonical name for ``name``, or raise :class:`UnknownKeyError`.

    Case-insensitive; an optional ``KEYCODE_`` prefix, spaces and dashes are accepted.
    """
    canonical = _SEPARATORS.sub("_", name.strip()).upper()
    canonical = canonical.removeprefix("KEYCODE_")
    canonical = _ALIASES.get(canonical, canonical)
    if canonical not in KEYCODES:
        raise UnknownKeyError(name)
    return canonical


def keycode(name: str) -> int:
    """The key code for a key name (see :func:`normalize_key_name`)."""
    return KEYCODES[normalize_key_name(name)]


# XGIMI's LAN key protocol (``KEYPRESSES:<n>`` on UDP 16735) numbers keys its own way
# (docs/lan.md §2): the navigation and volume codes come from XGIMI's 2017 phone app and the
# community integration; the 209x–2108 codes are passed as the Android-side XGIMI key codes
# (same numbers as above, same 2094/2101 reading). Names without a code here are refused.
_LAN: dict[str, int] = {
    "HOME": 35,
    "UP": 36,
    "RIGHT": 37,
    "DOWN": 38,
    "BACK": 48,
    "CENTER": 49,
    "LEFT": 50,
    "MUTE": 113,
    "VOLUME_DOWN": 114,
    "VOLUME_UP": 115,
    "POWER": 116,
    "MENU": 139,
    "SLEEP": 30,
    "FOCUS_MOTOR_LEFT": 2092,
    "FOCUS_MOTOR_RIGHT": 2093,
    "FOCUS_MOTOR_STOP": 2094,
    "FOCUS_MOTOR_LEFT_OVERSTEP": 2095,
    "FOCUS_MOTOR_RIGHT_OVERSTEP": 2096,
    "MANUAL_FOCUS_LEFT": 2097,
    "MANUAL_FOCUS_RIGHT": 2098,
    "AUTOFOCUS": 2099,
    "GEAR": 2101,
    "SOURCE_MENU": 2102,
    "AUTOFOCUS_NEW": 2103,
    "HIBERNATE": 2106,
    "XMUSIC": 2108,
}

LAN_KEYCODES: MappingProxyType[str, int] = MappingProxyType(_LAN)
"""Canonical key name → code of XGIMI's LAN key protocol (a subset of :data:`KEYCODES`)."""

LAN_POWER_OFF = _LAN["SLEEP"]
"""The protocol's power-off (关机) code: off only, where 116 is the remote's power key."""


def lan_keycode(name: str) -> int:
    """The LAN protocol's code for a key name.

    Raises :class:`UnknownKeyError` for a name outside the whitelist and
    :class:`LanKeyNotSupportedError` for a whitelisted key the protocol cannot send.
    """
    canonical = normalize_key_name(name)
    code = LAN_KEYCODES.get(canonical)
    if code is None:
        raise LanKeyNotSupportedError(name)
    return code
