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
_PACKAGE = re.compile(r"^package:(\S+)$")


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

    @property
    def hdmi_method(self) -> HdmiMethod | None:
        return self.traits.hdmi_method

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
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceInfo:
        """Rebuild from :meth:`as_dict` output (e.g. stored in a config entry)."""
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
        )


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


def parse_probe(output: str) -> DeviceInfo:
    """Parse the output of :data:`PROBE_COMMAND` (or :data:`CAPTURE_COMMAND`)."""
    sections = split_sections(output)
    props = parse_getprop(sections.get("getprop", ""))
    packages = parse_packages(sections.get("pm list packages", ""))
    sdk = _int(props.get("ro.build.version.sdk"))
    family = detect_family(sdk, packages)
    serial = props.get("ro.serialno") or props.get("ro.boot.serialno") or None
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
        android_version=props.get("ro.build.version.release", ""),
        sdk=sdk,
        firmware=props.get("ro.build.display.id") or props.get("ro.build.version.incremental", ""),
        family=family,
        traits=traits_for(family, packages),
        adb_secure=props.get("ro.adb.secure", "1") != "0",
        packages=packages,
        props=props,
        captures=sections,
    )
