"""Android key codes: the ``KeyEvent.KEYCODE_*`` table, name ↔ code, and the key log's record.

What a key *does* on the projector comes from the profile's key map (``templates/keys.json``
plus per-profile overrides) and :meth:`simulator.device.DeviceModel.press`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KEYCODES", "KeyEvent", "keycode", "keyname"]

# Android KeyEvent.KEYCODE_* names (the subset a TV remote, HA and the integration use).
KEYCODES: dict[str, int] = {
    "UNKNOWN": 0,
    "SOFT_LEFT": 1,
    "SOFT_RIGHT": 2,
    "HOME": 3,
    "BACK": 4,
    "CALL": 5,
    "ENDCALL": 6,
    **{str(d): 7 + d for d in range(10)},
    "STAR": 17,
    "POUND": 18,
    "DPAD_UP": 19,
    "DPAD_DOWN": 20,
    "DPAD_LEFT": 21,
    "DPAD_RIGHT": 22,
    "DPAD_CENTER": 23,
    "VOLUME_UP": 24,
    "VOLUME_DOWN": 25,
    "POWER": 26,
    "CAMERA": 27,
    "CLEAR": 28,
    **{chr(ord("A") + i): 29 + i for i in range(26)},
    "COMMA": 55,
    "PERIOD": 56,
    "TAB": 61,
    "SPACE": 62,
    "ENTER": 66,
    "DEL": 67,
    "MENU": 82,
    "NOTIFICATION": 83,
    "SEARCH": 84,
    "MEDIA_PLAY_PAUSE": 85,
    "MEDIA_STOP": 86,
    "MEDIA_NEXT": 87,
    "MEDIA_PREVIOUS": 88,
    "MEDIA_REWIND": 89,
    "MEDIA_FAST_FORWARD": 90,
    "MUTE": 91,
    "PAGE_UP": 92,
    "PAGE_DOWN": 93,
    "BUTTON_A": 96,
    "BUTTON_B": 97,
    "ESCAPE": 111,
    "FORWARD_DEL": 112,
    "MOVE_HOME": 122,
    "MOVE_END": 123,
    "MEDIA_PLAY": 126,
    "MEDIA_PAUSE": 127,
    **{f"F{i}": 130 + i for i in range(1, 13)},
    "NUMPAD_ENTER": 160,
    "VOLUME_MUTE": 164,
    "INFO": 165,
    "CHANNEL_UP": 166,
    "CHANNEL_DOWN": 167,
    "ZOOM_IN": 168,
    "ZOOM_OUT": 169,
    "TV": 170,
    "WINDOW": 171,
    "GUIDE": 172,
    "DVR": 173,
    "BOOKMARK": 174,
    "CAPTIONS": 175,
    "SETTINGS": 176,
    "TV_POWER": 177,
    "TV_INPUT": 178,
    "PROG_RED": 183,
    "PROG_GREEN": 184,
    "PROG_YELLOW": 185,
    "PROG_BLUE": 186,
    "APP_SWITCH": 187,
    "LANGUAGE_SWITCH": 204,
    "MANNER_MODE": 205,
    "3D_MODE": 206,
    "CONTACTS": 207,
    "CALENDAR": 208,
    "MUSIC": 209,
    "ASSIST": 219,
    "BRIGHTNESS_DOWN": 220,
    "BRIGHTNESS_UP": 221,
    "MEDIA_AUDIO_TRACK": 222,
    "SLEEP": 223,
    "WAKEUP": 224,
    "PAIRING": 225,
    "MEDIA_TOP_MENU": 226,
    "LAST_CHANNEL": 229,
    "TV_INPUT_COMPONENT_1": 249,
    "TV_INPUT_COMPONENT_2": 250,
    "TV_INPUT_COMPOSITE_1": 247,
    "TV_INPUT_COMPOSITE_2": 248,
    "TV_INPUT_HDMI_1": 243,
    "TV_INPUT_HDMI_2": 244,
    "TV_INPUT_HDMI_3": 245,
    "TV_INPUT_HDMI_4": 246,
    "TV_INPUT_VGA_1": 251,
    "VOICE_ASSIST": 231,
    "HELP": 259,
    "NAVIGATE_PREVIOUS": 260,
    "NAVIGATE_NEXT": 261,
    "SOFT_SLEEP": 276,
    "ALL_APPS": 284,
}
_NAMES = {code: name for name, code in KEYCODES.items()}


def keycode(key: int | str) -> int | None:
    """``26``, ``"26"``, ``"POWER"`` or ``"KEYCODE_POWER"`` → 26; ``None`` if unknown."""
    if isinstance(key, int):
        return key
    text = key.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    name = text.upper()
    name = name.removeprefix("KEYCODE_")
    return KEYCODES.get(name)


def keyname(code: int) -> str:
    """``26`` → ``"KEYCODE_POWER"``; a code without a name → ``"2100"``."""
    return f"KEYCODE_{_NAMES[code]}" if code in _NAMES else str(code)


@dataclass(frozen=True, slots=True)
class KeyEvent:
    """One key the projector received, as logged in :attr:`DeviceModel.key_log`."""

    code: int
    name: str
    action: str
    """What the profile maps the key to (``power``, ``source_menu``, ``none``…)."""
    state: str
    """The power state when it arrived."""
    handled: bool
    """False when the key was ignored (standby, booting) or only woke the light (关屏)."""
    longpress: bool = False
    time: float = 0.0
