"""``ps``, ``id``, ``uptime``, ``ip``, ``wm``, ``service``, ``log``, ``reboot``, ``screencap``.

Most of these print from templates when the profile has one (see :mod:`simulator.dumpsys`); the
handlers here are the fallback and the commands with effects (``reboot``, ``service call``).
"""

from __future__ import annotations

import re
import signal
import struct
from typing import TYPE_CHECKING
import zlib

from ..backend import ShellResult
from ..dumpsys import process_rows, service_names, time_info
from ..intents import Intent
from .common import err, ok

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = [
    "id_command",
    "ip",
    "log",
    "logcat",
    "pgrep",
    "pkill",
    "ps",
    "reboot",
    "screencap",
    "service",
    "uptime",
    "wm",
]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SCREEN_COLOURS = {"launcher": (20, 60, 120), "HDMI1": (40, 40, 40), "HDMI2": (60, 60, 60)}


def _logcat_rows(device: DeviceModel) -> list[dict[str, object]]:
    return [
        {
            "user": "shell",
            "pid": pid,
            "ppid": 301,  # adbd
            "vsz": 12544,
            "rss": 3100,
            "wchan": "SyS_epoll_wait",
            "addr": 0,
            "state": "S",
            "name": "logcat",
        }
        for pid in sorted(device.event_log.processes)
    ]


def _ps_line(p: dict[str, object]) -> str:
    return (
        f"{p['user']!s:<12}{p['pid']!s:>6} {p['ppid']!s:>5} {p['vsz']!s:>7} {p['rss']!s:>6} "
        f"{p['wchan']!s:<16} {p['addr']!s:>4} {p['state']} {p['name']}"
    )


def ps(device: DeviceModel, args: list[str]) -> ShellResult:
    lines = ["USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME" + " " * 23]
    lines += [_ps_line(p) for p in [*process_rows(device), *_logcat_rows(device)]]
    return ok("\n".join(lines) + "\n")


def with_logcat_rows(device: DeviceModel, result: ShellResult) -> ShellResult:
    """A templated ``ps`` output with the model's running logcat processes appended."""
    rows = _logcat_rows(device)
    if not rows or result.exit_code != 0:
        return result
    extra = "".join(_ps_line(p) + "\n" for p in rows).encode()
    stdout = result.stdout if result.stdout.endswith(b"\n") else result.stdout + b"\n"
    return ShellResult(stdout + extra, result.stderr, result.exit_code)


def logcat(device: DeviceModel, args: list[str]) -> ShellResult:
    """``logcat``: ``-b events`` from the model's event log (simulator.logcat)."""
    return device.event_log.run(["logcat", *args], exec_=device.exec_call, faults=device.faults)


_SIGNALS = {name.removeprefix("SIG"): int(sig) for name, sig in signal.Signals.__members__.items()}


def _signal(text: str) -> int | None:
    """``9``, ``KILL``, ``SIGKILL``, ``kill`` → the signal number, or None."""
    if text.isdigit():
        return int(text)
    return _SIGNALS.get(text.upper().removeprefix("SIG"))


def _pgrep_args(name: str, args: list[str]) -> tuple[str, bool, int] | ShellResult:
    full = False
    sig: int | None = int(signal.SIGTERM)
    pattern: str | None = None
    items = iter(args)
    for arg in items:
        if arg == "-f":
            full = True
        elif arg in ("-s", "--signal"):
            value = next(items, "")
            sig = _signal(value)
            if sig is None:
                return err(f"{name}: Unknown signal '{value}'", 1)
        elif arg.startswith("-") and name == "pkill" and _signal(arg[1:]) is not None:
            sig = _signal(arg[1:])
        elif arg.startswith("-"):
            return err(f"{name}: Unknown option '{arg}'", 1)
        elif pattern is None:
            pattern = arg
    if pattern is None:
        return err(f"{name}: Need 1 argument", 1)
    try:
        re.compile(pattern)
    except re.error:
        return err(f"{name}: bad regex '{pattern}'", 1)
    return pattern, full, int(sig or signal.SIGTERM)


def pkill(device: DeviceModel, args: list[str]) -> ShellResult:
    """toybox ``pkill [-f] [-SIGNAL] PATTERN``: the model's logcat processes, and the running
    ``sh -c`` command lines (``-f``: full command line, the calling one included); exit 1 when
    nothing matched."""
    parsed = _pgrep_args("pkill", args)
    if isinstance(parsed, ShellResult):
        return parsed
    pattern, full, sig = parsed
    matched = device.event_log.find(pattern, full=full)
    for process in matched:
        process.kill(sig)
    shells = device.kill_shells(pattern, sig) if full else 0
    return ok() if matched or shells else ShellResult(b"", b"", 1)


def pgrep(device: DeviceModel, args: list[str]) -> ShellResult:
    parsed = _pgrep_args("pgrep", args)
    if isinstance(parsed, ShellResult):
        return parsed
    pattern, full, _ = parsed
    matched = device.event_log.find(pattern, full=full)
    if not matched:
        return ShellResult(b"", b"", 1)
    return ok("".join(f"{p.pid}\n" for p in matched))


