"""Captures from a real projector (the integration's diagnostics) → profile data."""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
import json
import re
from typing import Any

from .spec import PROFILES_DIR, ProfileError

__all__ = ["CAPTURE_FORMAT", "INTEGRATION_DOMAIN", "find_capture", "profile_data_from_capture"]

CAPTURE_FORMAT = "xgimi-capture/1"
"""``{"format": CAPTURE_FORMAT, "description": …, "captures": {"getprop": <raw output>, …}}``."""

_GETPROP_LINE = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$")
_SYSTEM_PREFIXES = (
    "android",
    "com.android.",
    "com.google.android.",
    "com.xgimi.",
    "com.mediatek.",
    "com.mstar.",
    "com.hisilicon.",
    "com.huawei.",
    "mediatek.",
)


INTEGRATION_DOMAIN = "xgimi_projector"
"""The integration whose diagnostics hold a capture."""

_HA_DOWNLOAD_KEYS = frozenset({"home_assistant", "integration_manifest", "custom_components"})
"""Keys Home Assistant puts beside ``data`` in a diagnostics download."""


def _diagnostics_body(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The integration's diagnostics inside a file Home Assistant served, else ``None``.

    Home Assistant's download (``/api/diagnostics/config_entry/<entry_id>``, and the same with
    ``/device/<device_id>``) wraps the integration's diagnostics under ``data``, beside
    ``home_assistant``, ``custom_components``, ``integration_manifest`` and ``setup_times``.
    """
    if "data" not in data or not _HA_DOWNLOAD_KEYS & data.keys():
        return None
    manifest = data.get("integration_manifest")
    domain = manifest.get("domain") if isinstance(manifest, dict) else None
    if domain and domain != INTEGRATION_DOMAIN:
        raise ProfileError(
            f"these are diagnostics of the '{domain}' integration, not of {INTEGRATION_DOMAIN}"
        )
    body = data["data"]
    if not isinstance(body, dict):
        raise ProfileError("these diagnostics have no 'data' object")
    return body


def find_capture(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The capture in a profile file, or ``None`` for an ordinary profile.

    Accepted as they are: the bare capture object, the integration's diagnostics (the capture
    is their ``simulator_profile``), and the file Home Assistant serves for a config entry or a
    device (the integration's diagnostics under ``data``).
    """
    if data.get("format") == CAPTURE_FORMAT:
        return data
    body = _diagnostics_body(data)
    nested = (data if body is None else body).get("simulator_profile")
    if isinstance(nested, dict):
        if nested.get("format") == CAPTURE_FORMAT:
            return nested
        if "error" in nested:
            raise ProfileError(f"these diagnostics hold no capture: {nested['error']}")
    if body is not None:
        raise ProfileError(
            "these diagnostics hold no capture ('simulator_profile'): download them again "
            "while the projector is on"
        )
    return None


_TEMPLATE_SETS = (
    (27, "android8"),
    (28, "android9"),
    (29, "android10"),
    (30, "android11"),
    (32, "android12"),
    (33, "android13"),
)
"""``(highest SDK level, template set)``; anything newer prints what ``android14`` prints."""


def _template_set_for(sdk: int) -> str:
    """The shipped template set that prints what this Android version prints."""
    for top, name in _TEMPLATE_SETS:
        if sdk <= top:
            return name
    return "android14"


