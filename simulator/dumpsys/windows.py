"""``dumpsys window`` and ``dumpsys activity``: the focused window, windows, tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..activities import package_uid
from ..intents import FLAG_ACTIVITY_NEW_TASK, Intent, decode_data
from ..power import AWAKE
from .system import stable_hash

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["activity", "window"]


def _focus(device: DeviceModel) -> dict[str, Any]:
    apps = device.apps
    top = apps.top
    if top is None:
        return {
            "focus_window": "null",
            "focus_pkg": "",
            "app_record": "null",
            "app_component": "",
            "app_class": "",
            "app_pkg": "",
            "app_hash": "0",
            "app_token_hash": "0",
            "app_token2_hash": "0",
            "app_window": "null",
            "task_id": 0,
            "task_hash": "0",
            "resumed_record": "null",
            "top_record": "null",
        }
    overlay_pkg = device.profile.quick_settings
    focus_window = top.window
    if apps.quick_panel:
        focus_window = f"Window{{{stable_hash(device.profile, 'panel')} u0 {overlay_pkg}}}"
    return {
        "focus_window": focus_window,
        "focus_pkg": overlay_pkg if apps.quick_panel else top.package,
        "app_record": top.record,
        "app_component": top.spec.short,
        "app_class": top.spec.component,
        "app_pkg": top.package,
        "app_hash": top.hash,
        "app_token_hash": top.token_hash,
        "app_token2_hash": top.token2_hash,
        "app_window": top.window,
        "task_id": top.task_id,
        "task_hash": top.task_hash,
        "resumed_record": top.record if device.state in AWAKE else "null",
        "top_record": top.record,
    }


def window(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys window``: the focused window and app, and the window list (top first)."""
    profile = device.profile
    overlay_pkg = profile.quick_settings
    windows: list[dict[str, Any]] = []
    visible_stack = list(reversed(device.apps.stack))
    if device.apps.quick_panel:
        windows.append(
            {
                "hash": stable_hash(profile, "panel"),
                "title": overlay_pkg,
                "pkg": overlay_pkg,
                "uid": 1000,
                "type": 2038,
                "type_name": "APPLICATION_OVERLAY",
                "visible": True,
                "layer": 231000,
                "token": "null",
            }
        )
    for index, act in enumerate(visible_stack):
        windows.append(
            {
                "hash": act.window_hash,
                "title": act.spec.component,
                "pkg": act.package,
                "uid": package_uid(profile, act.package),
                "type": 1,
                "type_name": "BASE_APPLICATION",
                "visible": index == 0 or (index == 1 and visible_stack[0].kind == "menu"),
                "layer": 21000 - 5 * index,
                "token": act.record,
            }
        )
    windows.append(
        {
            "hash": stable_hash(profile, "ime"),
            "title": "InputMethod",
            "pkg": "com.android.inputmethod.latin",
            "uid": 10022,
            "type": 2011,
            "type_name": "INPUT_METHOD",
            "visible": False,
            "layer": 141000,
            "token": "null",
        }
    )
    for i, w in enumerate(windows):
        w["index"] = len(windows) - 1 - i
    return {**_focus(device), "windows": windows, "window_count": len(windows)}


def activity(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys activity``: the tasks (top first) and the last activity start."""
    profile = device.profile
    apps = device.apps
    awake = device.state in AWAKE
    visible_stack = list(reversed(apps.stack))
    tasks: list[dict[str, Any]] = []
    for index, act in enumerate(visible_stack):
        resumed = awake and index == 0
        uid = package_uid(profile, act.package)
        visible = index == 0 or (index == 1 and visible_stack[0].kind == "menu")
        tasks.append(
            {
                "index": index,
                "task_id": act.task_id,
                "task_hash": act.task_hash,
                "stack_id": 0 if act.kind == "home" else act.task_id,
                "activity_type": "home" if act.kind == "home" else "standard",
                "record": act.record,
                "component": act.spec.short,
                "class": act.spec.component,
                "pkg": act.package,
                "uid": uid,
                "appid": uid - 10000 if uid >= 10000 else uid,
                "pid": apps.processes.get(act.package, 0),
                "intent": act.intent.short_string(flags=act.intent.flags | FLAG_ACTIVITY_NEW_TASK),
                "uid_name": f"u0a{uid - 10000}" if uid >= 10000 else str(uid),
                "task_type": "type=home" if act.kind == "home" else "type=standard",
                "activity_type_code": 2 if act.kind == "home" else 1,
                "state": "RESUMED" if resumed else ("PAUSED" if index == 0 else "STOPPED"),
                "stopped": not visible,
                "sleeping": not awake,
                "visible": visible,
                "resumed": [{"record": act.record}] if resumed else [],
                "top_resumed": act.record if resumed else "null",
                "started_ms": act.started_ms,
            }
        )
    last_start: list[dict[str, Any]] = []
    if apps.last_start is not None:
        intent, act = apps.last_start
        decoded = Intent(
            action=intent.action,
            data=decode_data(intent.data),
            categories=intent.categories,
            component=intent.component,
            package=intent.package,
            extras=intent.extras,
            flags=intent.flags | FLAG_ACTIVITY_NEW_TASK,
        )
        last_start.append(
            {
                "record": act.record,
                "pkg": act.package,
                "intent": intent.short_string(flags=intent.flags | FLAG_ACTIVITY_NEW_TASK),
                "intent_decoded": decoded.short_string(),
                "started_ms": act.started_ms,
            }
        )
    return {"tasks": tasks, "task_count": len(tasks), "last_start": last_start}
