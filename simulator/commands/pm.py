"""``pm`` / ``cmd package``: list packages, path, resolve-activity, dump, list features."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..activities import apk_path
from ..backend import ShellResult
from ..intents import parse_intent
from .common import err, ok, strip_user

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["pm"]

_FEATURES = (
    "feature:android.software.leanback\n"
    "feature:android.software.live_tv\n"
    "feature:android.hardware.hdmi.cec\n"
)


def pm(device: DeviceModel, args: list[str]) -> ShellResult:
    """``pm …`` and ``cmd package …`` (the same parser)."""
    if not args:
        return err(
            "usage: pm path [--user USER_ID] PACKAGE\n"
            "       pm list packages [-f] [-d] [-e] [-s] [-3] [-i] [-l] [-u] [-U] "
            "[--user USER_ID] [FILTER]",
            1,
        )
    sub, rest = args[0], strip_user(args[1:])
    profile = device.profile
    if sub == "list" and rest[:1] == ["packages"]:
        return _list_packages(device, rest[1:])
    if sub == "path":
        pkgs = [a for a in rest if not a.startswith("-")]
        if pkgs and pkgs[0] in profile.packages:
            return ok(f"package:{apk_path(profile, pkgs[0])}\n")
        return err("", 1)
    if sub == "resolve-activity":
        return _resolve_activity(device, rest)
    if sub == "dump":
        return device.execute(["dumpsys", "package", *rest[:1]])
    if sub == "list" and rest[:1] == ["features"]:
        return ok(_FEATURES)
    return err(f"Unknown command: {sub}", 1)


def _list_packages(device: DeviceModel, args: list[str]) -> ShellResult:
    flags = {a for a in args if a.startswith("-")}
    filters = [a for a in args if not a.startswith("-")]
    lines = []
    for name, spec in sorted(device.profile.packages.items()):
        if "-3" in flags and spec.system:
            continue
        if "-s" in flags and not spec.system:
            continue
        if filters and not any(f in name for f in filters):
            continue
        entry = (
            f"package:{apk_path(device.profile, name)}={name}"
            if "-f" in flags
            else f"package:{name}"
        )
        if "-i" in flags:
            entry += f"  installer={spec.installer or 'null'}"
        if "-U" in flags:
            entry += f" uid:{spec.uid}"
        lines.append(entry)
    return ok("".join(line + "\n" for line in lines))


def _resolve_activity(device: DeviceModel, args: list[str]) -> ShellResult:
    if not device.profile.resolve_activity:
        return err("Unknown command: resolve-activity", 1)
    brief = "--brief" in args
    components = "--components" in args
    intent_args = [a for a in args if a not in ("--brief", "--components")]
    intent = parse_intent(intent_args, start_options=False)
    matches = device.apps.resolve_activities(intent)
    if not matches:
        return ok("No activity found\n")
    spec = matches[0]
    if components:
        return ok(spec.short + "\n")
    head = "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true"
    if brief:
        return ok(f"{head}\n{spec.short}\n")
    pkg = device.profile.packages[spec.package]
    return ok(
        f"{head}\nActivityInfo:\n  name={spec.component.partition('/')[2]}\n"
        f"  packageName={spec.package}\n"
        f"  enabled=true exported={str(spec.exported).lower()} directBootAware=false\n"
        f"  taskAffinity={spec.package} targetActivity=null persistableMode=PERSIST_ROOT_ONLY\n"
        "  launchMode=0 flags=0x0 theme=0x0\n"
        "  screenOrientation=-1 configChanges=0x0 softInputMode=0x0\n"
        f"  ApplicationInfo:\n    name={pkg.label}\n    packageName={spec.package}\n"
        "    labelRes=0x0 nonLocalizedLabel=null icon=0x0\n"
        f"    className=null\n    processName={spec.package}\n"
        f"    taskAffinity={spec.package}\n"
        f"    uid={pkg.uid} flags=0x{0x38C8BE45 if pkg.system else 0x38C83E44:x}\n"
    )