def _nearest_profile(family: str, sdk: int) -> str:
    """The bundled profile of ``family`` nearest in SDK level (the newer one on a tie)."""
    ranked = []
    for path in sorted(PROFILES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("family") != family:
            continue
        theirs = int(data["props"]["ro.build.version.sdk"])
        ranked.append((abs(theirs - sdk), -theirs, path.stem))
    return min(ranked)[2]


def _templated_power(text: str) -> list[str]:
    text = text.replace("\r\n", "\n")
    text = re.sub(r"mWakefulness=\w+", "mWakefulness={wakefulness}", text)
    text = re.sub(r"Display Power: state=\w+", "Display Power: state={display_state}", text)
    text = re.sub(
        r"Wake Locks: size=\d+\n(?:  \S.*\n)*",
        "Wake Locks: size={wake_lock_count}\n{wake_locks}\n",
        text if text.endswith("\n") else text + "\n",
    )
    return text.rstrip("\n").split("\n")


def profile_data_from_capture(capture: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Profile data for a captured projector.

    Identity (all properties), installed packages, ``dumpsys power`` text and the volume range
    come from the capture; behaviour the capture cannot show (HDMI intents, source menu, keys)
    is borrowed from the bundled profile of the same family closest in Android version.
    """
    captures = capture.get("captures")
    if not isinstance(captures, dict):
        raise ProfileError("capture has no 'captures' object")
    props: dict[str, str] = {}
    for line in str(captures.get("getprop", "")).splitlines():
        match = _GETPROP_LINE.match(line.strip())
        if match:
            props[match.group(1)] = match.group(2)
    if "ro.build.version.sdk" not in props:
        raise ProfileError("capture has no usable 'getprop' output")
    packages = {
        line.strip()[len("package:") :]
        for line in str(captures.get("pm list packages", "")).splitlines()
        if line.strip().startswith("package:")
    }
    try:
        sdk = int(props["ro.build.version.sdk"])
    except ValueError as err:
        raise ProfileError("capture's ro.build.version.sdk is not a number") from err
    if "com.google.android.apps.tv.launcherx" in packages:
        family = "googletv"
    elif "com.google.android.tvlauncher" in packages:
        family = "androidtv"
    else:
        family = "gmui"
    base_name = _nearest_profile(family, sdk)
    base = json.loads((PROFILES_DIR / f"{base_name}.json").read_text(encoding="utf-8"))

    serial = props.get("ro.serialno", "")
    if not serial or "REDACTED" in serial:
        digest = hashlib.sha256(json.dumps(captures, sort_keys=True).encode()).hexdigest()
        serial = "CAP" + digest[:11].upper()
        for key in ("ro.serialno", "ro.boot.serialno"):
            props[key] = serial
    props.setdefault("ro.product.model", "")
    props.setdefault("ro.build.version.release", str(sdk))

    base_packages: dict[str, Any] = base["packages"]
    needed = {
        str(base["launcher"]).partition("/")[0],
        str(base["hdmi"]["player"]).partition("/")[0],
        str(base["source_menu"]["component"]).partition("/")[0],
        *base.get("persistent", ()),
    }
    merged: dict[str, Any] = {}
    for pkg in sorted(packages | needed) if packages else sorted(base_packages):
        if pkg in base_packages:
            merged[pkg] = base_packages[pkg]
        elif pkg.startswith(_SYSTEM_PREFIXES):
            merged[pkg] = {"label": pkg, "system": True}
        else:  # a user app: assume a launcher activity so it can be started
            merged[pkg] = {"label": pkg, "activities": {".MainActivity": {"main": True}}}

    data = dict(base)
    data.update(
        {
            "name": name,
            "family": family,
            "description": f"{capture.get('description', 'Captured projector')}. Imported from a "
            f"{CAPTURE_FORMAT} capture: properties, packages, dumpsys power and the volume range "
            f"are the real device's; HDMI, source menu and keys are borrowed from '{base_name}'.",
            "templates": _template_set_for(sdk),
            "props": props,
            "packages": merged,
            "adb": {
                "protocol_version": "0x01000001" if sdk >= 28 else "0x01000000",
                "max_payload": 1048576 if sdk >= 28 else 4096,
                "features": base["adb"]["features"],
            },
            "outputs": [],
            "capture": dict(captures),
        }
    )
    power = captures.get("dumpsys power")
    if isinstance(power, str) and "mWakefulness=" in power:
        data["outputs"].append(
            {
                "id": "dumpsys_power",
                "match": "^dumpsys power( .*)?$",
                "lines": _templated_power(power),
            }
        )
    audio = captures.get("dumpsys audio")
    if isinstance(audio, str):
        found = re.search(r"- STREAM_MUSIC:.*?Max: (\d+)", audio, re.DOTALL)
        if found:
            data["volume_max"] = int(found.group(1))
            data["volume_default"] = min(int(base.get("volume_default", 8)), int(found.group(1)))
    return data
