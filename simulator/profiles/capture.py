"""Captures from a real projector (the integration's diagnostics) → profile data."""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
import json
import re
from typing import Any

from .spec import PROFILES_DIR, ProfileError

__all__ = ["CAPTURE_FORMAT", "find_capture", "profile_data_from_capture"]

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


def find_capture(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if data.get("format") == CAPTURE_FORMAT:
        return data
    nested = data.get("simulator_profile")
    if isinstance(nested, dict):
        if nested.get("format") == CAPTURE_FORMAT:
            return nested
        if "error" in nested:
            raise ProfileError(f"these diagnostics hold no capture: {nested['error']}")
    return None


def _template_set_for(sdk: int) -> str:
    if sdk <= 27:
        return "android8"
    if sdk == 28:
        return "android9"
    if sdk <= 30:
        return "android10"
    return "android12"


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
        family, base_name = "googletv", "googletv"
    elif "com.google.android.tvlauncher" in packages:
        family, base_name = "androidtv", "androidtv10"
    else:
        family = "gmui"
        base_name = (
            "gmui_android8" if sdk <= 27 else "gmui_android9" if sdk == 28 else "gmui_android12"
        )
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
