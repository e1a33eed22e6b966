"""What diagnostics may reveal: allow-listed properties, and addresses and names masked.

A diagnostics download is meant to be shared in a public issue. The raw captures (``getprop``,
``dumpsys …``) hold Wi-Fi and Bluetooth MAC addresses, the DHCP address, network and device names
and serial numbers besides what a simulator profile needs. So:

* ``getprop`` keeps only the properties a profile needs (:data:`ALLOWED_PROPS` and
  :data:`ALLOWED_PREFIXES`), minus those known to hold names or numbers of this unit;
* every capture then has MAC addresses, IPv4/IPv6 addresses (but loopback and "any"), Wi-Fi
  network names and the given secrets (serial, host) replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
import re

REDACTED = "**REDACTED**"

ALLOWED_PROPS = frozenset(
    {
        "ro.adb.secure",
        "ro.secure",
        "ro.debuggable",
        "ro.hardware",
        "ro.board.platform",
        "ro.soc.manufacturer",
        "ro.soc.model",
        "ro.sf.lcd_density",
        "ro.serialno",
        "ro.boot.serialno",
        "persist.adb.tcp.port",
        "service.adb.tcp.port",
        "persist.sys.hdmi.bootsource",
        "persist.sys.locale",
        "xgimi.bt.name",
        "sys.boot_completed",
        "dev.bootcomplete",
        "init.svc.adbd",
    }
)
"""Single properties a simulator profile and the family detection read (serials are masked)."""

ALLOWED_PREFIXES = (
    "ro.build.",
    "ro.product.",
    "ro.system.build.",
    "ro.vendor.build.",
    "ro.boot.xgimi.",
    "ro.xgimi.",
)

NAME_PROPS = frozenset(
    {
        "persist.sys.device_name",
        "ro.product.name_custom",
        "net.hostname",
    }
)
"""Properties known to hold a name a person gave the device (never shown)."""

SERIAL_PROPS = frozenset({"ro.serialno", "ro.boot.serialno", "ro.serial", "persist.sys.serialno"})

_PROP_LINE = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$")
_MAC = re.compile(r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:)+:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?)(?![0-9A-Fa-f:])"
)
"""Full and ``::``-shortened IPv6 addresses (not ``12:34:56`` times: those have 3 groups)."""
_SSID = re.compile(r"(?i)(\b(?:ssid|wifi_?name|network_?name)\b\s*[=:]\s*)(\"[^\"]*\"|\S+)")
_KEEP_IPV4 = frozenset({"127.0.0.1", "0.0.0.0", "255.255.255.255"})  # noqa: S104 - not a bind


def allowed_prop(key: str) -> bool:
    """Whether a property may appear in diagnostics."""
    if key in NAME_PROPS:
        return False
    return key in ALLOWED_PROPS or key.startswith(ALLOWED_PREFIXES)


def redact_getprop(text: str) -> str:
    """``getprop`` output with only the allowed properties (each line as printed)."""
    kept = []
    for line in text.splitlines():
        match = _PROP_LINE.match(line.strip())
        if match is not None and allowed_prop(match.group(1)):
            masked = match.group(1) in SERIAL_PROPS and match.group(2)
            kept.append(f"[{match.group(1)}]: [{REDACTED}]" if masked else line)
    return "\n".join(kept) + ("\n" if kept else "")


def _ipv4(match: re.Match[str]) -> str:
    address = match.group(0)
    if address in _KEEP_IPV4 or any(int(part) > 255 for part in match.groups()):
        return address  # loopback/any, or not an address (a version number, a size)
    return REDACTED


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask addresses, network names and the given secrets anywhere in ``text``."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _MAC.sub(REDACTED, text)
    text = _IPV6.sub(REDACTED, text)
    text = _IPV4.sub(_ipv4, text)
    return _SSID.sub(lambda m: m.group(1) + REDACTED, text)


def redact_captures(captures: dict[str, str], secrets: Iterable[str]) -> dict[str, str]:
    """Every capture section redacted; ``getprop`` also filtered by the allow-list."""
    secrets = list(secrets)
    return {
        name: redact_text(redact_getprop(text) if name == "getprop" else text, secrets)
        for name, text in captures.items()
    }
