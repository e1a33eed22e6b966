"""Sections about the system as a whole: identity, uptime, services, processes, packages."""

from __future__ import annotations

from collections.abc import Sequence
import time
from typing import TYPE_CHECKING, Any
import zlib

from ..activities import apk_path
from ..power import AWAKE
from ..profiles import Profile

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = [
    "general",
    "package",
    "process_rows",
    "processes",
    "service_names",
    "stable_hash",
    "time_info",
    "uptime",
]

_SYSTEM_PROCESSES: tuple[tuple[str, int, int, int, int, str, str], ...] = (
    # user, pid, ppid, vsz, rss, wchan, name
    ("root", 1, 0, 22304, 2876, "SyS_epoll_wait", "init"),
    ("root", 2, 0, 0, 0, "kthreadd", "[kthreadd]"),
    ("logd", 215, 1, 28620, 6156, "SyS_rt_sigsuspend", "logd"),
    ("system", 226, 1, 13360, 2100, "binder_ioctl", "servicemanager"),
    ("system", 227, 1, 15760, 3804, "binder_ioctl", "hwservicemanager"),
    ("system", 245, 1, 103620, 12344, "SyS_epoll_wait", "surfaceflinger"),
    ("root", 262, 1, 1136612, 86624, "poll_schedule_timeout", "zygote"),
    ("audioserver", 268, 1, 64248, 11300, "binder_ioctl", "audioserver"),
    ("media", 274, 1, 44648, 9024, "binder_ioctl", "mediaserver"),
    ("shell", 301, 1, 14400, 2700, "poll_schedule_timeout", "adbd"),
    ("system", 612, 262, 1491236, 178320, "SyS_epoll_wait", "system_server"),
)

_BASE_SERVICES = (
    "activity",
    "audio",
    "display",
    "input",
    "media_session",
    "package",
    "power",
    "settings",
    "tv_input",
    "window",
)


def service_names(profile: Profile) -> list[str]:
    """The binder services ``dumpsys -l``, ``service list`` and ``cmd -l`` show."""
    return sorted(set(_BASE_SERVICES) | set(profile.binder_services))


def stable_hash(profile: Profile, key: str) -> str:
    """A 7-digit object hash that stays the same for ``key`` on this projector."""
    return f"{zlib.crc32((key + profile.serial).encode()) & 0xFFFFFFF:07x}"


def time_info(device: DeviceModel) -> dict[str, Any]:
    """Uptime (model clock) and the wall-clock time of day, as ``uptime`` prints them."""
    up = device.uptime_s
    minutes = int(up // 60)
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        text = f"{days} day{'s' if days != 1 else ''}, {hours:2d}:{mins:02d}"
    elif hours:
        text = f"{hours:2d}:{mins:02d}"
    else:
        text = f"{mins} min"
    return {
        "uptime_ms": int(up * 1000),
        "uptime_s": int(up),
        "uptime_text": text,
        "clock_hms": time.strftime("%H:%M:%S"),
        "date_md": time.strftime("%m-%d"),
    }


def process_rows(device: DeviceModel) -> list[dict[str, Any]]:
    """``ps -A``: the system's own processes, then the running packages by pid."""
    rows: list[dict[str, Any]] = [
        {
            "user": user,
            "pid": pid,
            "ppid": ppid,
            "vsz": vsz,
            "rss": rss,
            "wchan": wchan,
            "addr": 0,
            "state": "S",
            "name": name,
        }
        for user, pid, ppid, vsz, rss, wchan, name in _SYSTEM_PROCESSES
    ]
    for pkg, pid in sorted(device.apps.processes.items(), key=lambda kv: kv[1]):
        spec = device.profile.packages.get(pkg)
        uid = spec.uid if spec else 10000
        user = "system" if uid == 1000 else f"u0_a{uid - 10000}"
        rows.append(
            {
                "user": user,
                "pid": pid,
                "ppid": 262,
                "vsz": 1180000 + (pid % 97) * 1000,
                "rss": 60000 + (pid % 89) * 700,
                "wchan": "SyS_epoll_wait",
                "addr": 0,
                "state": "S",
                "name": pkg,
            }
        )
    return rows


def general(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """Identity, screen, power state, the command's first arguments, the service list."""
    props = device.props
    awake = device.state in AWAKE
    screen = device.profile.screen
    return {
        "model": props.get("ro.product.model", ""),
        "manufacturer": props.get("ro.product.manufacturer", ""),
        "serial": props.get("ro.serialno", ""),
        "release": props.get("ro.build.version.release", ""),
        "sdk": props.get("ro.build.version.sdk", ""),
        "locale": props.get("persist.sys.locale", props.get("ro.product.locale", "zh-CN")).replace(
            "-", "_"
        ),
        "screen_width": screen.get("width", 1920),
        "screen_height": screen.get("height", 1080),
        "density": screen.get("density", 320),
        "power_state": device.state.value,
        "arg1": argv[1] if len(argv) > 1 else "",
        "arg2": argv[2] if len(argv) > 2 else "",
        "display_policy": "BRIGHT" if awake else "OFF",
        "services": [{"name": n} for n in service_names(device.profile)],
    }


def uptime(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    return time_info(device)


def processes(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    return {"processes": process_rows(device)}


def package(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys package <pkg>…``: the queried packages the profile has."""
    profile = device.profile
    queried = (
        [a for a in argv[2:] if not a.startswith("-")]
        if len(argv) > 2 and argv[1] == "package"
        else []
    )
    return {
        "queried_packages": [
            {
                "pkg": p.name,
                "uid": p.uid,
                "appid": p.uid - 10000 if p.uid >= 10000 else p.uid,
                "version_name": p.version_name,
                "version_code": p.version_code,
                "code_path": apk_path(profile, p.name).rsplit("/", 1)[0],
                "system": p.system,
                "hash": stable_hash(profile, "pkg" + p.name),
                "flags": "[ SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA ]"
                if p.system
                else "[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]",
            }
            for name in queried
            if (p := profile.packages.get(name)) is not None
        ]
    }
