"""XGIMI firmware families and what each can do (docs/xgimi.md §0, §2.5).

A family is detected once, at probe time, from ``getprop`` and the installed
packages. Everything that differs between firmwares (how to switch HDMI, how to
power off, which activity is the HDMI player) is data here, not branches elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import enum


class Family(enum.StrEnum):
    """Firmware family."""

    GMUI_ANDROID8 = "gmui_android8"
    """China GMUI on Android 8 (Z6X 4th gen XK03U, H3)."""
    GMUI_ANDROID9 = "gmui_android9"
    """China GMUI on Android 9 (Z7X): no direct HDMI switch, only the source menu."""
    GMUI_ANDROID12 = "gmui_android12"
    """China GMUI on Android 12 (Z6X Pro): HDMI via ``com.xgimi.tvinput``."""
    ANDROID_TV = "androidtv"
    """Global Android TV (Horizon Pro, Android 10)."""
    GOOGLE_TV = "googletv"
    """Global Google TV (Android 12+, MediaTek)."""
    LEGACY = "legacy"
    """An XGIMI on Android 5–7 (H1S: Android 5.1, sdk 22): older than every family above.
    Not supported: keys and apps only, like :attr:`UNKNOWN`."""
    UNKNOWN = "unknown"
    """Android, but no XGIMI family matched: keys and apps only."""


class HdmiMethod(enum.StrEnum):
    """How a family switches to an HDMI input."""

    XHPLAYER_LAUNCHER_SOURCE = "xhplayer_launcher_source"
    XHPLAYER_SW = "xhplayer_sw"
    TVINPUT = "tvinput"
    PASSTHROUGH = "passthrough"
    SOURCE_MENU = "source_menu"
    """Only the source menu (key 2102) can be opened; no direct switch."""


HDMI_INPUTS: tuple[str, ...] = ("HDMI1", "HDMI2")

_GOOGLE_TV_HDMI_URI = (
    "content://android.media.tv/passthrough/com.mediatek.tis%2F.HdmiInputService%2FHW{hw}"
)

# Every argv here is fixed text: the only variable part is the HDMI input, which
# comes from HDMI_INPUTS, never from a caller's string.
_HDMI_COMMANDS: dict[HdmiMethod, str] = {
    HdmiMethod.XHPLAYER_LAUNCHER_SOURCE: (
        "am start -a com.xgimi.action.hdmiPlayer -n com.xgimi.xhplayer/.InputActivity "
        "--es launcher_start_source {input}"
    ),
    HdmiMethod.XHPLAYER_SW: (
        "am start -a com.xgimi.action.hdmiPlayer "
        "-n com.xgimi.xhplayer/com.xgimi.xhplayer.InputActivity --es sw {input}"
    ),
    HdmiMethod.TVINPUT: (
        "am start -a com.xgimi.action.hdmiPlayer -p com.xgimi.tvinput "
        "--es launcher_start_source {input}"
    ),
    HdmiMethod.PASSTHROUGH: (
        "am start -n com.google.android.tv.inputplayer/.player.PassthroughPlayerActivity "
        "-a android.intent.action.VIEW -d " + _GOOGLE_TV_HDMI_URI
    ),
}

# HW port of each HDMI input on the Google TV MediaTek builds (HW2 = HDMI1).
_PASSTHROUGH_HW: dict[str, int] = {"HDMI1": 2, "HDMI2": 3}

AWAKE_GUARD = "dumpsys power | grep -qE 'mWakefulness=(Awake|Dreaming)'"
"""Android is interactive (awake, or showing its screensaver), so POWER puts it to sleep;
while Asleep or Dozing, POWER would wake it instead."""


@dataclass(frozen=True, slots=True)
class FamilyTraits:
    """What the library needs to know about a family."""

    family: Family
    hdmi_method: HdmiMethod | None
    launcher_packages: frozenset[str]
    hdmi_packages: frozenset[str]
    """Foreground packages that mean "an HDMI input is showing"."""
    source_menu_packages: frozenset[str]
    power_off_command: str

    @property
    def direct_hdmi(self) -> bool:
        """True when HDMI1/HDMI2 can be selected with one intent."""
        return self.hdmi_method not in (None, HdmiMethod.SOURCE_MENU)

    def hdmi_command(self, hdmi_input: str) -> str:
        """The shell command that switches to ``hdmi_input`` (one of :data:`HDMI_INPUTS`)."""
        if self.hdmi_method is None or self.hdmi_method is HdmiMethod.SOURCE_MENU:
            raise ValueError(f"{self.family} has no direct HDMI switch")
        if hdmi_input not in HDMI_INPUTS:
            raise ValueError(hdmi_input)
        template = _HDMI_COMMANDS[self.hdmi_method]
        return template.format(input=hdmi_input, hw=_PASSTHROUGH_HW[hdmi_input])


_GMUI_LAUNCHERS = frozenset({"com.xgimi.home"})
_ATV_LAUNCHERS = frozenset({"com.google.android.tvlauncher", "com.google.android.leanbacklauncher"})
_GTV_LAUNCHERS = frozenset({"com.google.android.apps.tv.launcherx"})
_MENU_GMUI = frozenset(
    {"com.xgimi.newsettings", "com.android.newsettings", "com.xgimi.signalsource"}
)
_MENU_ATV = frozenset({"com.google.android.tv.inputplayer"})

# POWER toggles, so it is only pressed while Android is awake; SLEEP is idempotent.
_POWER_TOGGLE_OFF = AWAKE_GUARD + " && input keyevent 26"
_SLEEP = "input keyevent 223"

TRAITS: Mapping[Family, FamilyTraits] = {
    Family.GMUI_ANDROID8: FamilyTraits(
        Family.GMUI_ANDROID8,
        HdmiMethod.XHPLAYER_LAUNCHER_SOURCE,
        _GMUI_LAUNCHERS,
        frozenset({"com.xgimi.xhplayer"}),
        _MENU_GMUI,
        _POWER_TOGGLE_OFF,
    ),
    Family.GMUI_ANDROID9: FamilyTraits(
        Family.GMUI_ANDROID9,
        HdmiMethod.SOURCE_MENU,
        _GMUI_LAUNCHERS,
        frozenset({"com.xgimi.xhplayer", "com.xgimi.tvplayer"}),
        _MENU_GMUI,
        _POWER_TOGGLE_OFF,
    ),
    Family.GMUI_ANDROID12: FamilyTraits(
        Family.GMUI_ANDROID12,
        HdmiMethod.TVINPUT,
        _GMUI_LAUNCHERS,
        frozenset({"com.xgimi.tvinput"}),
        _MENU_GMUI,
        _POWER_TOGGLE_OFF,
    ),
    Family.ANDROID_TV: FamilyTraits(
        Family.ANDROID_TV,
        HdmiMethod.XHPLAYER_SW,
        _ATV_LAUNCHERS,
        frozenset({"com.xgimi.xhplayer"}),
        frozenset({"com.google.android.tvlauncher.inputs"}),
        _SLEEP,
    ),
    Family.GOOGLE_TV: FamilyTraits(
        Family.GOOGLE_TV,
        HdmiMethod.PASSTHROUGH,
        _GTV_LAUNCHERS,
        frozenset({"com.google.android.tv.inputplayer"}),
        _MENU_ATV,
        _SLEEP,
    ),
    Family.LEGACY: FamilyTraits(
        Family.LEGACY,
        None,
        _GMUI_LAUNCHERS,
        frozenset(),
        frozenset(),
        _POWER_TOGGLE_OFF,
    ),
    Family.UNKNOWN: FamilyTraits(
        Family.UNKNOWN,
        None,
        _GMUI_LAUNCHERS | _ATV_LAUNCHERS | _GTV_LAUNCHERS,
        frozenset(),
        frozenset(),
        _SLEEP,
    ),
}


_XGIMI_PACKAGE_PREFIX = "com.xgimi."
_XGIMI_PROP_PREFIXES = ("ro.xgimi.", "ro.boot.xgimi.", "persist.xgimi.", "persist.sys.xgimi.")
_XGIMI_PROPS = ("xgimi.bt.name", "ro.build.xgimi.ismultilanguage")
_FIRST_SUPPORTED_SDK = 26
"""Android 8.0: the oldest firmware any family was seen on (docs/xgimi.md §0)."""


def is_xgimi(packages: frozenset[str], props: Mapping[str, str]) -> bool:
    """XGIMI firmware: any ``com.xgimi.*`` package or any XGIMI property.

    The launcher ``com.xgimi.home`` alone is not enough: owners uninstall it (a Z6X Pro
    with Projectivy has no ``com.xgimi.home`` but 55 other ``com.xgimi.*`` packages).
    """
    if any(package.startswith(_XGIMI_PACKAGE_PREFIX) for package in packages):
        return True
    if any(key in props for key in _XGIMI_PROPS):
        return True
    return any(key.startswith(_XGIMI_PROP_PREFIXES) for key in props)


def detect_family(
    sdk: int, packages: frozenset[str], props: Mapping[str, str] | None = None
) -> Family:
    """Pick the family from the SDK level, the installed packages and the properties.

    Google's TV launchers mark the global firmwares; any other XGIMI firmware is GMUI,
    told apart by its SDK level. An XGIMI older than Android 8 is :attr:`Family.LEGACY`.
    """
    props = props or {}
    if packages & _GTV_LAUNCHERS or "com.google.android.tv.inputplayer" in packages:
        return Family.GOOGLE_TV
    if packages & _ATV_LAUNCHERS:
        return Family.ANDROID_TV
    if packages & _GMUI_LAUNCHERS or is_xgimi(packages, props):
        if 0 < sdk < _FIRST_SUPPORTED_SDK:
            return Family.LEGACY
        if sdk >= 31:
            return Family.GMUI_ANDROID12
        if sdk >= 28:
            return Family.GMUI_ANDROID9
        return Family.GMUI_ANDROID8
    return Family.UNKNOWN


def traits_for(family: Family, packages: frozenset[str]) -> FamilyTraits:
    """The family's traits, downgraded when the HDMI player it needs is missing."""
    traits = TRAITS[family]
    needs = {
        HdmiMethod.XHPLAYER_LAUNCHER_SOURCE: "com.xgimi.xhplayer",
        HdmiMethod.XHPLAYER_SW: "com.xgimi.xhplayer",
        HdmiMethod.TVINPUT: "com.xgimi.tvinput",
        HdmiMethod.PASSTHROUGH: "com.google.android.tv.inputplayer",
    }
    method = traits.hdmi_method
    if method is not None and method in needs and needs[method] not in packages:
        fallback = HdmiMethod.SOURCE_MENU if family is not Family.UNKNOWN else None
        return FamilyTraits(
            traits.family,
            fallback,
            traits.launcher_packages,
            traits.hdmi_packages,
            traits.source_menu_packages,
            traits.power_off_command,
        )
    return traits


def volume_command(sdk: int, level: int) -> str:
    """Set STREAM_MUSIC to ``level`` (``media`` before Android 11, then ``cmd media_session``)."""
    tool = "cmd media_session" if sdk >= 30 else "media"
    return f"{tool} volume --show --stream 3 --set {int(level)}"
