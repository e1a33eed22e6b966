"""``am`` (start, startservice, broadcast, force-stop, kill-all, stack list …) and ``monkey``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..activities import package_uid
from ..backend import ShellResult
from ..intents import FLAG_ACTIVITY_NEW_TASK, Intent, parse_intent, special_intent
from ..profiles import ActivitySpec, normalize_component
from .common import err, ok, strip_user

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["am", "monkey"]

_STARTSERVICE = frozenset(
    {"startservice", "start-service", "start-foreground-service", "startforegroundservice"}
)
_MONKEY_OPTIONS_WITH_ARG = frozenset(
    {
        "--pct-syskeys",
        "--pct-touch",
        "--pct-motion",
        "--throttle",
        "-s",
        "--pct-nav",
        "--pct-majornav",
        "--pct-appswitch",
        "--pct-anyevent",
    }
)


def am(device: DeviceModel, args: list[str]) -> ShellResult:
    if not args:
        return err(
            "usage: am [subcommand] [options]\n"
            "  start [-D] [-N] [-W] [-P <FILE>] [--start-profiler <FILE>] ... <INTENT>",
            255,
        )
    sub, rest = args[0], args[1:]
    if sub in ("start", "start-activity"):
        return _start(device, rest)
    if sub in _STARTSERVICE:
        return _startservice(device, rest)
    if sub == "broadcast":
        intent = parse_intent(strip_user(rest), kind="broadcast", start_options=False)
        device.intent_log.append(intent)
        special = special_intent(device.profile, intent)
        if special:
            device.apply_effect(special.effect, intent)
        return ok(f"Broadcasting: {intent.describe()}\nBroadcast completed: result=0\n")
    if sub in ("force-stop", "kill"):
        pkgs = [a for a in strip_user(rest) if not a.startswith("-")]
        if not pkgs:
            return err(f"Error: no package specified for {sub}", 255)
        for pkg in pkgs:
            device.force_stop(pkg)
        return ok()
    if sub == "kill-all":
        device.apps.kill_background()
        return ok()
    if sub == "get-current-user":
        return ok("0\n")
    if sub == "stack" and rest[:1] == ["list"]:
        lines = [
            f"Stack id={a.task_id} bounds=[0,0][1920,1080] displayId=0 userId=0\n"
            f"  taskId={a.task_id}: {a.spec.short} bounds=[0,0][1920,1080] userId=0 "
            "visible=true"
            for a in reversed(device.apps.stack)
        ]
        return ok("\n".join(lines) + "\n")
    return err(f"Error: Unknown command: {sub}", 255)


def _unresolved(intent: Intent) -> str:
    return "Error: Activity not started, unable to resolve " + intent.describe(
        flags=intent.flags | FLAG_ACTIVITY_NEW_TASK
    )


def _start(device: DeviceModel, args: list[str]) -> ShellResult:
    intent = parse_intent(args)
    if not (
        intent.action
        or intent.data
        or intent.component
        or intent.package
        or intent.categories
        or intent.mime
    ):
        return err("Error: Intent does not match any activities: Intent {  }", 1)
    device.intent_log.append(intent)
    apps = device.apps
    out = [f"Starting: {intent.describe()}"]
    wait = bool(intent.options.get("-W"))
    if intent.options.get("-S") and intent.target_package:
        out.insert(0, f"Stopping: {intent.target_package}")
        device.force_stop(intent.target_package)

    special = special_intent(device.profile, intent)
    if special is not None:
        before = device.foreground
        device.apply_effect(special.effect, intent)
        target = apps.top.spec if apps.top else None
        delivered = (
            before == device.foreground
            and before is not None
            and not special.effect.startswith("hdmi:")
        )
        return _started(device, out, target, "delivered" if delivered else "started", wait)

    matches = apps.resolve_activities(intent)
    if not matches:
        if intent.component:
            pkg = intent.component.partition("/")[0]
            if pkg in device.profile.packages:
                return err(
                    f"Error: Activity class {{{intent.component}}} does not exist.",
                    1,
                    "\n".join(out) + "\n",
                )
        return err(_unresolved(intent), 1, "\n".join(out) + "\n")
    spec = matches[0]
    if not spec.exported:
        return err(
            "Security exception: Permission Denial: starting "
            f"{intent.describe(flags=intent.flags | FLAG_ACTIVITY_NEW_TASK)} from null "
            f"(pid={apps.next_pid + 7}, uid=2000) not exported from uid "
            f"{package_uid(device.profile, spec.package)}\n",
            255,
            "\n".join(out) + "\n",
        )
    if apps.kind_of(spec) == "hdmi":
        # the player without a recognised input: it starts, the input doesn't change (inferred)
        result = apps.launch(spec, intent, apps.hdmi_source)
    else:
        result = apps.launch(spec, intent)
    return _started(device, out, spec, result, wait)


def _started(
    device: DeviceModel, out: list[str], spec: ActivitySpec | None, result: str, wait: bool
) -> ShellResult:
    if result == "delivered":
        out.append(
            "Warning: Activity not started, intent has been delivered to currently running "
            "top-most instance."
        )
    elif result == "front":
        out.append("Warning: Activity not started, its current task has been brought to the front")
    if wait and spec is not None:
        ms = 120 + device.rng.randint(0, 400)
        sdk = device.profile.sdk
        out.append("Status: ok")
        if sdk >= 29:
            out.append("LaunchState: " + ("COLD" if result == "started" else "HOT"))
        out.append(f"Activity: {spec.short}")
        if sdk < 29:
            out.append(f"ThisTime: {ms}")
        out.append(f"TotalTime: {ms}")
        out.append(f"WaitTime: {ms + 12}")
        out.append("Complete")
    return ok("\n".join(out) + "\n")


def _startservice(device: DeviceModel, args: list[str]) -> ShellResult:
    intent = parse_intent(strip_user(args), kind="service", start_options=False)
    device.intent_log.append(intent)
    out = f"Starting service: {intent.describe()}\n"
    special = special_intent(device.profile, intent)
    if special is not None:
        device.apply_effect(special.effect, intent)
        return ok(out)
    if intent.component:
        pkg, _, cls = intent.component.partition("/")
        spec = device.profile.packages.get(pkg)
        if spec and cls in {
            normalize_component(f"{pkg}/{s}").partition("/")[2] for s in spec.services
        }:
            device.apps.spawn(pkg)
            return ok(out)
    return err("Error: Not found; no service started.", 1, out)


def monkey(device: DeviceModel, args: list[str]) -> ShellResult:
    packages: list[str] = []
    categories: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-p" and i + 1 < len(args):
            packages.append(args[i + 1])
            i += 1
        elif arg == "-c" and i + 1 < len(args):
            categories.append(args[i + 1])
            i += 1
        elif arg in _MONKEY_OPTIONS_WITH_ARG:
            i += 1
        i += 1
    intent = Intent(
        action="android.intent.action.MAIN",
        categories=categories or ["android.intent.category.LAUNCHER"],
        kind="monkey",
        package=packages[0] if packages else None,
    )
    device.intent_log.append(intent)
    target: ActivitySpec | None = None
    for pkg in packages:
        spec = device.profile.packages.get(pkg)
        if spec and spec.main_activity():
            target = spec.main_activity()
            break
    if target is None:
        return err("** No activities found to run, monkey aborted.", 252)
    intent.component = target.component
    device.apps.launch(target, intent)
    ms = 20 + device.rng.randint(0, 40)
    return ok(
        f"Events injected: 1\n## Network stats: elapsed time={ms}ms "
        f"(0ms mobile, 0ms wifi, {ms}ms not connected)\n"
    )
