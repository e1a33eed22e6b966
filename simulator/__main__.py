"""Command line: run a simulated XGIMI projector until Ctrl-C / SIGTERM.

python -m simulator --port 5555 --profile gmui_android12 --mains-port 8099
python -m simulator --profile gmui_android9 --no-adb --announce   # LAN keys only (docs/lan.md)
python -m simulator --list-profiles
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import logging
import os
import signal
import sys

from .faults import Fault, PromptMode
from .power import DeviceState
from .profiles import ProfileError, list_profiles, load_profile
from .sandbox import (
    UNSANDBOXED_ENV,
    SandboxUnavailableError,
    ensure_available,
    sandbox_required,
)
from .simulated_projector import Simulator

_LOGGER = logging.getLogger("simulator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="A simulated XGIMI projector speaking real ADB on loopback (its shell runs "
        "bash in a bubblewrap sandbox: no network, no host files).",
    )
    parser.add_argument(
        "--list-profiles", action="store_true", help="list the bundled firmware profiles and exit"
    )
    parser.add_argument(
        "--profile",
        default="gmui_android9",
        help="profile name or path to a profile JSON (default: %(default)s)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=5555, help="ADB port, 0 = any free port (default: %(default)s)"
    )
    parser.add_argument(
        "--mains-port",
        type=int,
        default=None,
        help="serve the smart-plug HTTP API on this port (0 = any)",
    )
    parser.add_argument(
        "--prompt",
        choices=[m.value for m in PromptMode],
        default=PromptMode.ACCEPT.value,
        help="how the 'Allow USB debugging?' prompt is answered",
    )
    parser.add_argument(
        "--prompt-delay",
        type=float,
        default=0.5,
        metavar="S",
        help="seconds before the prompt is answered (default: %(default)s)",
    )
    parser.add_argument(
        "--fault",
        action="extend",
        nargs="+",
        default=[],
        choices=[f.value for f in Fault],
        metavar="FAULT",
        help=f"fault(s) to inject: {', '.join(f.value for f in Fault)}",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="extra delay per shell command"
    )
    parser.add_argument(
        "--boot-s",
        type=float,
        default=None,
        metavar="S",
        help="boot time after mains on (default: from the profile)",
    )
    parser.add_argument(
        "--network-drop-s",
        type=float,
        default=None,
        metavar="S",
        help="seconds from standby to network down (default: from the profile)",
    )
    parser.add_argument(
        "--keys-file",
        default=None,
        metavar="PATH",
        help="persist trusted ADB keys here (like /data/misc/adb/adb_keys)",
    )
    parser.add_argument("--mains-off", action="store_true", help="start with the plug off")
    parser.add_argument(
        "--no-auto-power-on",
        action="store_true",
        help="disable 上电自动开机 (auto power-on when mains returns)",
    )
    lan = parser.add_argument_group(
        "XGIMI LAN protocol (GMUI profiles only; Android TV / Google TV ignore it)"
    )
    lan.add_argument(
        "--lan-port",
        type=int,
        default=None,
        help="UDP port for KEYPRESSES datagrams, 0 = any (default: 16735; any when --port 0)",
    )
    lan.add_argument(
        "--discovery-port",
        type=int,
        default=None,
        help="UDP port answering the discovery probe, 0 = any (default: 16752; any when --port 0)",
    )
    lan.add_argument(
        "--discovery-reply-port",
        type=int,
        default=16751,
        help="UDP port the discovery answer is sent to (default: %(default)s)",
    )
    lan.add_argument("--no-lan", action="store_true", help="do not listen on UDP at all")
    lan.add_argument(
        "--no-adb",
        action="store_true",
        help="network ADB off: the ADB port refuses connections, UDP still answers",
    )
    lan.add_argument(
        "--announce",
        action="store_true",
        help="announce _xgimi._tcp over mDNS on --host's address (0.0.0.0: every interface)",
    )
    parser.add_argument(
        "--unsandboxed-shell",
        action="store_true",
        help="run client shell commands on this host, restricted by PATH only, when bubblewrap "
        "cannot sandbox them (unsafe: keep the port on 127.0.0.1)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def _udp_port(asked: int | None, adb_port: int, real: int) -> int:
    """The UDP port asked for; by default the real one, or any free one when ADB's is 0."""
    if asked is not None:
        return asked
    return 0 if adb_port == 0 else real


def _list_profiles() -> int:
    for name in list_profiles():
        try:
            p = load_profile(name)
        except ProfileError as err:
            print(f"{name:16} (broken: {err})")
            continue
        summary = p.description.split(" — ")[0]
        print(f"{name:16} {p.family:10} Android {p.release:6} {p.model:10} {summary}")
    return 0


async def _run(args: argparse.Namespace) -> int:
    if args.unsandboxed_shell:
        os.environ[UNSANDBOXED_ENV] = "1"
    if sandbox_required():
        try:
            await ensure_available()
        except SandboxUnavailableError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    sim = Simulator(
        args.profile,
        host=args.host,
        port=args.port,
        mains_port=args.mains_port,
        prompt=PromptMode(args.prompt),
        prompt_delay_s=args.prompt_delay,
        faults=[Fault(f) for f in args.fault],
        latency_s=args.latency,
        boot_s=args.boot_s,
        network_drop_s=args.network_drop_s,
        mains_on=not args.mains_off,
        keys_file=args.keys_file,
        auto_power_on=not args.no_auto_power_on,
        lan_port=None if args.no_lan else _udp_port(args.lan_port, args.port, 16735),
        discovery_port=None if args.no_lan else _udp_port(args.discovery_port, args.port, 16752),
        discovery_reply_port=args.discovery_reply_port,
        adb_enabled=not args.no_adb,
        announce=args.announce,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    def on_state(state: DeviceState) -> None:
        print(f"state: {state.value} ({sim.device.power_w:g} W)", flush=True)

    remove = sim.device.add_state_listener(on_state)
    await sim.start()
    try:
        p = sim.profile
        mains = (
            f" mains=http://{args.host}:{sim.mains_port}/api/mains"
            if sim.mains_port is not None
            else ""
        )
        lan = (
            f" lan=udp:{sim.lan_port} discovery=udp:{sim.discovery_port}"
            if sim.lan is not None
            else ""
        )
        adb = f"{args.host}:{sim.port}" + ("" if sim.adb_enabled else "(off)")
        print(
            f"ready: profile={p.name} model={p.model!r} android={p.release} "
            f"adb={adb}{mains}{lan} prompt={sim.prompt_mode.value} "
            f"secure={int(p.adb_secure)} state={sim.device.state.value}",
            flush=True,
        )
        await stop.wait()
        print("stopping", flush=True)
    finally:
        remove()
        await sim.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list_profiles:
        return _list_profiles()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        load_profile(args.profile)
    except ProfileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args))
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
