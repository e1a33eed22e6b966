"""What the projector is: parsed once at first connect from one shell round trip.

The raw outputs are kept (:attr:`DeviceInfo.captures`) so that diagnostics can
hand them to the simulator as a new firmware profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import re
from typing import Any

from .families import Family, FamilyTraits, HdmiMethod, detect_family, traits_for
from .state import section_command, split_sections

PROBE_SECTIONS: Mapping[str, str] = {
    "getprop": "getprop",
    "pm list packages": "pm list packages",
}
"""Section name (the command itself, so a capture names what produced it) → command."""

PROBE_COMMAND = section_command(PROBE_SECTIONS)

CAPTURE_SECTIONS: Mapping[str, str] = {
    "getprop": "getprop",
    "pm list packages": "pm list packages",
    "dumpsys power": "dumpsys power",
    "dumpsys window windows": "dumpsys window windows",
    "dumpsys activity activities": "dumpsys activity activities",
    "dumpsys audio": "dumpsys audio",
    "dumpsys media_session": "dumpsys media_session",
}
"""Everything a new simulator profile is built from (see simulator/profiles/README.md)."""

CAPTURE_COMMAND = section_command(CAPTURE_SECTIONS)

_PROP = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$")
_PACKAGE = re.compile(r"^package:(\S+)(?:\s+\S+=\S*)*$")
"""``package:<name>``, with the ``installer=…``/``uid:`` style suffixes of ``-i``/``-U``."""


def parse_getprop(text: str) -> dict[str, str]:
    """``[key]: [value]`` lines of ``getprop`` → dict."""
    props: dict[str, str] = {}
    for line in text.splitlines():
        match = _PROP.match(line.strip())
        if match is not None:
            props[match.group(1)] = match.group(2)
    return props


def parse_packages(text: str) -> frozenset[str]:
    """``package:<name>`` lines of ``pm list packages`` → set."""
    found = (_PACKAGE.match(line.strip()) for line in text.splitlines())
    return frozenset(match.group(1) for match in found if match is not None)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """The projector's identity and capabilities."""

    serial: str | None
    model: str
    manufacturer: str
    device: str
    android_version: str
    sdk: int
    firmware: str
    family: Family
    traits: FamilyTraits
    adb_secure: bool
    packages: frozenset[str]
    props: Mapping[str, str] = field(repr=False)
    captures: Mapping[str, str] = field(repr=False)
    model_name: str | None = None
    """The name people know (``XGIMI Z6X Pro 三色激光 旗舰版``), when the firmware says it;
    :attr:`model` stays what it always was (an internal code such as ``G0073``)."""
    model_code: str | None = None
    """XGIMI's internal model code (``ro.boot.xgimi.modelname``), e.g. ``G0073``."""

    @property
    def hdmi_method(self) -> HdmiMethod | None:
        return self.traits.hdmi_method

    @property
    def display_name(self) -> str:
        """What to show a person: :attr:`model_name`, else :attr:`model`."""
        return self.model_name or self.model

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able summary (no raw captures) that :meth:`from_dict` restores."""
        return {
            "serial": self.serial,
            "model": self.model,
            "manufacturer": self.manufacturer,
            "device": self.device,
            "android_version": self.android_version,
            "sdk": self.sdk,
            "firmware": self.firmware,
            "family": self.family.value,
            "adb_secure": self.adb_secure,
            "packages": sorted(self.packages),
            "model_name": self.model_name,
            "model_code": self.model_code,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceInfo:
        """Rebuild from :meth:`as_dict` output (e.g. stored in a config entry); a dict stored
        before ``model_name``/``model_code`` existed loads with them None."""
        try:
            family = Family(data.get("family", Family.UNKNOWN))
        except ValueError:
            family = Family.UNKNOWN
        packages = frozenset(str(p) for p in data.get("packages", ()))
        return cls(
            serial=data.get("serial"),
            model=str(data.get("model", "XGIMI projector")),
            manufacturer=str(data.get("manufacturer", "XGIMI")),
            device=str(data.get("device", "")),
            android_version=str(data.get("android_version", "")),
            sdk=_int(str(data.get("sdk", ""))),
            firmware=str(data.get("firmware", "")),
            family=family,
            traits=traits_for(family, packages),
            adb_secure=bool(data.get("adb_secure", True)),
            packages=packages,
            props={},
            captures={},
            model_name=_optional(data.get("model_name")),
            model_code=_optional(data.get("model_code")),
        )


def _optional(value: object) -> str | None:
    return str(value) if value else None


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


_GENERIC_MODELS = frozenset({"XGIMI TV", "XGIMI_TV", "XGIMI projector"})
"""What XGIMI firmwares put in ``ro.product.model``: the brand, not the model."""
_MODEL_NAME_PROPS = ("xgimi.bt.name", "ro.product.marketname")
"""Where the name people know is found (docs/xgimi.md §7): ``xgimi.bt.name`` is the
Bluetooth name, e.g. ``XGIMI Z6X Pro 三色激光 旗舰版`` on a Z6X Pro whose
``ro.product.model`` is ``XGIMI TV``."""
_RELEASE_PROPS = (
    "ro.product.build.version.release",
    "ro.system.build.version.release",
    "ro.build.version.release",
)
_SDK_RELEASE: Mapping[int, str] = {
    21: "5.0",
    22: "5.1",
    23: "6.0",
    24: "7.0",
    25: "7.1",
    26: "8.0",
    27: "8.1",
    28: "9",
    29: "10",
    30: "11",
    31: "12",
    32: "12L",
    33: "13",
    34: "14",
    35: "15",
    36: "16",
}
"""The Android release of each SDK level (https://source.android.com/docs/setup/reference/build-numbers)."""


def model_name(props: Mapping[str, str]) -> str | None:
    """The model name people know, or None when the firmware does not say it."""
    for key in _MODEL_NAME_PROPS:
        value = props.get(key, "").strip()
        if value:
            return value
    model = props.get("ro.product.model", "").strip()
    if model and model not in _GENERIC_MODELS:
        return model
    return None


def android_version(props: Mapping[str, str]) -> str:
    """The Android release, trusting the SDK level over a vendor's release string.

    ``ro.build.version.sdk`` is what apps are built against and cannot be dressed up; a
    release string is taken only when its major version agrees with it (a box that says
    ``15.0`` on SDK 29 is Android 10). Without a known SDK, the first release string.
    """
    sdk = _int(props.get("ro.build.version.sdk"))
    releases = [props[key].strip() for key in _RELEASE_PROPS if props.get(key, "").strip()]
    expected = _SDK_RELEASE.get(sdk)
    if expected is None:
        return releases[0] if releases else ""
    major = expected.split(".")[0].rstrip("L")
    for release in releases:
        if release.split(".")[0] == major:
            return release
    return expected


def device_info(
    props: Mapping[str, str], packages: frozenset[str], captures: Mapping[str, str]
) -> DeviceInfo:
    """Identity and capabilities from ``getprop`` and ``pm list packages``."""
    sdk = _int(props.get("ro.build.version.sdk"))
    family = detect_family(sdk, packages, props)
    serial = props.get("ro.serialno") or props.get("ro.boot.serialno") or None
    code = props.get("ro.boot.xgimi.modelname") or props.get("ro.xgimi.modelname") or None
    model = (
        props.get("ro.boot.xgimi.modelname")
        or props.get("ro.product.model")
        or props.get("ro.product.name")
        or "XGIMI projector"
    )
    return DeviceInfo(
        serial=serial,
        model=model,
        manufacturer=props.get("ro.product.manufacturer") or "XGIMI",
        device=props.get("ro.product.device", ""),
        android_version=android_version(props),
        sdk=sdk,
        firmware=props.get("ro.build.display.id")
        or props.get("ro.build.version.incremental")
        or "",
        family=family,
        traits=traits_for(family, packages),
        adb_secure=props.get("ro.adb.secure", "1") != "0",
        packages=packages,
        props=props,
        captures=captures,
        model_name=model_name(props),
        model_code=code,
    )


def parse_probe(output: str) -> DeviceInfo:
    """Parse the output of :data:`PROBE_COMMAND` (or :data:`CAPTURE_COMMAND`)."""
    sections = split_sections(output)
    props = parse_getprop(sections.get("getprop", ""))
    packages = parse_packages(sections.get("pm list packages", ""))
    return device_info(props, packages, sections)