def wm(device: DeviceModel, args: list[str]) -> ShellResult:
    screen = device.profile.screen
    if args[:1] == ["size"]:
        return ok(f"Physical size: {screen.get('width', 1920)}x{screen.get('height', 1080)}\n")
    if args[:1] == ["density"]:
        return ok(f"Physical density: {screen.get('density', 320)}\n")
    return err(
        "usage: wm [subcommand] [options]\n"
        "       wm size [reset|WxH|WdpxHdp]\n"
        "       wm density [reset|DENSITY]",
        1,
    )


def id_command(device: DeviceModel, args: list[str]) -> ShellResult:
    return ok(
        "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),"
        "1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),"
        "3003(inet),3006(net_bw_stats),3009(readproc) context=u:r:shell:s0\n"
    )


def uptime(device: DeviceModel, args: list[str]) -> ShellResult:
    ctx = time_info(device)
    return ok(
        f" {ctx['clock_hms']} up {ctx['uptime_text']},  0 users,  load average: 1.02, 0.97, 0.95\n"
    )


def ip(device: DeviceModel, args: list[str]) -> ShellResult:
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] not in ("addr", "a", "address", "link", "l"):
        return err('Object "' + (words[0] if words else "") + '" is unknown, try "ip help".', 255)
    obj = "link" if words[0] in ("link", "l") else "addr"
    names = [w for w in words[1:] if w not in ("show", "list", "dev")]
    ifaces = sorted(device.profile.interfaces.values(), key=lambda i: i.index)
    if names:
        ifaces = [i for i in ifaces if i.name == names[0]]
        if not ifaces:
            return err(f'Device "{names[0]}" does not exist.', 1)
    lines = (
        [
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN "
            "group default qlen 1000",
            "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
        ]
        if not names
        else []
    )
    if not names and obj == "addr":
        lines += [
            "    inet 127.0.0.1/8 scope host lo",
            "       valid_lft forever preferred_lft forever",
        ]
    for iface in ifaces:
        up = bool(iface.ip)
        flags = "<BROADCAST,MULTICAST,UP,LOWER_UP>" if up else "<NO-CARRIER,BROADCAST,MULTICAST,UP>"
        state = "UP" if up else "DOWN"
        lines.append(
            f"{iface.index}: {iface.name}: {flags} mtu 1500 qdisc mq state {state} "
            "group default qlen 1000"
        )
        lines.append(f"    link/ether {iface.mac} brd ff:ff:ff:ff:ff:ff")
        if obj == "addr" and up:
            parts = iface.ip.split(".")
            bcast = ".".join(parts[:3] + ["255"]) if len(parts) == 4 else iface.ip
            lines.append(
                f"    inet {iface.ip}/{iface.prefix} brd {bcast} scope global {iface.name}"
            )
            lines.append("       valid_lft forever preferred_lft forever")
    return ok("\n".join(lines) + "\n")


def service(device: DeviceModel, args: list[str]) -> ShellResult:
    names = service_names(device.profile)
    if not args or args[0] == "list":
        return ok(
            f"Found {len(names)} services:\n"
            + "".join(f"{i}\t{n}: [{n}]\n" for i, n in enumerate(names))
        )
    if args[0] == "check" and len(args) > 1:
        found = args[1] in names
        return ok(f"Service {args[1]}: {'found' if found else 'not found'}\n")
    if args[0] == "call" and len(args) > 2:
        name, code = args[1], args[2]
        if name not in names:
            return err(f"service: Service {name} does not exist", 255)
        for call in device.profile.service_calls:
            if call.get("service") == name and str(call.get("code")) == code:
                expected = [str(a) for a in call.get("args", [])]
                if not expected or args[3:] == expected:
                    device.apply_effect(str(call.get("effect", "")), Intent(kind="service"))
        return ok("Result: Parcel(00000000    '....')\n")
    return err(
        "Usage: service [-h|-?]\n       service list\n       service check SERVICE\n"
        "       service call SERVICE CODE [i32 N | i64 N | f N | d N | s16 STR ] ...",
        1,
    )


def log(device: DeviceModel, args: list[str]) -> ShellResult:
    return ok()


def reboot(device: DeviceModel, args: list[str]) -> ShellResult:
    device.reboot(delay_s=device.reboot_delay_s, power_off="-p" in args or "shutdown" in args)
    return ok()


def screencap(device: DeviceModel, args: list[str]) -> ShellResult:
    """A flat picture in the source's colour: PNG (``-p``) or raw RGBA with its header."""
    width, height = 16, 9
    colour = _SCREEN_COLOURS.get(device.source or "", (90, 30, 30))
    if "-p" in args and not [a for a in args if not a.startswith("-")]:
        return ShellResult(_png(width, height, colour))
    if [a for a in args if not a.startswith("-")]:
        return ok()  # "writes" the file: the simulator never writes host paths
    header = struct.pack("<IIII", width, height, 1, 0)
    return ShellResult(header + bytes((*colour, 255)) * (width * height))


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
