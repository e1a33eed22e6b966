"""Side-by-side benchmark: this project's library vs ``androidtv`` 0.0.75, same simulator.

For each library it measures what it does per poll (shell round trips, median and
p95 time), a key press on a warm connection, connect+auth with a trusted key, and
the longest event-loop stall while each fault mode is active. Two scenarios: plain
loopback, and "LAN-like", where the simulator adds a fixed delay to every shell
command (a stand-in for network round trip plus ``dumpsys`` cost on a real SoC).

Then the hostile modes of issue #12 (``simulator/faults.py``): for each, one poll as
each library runs it every 10 s (ours ``Projector.poll()``, androidtv ``update()``),
with its longest loop stall, its peak Python heap (``tracemalloc``, a separate run so
that tracing does not inflate the stall), how it ended, and whether the next poll
after the fault clears works again. Stray packets are also measured over many polls
on one session: the heap they leave behind.

Last, the Home Assistant bench (``scripts/benchha``, a process of its own so that the CPU it
measures is Home Assistant's alone): both integrations in one real Home Assistant, each against
its own simulators of every profile; change-to-state latency and idle cost per hour. Arguments
this script does not know go to it (``--profiles``, ``--changes``, ``--idle-s`` …).

Prints tables, then as its last line:
``bench: roundtrips=<n> poll_ratio=<ours/androidtv> max_stall_ms=<n> hostile_stall_ms=<n>
hostile_peak_mb=<n> state_p95_ms=<n> cpu_ratio=<ours/androidtv>``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import logging
from pathlib import Path
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from adb_shell.auth.keygen import keygen
from androidtv.adb_manager.adb_manager_sync import ADBPythonSync
from androidtv.setup_async import setup as androidtv_setup

from custom_components.xgimi_projector.projector import Projector, Timeouts
from custom_components.xgimi_projector.projector.adbkey import ensure_key
from simulator import Fault, Simulator
from simulator.loopwatch import measure, measure_stall

PROFILE = "gmui_android9"  # Android 9: androidtv runs its default (pre-11) commands
TIMEOUTS = Timeouts(transport_s=1.0, read_s=2.0, command_s=5.0, auth_s=2.0)


class Counter:
    """Counts shell streams the simulated adbd serves (one per round trip), from the device's
    shell log (every command line it ran, whichever way the daemon handed it over)."""

    def __init__(self, sim: Simulator) -> None:
        self._log = sim.device.shell_log

    @property
    def count(self) -> int:
        return len(self._log)


async def timed(action: Callable[[], Awaitable[object]], repeat: int) -> tuple[list[float], object]:
    samples: list[float] = []
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await action()
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples, result


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Ours:
    name = "xgimi_projector"

    def __init__(self, port: int, key: Path) -> None:
        self.projector = Projector("127.0.0.1", port, key_path=key, timeouts=TIMEOUTS)

    async def connect(self) -> object:
        await self.projector.connection.close()
        await self.projector.connection.connect()
        return True

    async def setup(self) -> None:
        await self.projector.connect()

    async def poll(self) -> object:
        return await self.projector.poll()

    async def key(self) -> object:
        await self.projector.press("UP")
        return True

    async def fault_attempt(self) -> object:
        await self.projector.connection.close()
        await self.projector.connection.connect()
        return await self.projector.shell("true")

    async def hostile_poll(self) -> str:
        state = await self.projector.poll()
        return "ok" if state.reachable else "poll failed, session dropped"

    async def recovered(self) -> bool:
        # The next poll after the back-off a failed reconnect may have started.
        await asyncio.sleep(self.projector.connection.retry_in)
        return (await self.projector.poll()).reachable

    async def close(self) -> None:
        await self.projector.close()


class AndroidTv:
    name = "androidtv 0.0.75"

    def __init__(self, port: int, key: Path) -> None:
        self.port = port
        self.key_path = key
        self.atv: Any = None

    async def setup(self) -> None:
        # As Home Assistant does: PythonRSASigner from the key file, 30 s auth at setup.
        signer = ADBPythonSync.load_adbkey(str(self.key_path))
        self.atv = await androidtv_setup(
            "127.0.0.1",
            self.port,
            adbkey=str(self.key_path),
            device_class="androidtv",
            signer=signer,
            auth_timeout_s=10.0,
            log_errors=False,
        )

    async def connect(self) -> object:
        await self.atv.adb_close()
        return await self.atv.adb_connect(log_errors=False)

    async def poll(self) -> object:
        # What HA's media_player.async_update() calls every 10 s (get_sources defaults to True).
        return await self.atv.update(get_running_apps=True, lazy=True)

    async def key(self) -> object:
        return await self.atv.adb_shell("input keyevent 19")

    async def fault_attempt(self) -> object:
        await self.atv.adb_close()
        connected = await self.atv.adb_connect(log_errors=False)
        if not connected:
            return False
        return await self.atv.adb_shell("true")

    async def hostile_poll(self) -> str:
        # What HA's entity does around update(): any exception closes and marks unavailable.
        try:
            await self.poll()
        except Exception as exc:  # the outcome is what we report
            await self.atv.adb_close()
            return f"poll failed ({type(exc).__name__})"
        return "ok" if self.atv.available else "poll failed"

    async def recovered(self) -> bool:
        if not self.atv.available:
            await self.atv.adb_connect(log_errors=False)
        try:
            result: Any = await self.poll()
        except Exception:  # any failure means not recovered
            return False
        return bool(self.atv.available and result[0] is not None)

    async def close(self) -> None:
        if self.atv is not None:
            await self.atv.adb_close()


async def measure_library(
    lib: Ours | AndroidTv, sim: Simulator, counter: Counter, repeat: int
) -> dict[str, float]:
    await lib.setup()
    await lib.poll()
    before = counter.count
    await lib.poll()
    roundtrips = counter.count - before
    polls, _ = await timed(lib.poll, repeat)
    keys, _ = await timed(lib.key, repeat)
    connects, _ = await timed(lib.connect, max(5, repeat // 3))
    return {
        "roundtrips": roundtrips,
        "poll_median": statistics.median(polls),
        "poll_p95": p95(polls),
        "key_median": statistics.median(keys),
        "connect_median": statistics.median(connects),
    }


FAULTS = [
    Fault.CLOSE_AFTER_CNXN,
    Fault.CLOSE_MID_COMMAND,
    Fault.SILENT,
    Fault.STLS,
    Fault.PROMPT_NEVER,
    Fault.PROMPT_REJECT,
]


async def measure_faults(lib: Ours | AndroidTv, sim: Simulator) -> dict[str, float]:
    stalls: dict[str, float] = {}
    for fault in FAULTS:
        sim.faults.clear()
        if fault in (Fault.PROMPT_NEVER, Fault.PROMPT_REJECT):
            sim.daemon.forget_keys()  # so that the prompt shows
        sim.faults.set(fault)
        stall_ms, _ = await measure_stall(asyncio.wait_for(lib.fault_attempt(), 30))
        stalls[fault.value] = stall_ms
        sim.faults.clear()
    return stalls


HOSTILE = [
    Fault.HUGE_OUTPUT,
    Fault.LYING_LENGTH,
    Fault.BYTE_DRIP,
    Fault.BAD_MAGIC,
    Fault.STRAY_PACKETS,
]
HOSTILE_BOUND_S = 30.0
"""A poll that takes longer than this is cut off and reported as hung."""
STRAY_POLLS = 100


async def _hostile_poll(lib: Ours | AndroidTv, memory: bool) -> tuple[float, float, str, float]:
    loop = asyncio.get_running_loop()
    started = loop.time()
    seen = await measure(asyncio.wait_for(lib.hostile_poll(), HOSTILE_BOUND_S), memory=memory)
    elapsed = loop.time() - started
    result = seen.result
    if isinstance(result, TimeoutError):
        outcome = f"hung > {HOSTILE_BOUND_S:.0f} s"
    elif isinstance(result, BaseException):
        outcome = f"raised {type(result).__name__}"
    else:
        outcome = str(result)
    return seen.stall_ms, seen.peak_mb, outcome, elapsed


async def measure_hostile(lib: Ours | AndroidTv, sim: Simulator) -> dict[str, dict[str, Any]]:
    """Each hostile mode: stall (untraced run), peak heap (traced run), outcome, recovery."""
    rows: dict[str, dict[str, Any]] = {}
    for fault in HOSTILE:
        row: dict[str, Any] = {}
        for memory in (False, True):
            sim.faults.set(fault)
            stall_ms, peak_mb, outcome, elapsed = await _hostile_poll(lib, memory)
            sim.faults.clear(fault)
            if memory:
                row["peak_mb"] = peak_mb
            else:
                row.update(stall_ms=stall_ms, outcome=outcome, seconds=elapsed)
            row["recovers"] = row.get("recovers", True) and await lib.recovered()
        rows[fault.value] = row
    # Strays over many polls of one session: what stays on the heap.
    sim.faults.set(Fault.STRAY_PACKETS)

    async def many() -> None:
        for _ in range(STRAY_POLLS):
            await lib.hostile_poll()

    seen = await measure(many(), memory=True)
    sim.faults.clear(Fault.STRAY_PACKETS)
    rows[Fault.STRAY_PACKETS.value]["retained_mb"] = seen.retained_mb
    return rows


async def run_hostile(huge_mb: float, drip_ms: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ours_key = Path(tmp) / "ours_adbkey"
        ensure_key(ours_key)
        atv_key = Path(tmp) / "androidtv_adbkey"
        keygen(str(atv_key))
        for cls, key in ((Ours, ours_key), (AndroidTv, atv_key)):
            async with Simulator(PROFILE, prompt_delay_s=0.05) as sim:
                sim.faults.huge_output_bytes = int(huge_mb * 1_000_000)
                sim.faults.drip_interval_s = drip_ms / 1000.0
                lib = cls(sim.port, key)
                try:
                    await lib.setup()
                    await lib.poll()
                    results[lib.name] = await measure_hostile(lib, sim)
                finally:
                    await lib.close()
    return results


def hostile_table(results: dict[str, Any], huge_mb: float, drip_ms: float) -> str:
    lines = [
        f"Hostile modes (one poll each; huge output and lies {huge_mb:.0f} MB, "
        f"drip {drip_ms:.0f} ms/byte, strays {STRAY_POLLS} polls)",
        f"{'mode':15}{'library':18}{'stall':>10}{'peak heap':>12}{'time':>9}  "
        f"{'recovers':9}outcome",
    ]
    for fault in HOSTILE:
        for name, rows in results.items():
            row = rows[fault.value]
            outcome = row["outcome"]
            if "retained_mb" in row:
                outcome += f"; {row['retained_mb']:.2f} MiB left after {STRAY_POLLS} polls"
            lines.append(
                f"{fault.value:15}{name:18}{row['stall_ms']:>7.1f} ms{row['peak_mb']:>8.1f} MiB"
                f"{row['seconds']:>7.2f} s  {'yes' if row['recovers'] else 'NO':9}{outcome}"
            )
    return "\n".join(lines)


async def run(repeat: int, latency_ms: float, with_faults: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ours_key = Path(tmp) / "ours_adbkey"
        ensure_key(ours_key)
        atv_key = Path(tmp) / "androidtv_adbkey"
        keygen(str(atv_key))
        for cls, key in ((Ours, ours_key), (AndroidTv, atv_key)):
            async with Simulator(
                PROFILE, prompt_delay_s=0.05, latency_s=latency_ms / 1000.0
            ) as sim:
                counter = Counter(sim)
                lib = cls(sim.port, key)
                try:
                    numbers = await measure_library(lib, sim, counter, repeat)
                    if with_faults:
                        sim.faults.latency_s = 0.0
                        numbers.update(
                            {f"stall:{k}": v for k, v in (await measure_faults(lib, sim)).items()}
                        )
                finally:
                    await lib.close()
                results[lib.name] = numbers
    return results


def table(title: str, results: dict[str, Any]) -> str:
    names = list(results)
    keys = list(results[names[0]])
    width = max(len(k) for k in keys) + 2
    lines = [title, f"{'':{width}}" + "".join(f"{n:>20}" for n in names)]
    for key in keys:
        row = f"{key:{width}}"
        for name in names:
            value = results[name].get(key, float("nan"))
            row += f"{value:>20.0f}" if key == "roundtrips" else f"{value:>17.2f} ms"
        lines.append(row)
    return "\n".join(lines)


HA_SUMMARY = "bench: state_p95_ms="


def run_ha_bench(extra: list[str]) -> str | None:
    """``python -m scripts.benchha``: its output passes through; its summary line is returned."""
    root = Path(__file__).resolve().parents[1]
    summary: str | None = None
    with subprocess.Popen(
        [sys.executable, "-m", "scripts.benchha", *extra],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(HA_SUMMARY):
                summary = line.removeprefix("bench:").strip()
            else:
                print(line, end="", flush=True)
    return summary if process.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Other arguments go to the Home Assistant bench (python -m scripts.benchha -h).",
    )
    parser.add_argument("--repeat", type=int, default=None, help="samples per measurement")
    parser.add_argument(
        "--latency-ms", type=float, default=30.0, help="per-command delay of the LAN-like scenario"
    )
    parser.add_argument("--no-faults", action="store_true", help="skip the fault-mode stalls")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile modes")
    parser.add_argument(
        "--hostile-only", action="store_true", help="only the hostile modes (no latency tables)"
    )
    parser.add_argument(
        "--huge-mb", type=float, default=100.0, help="size of huge-output and lying-length"
    )
    parser.add_argument("--drip-ms", type=float, default=50.0, help="byte-drip interval")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer samples, and the Home Assistant bench's --quick (fewer changes and profiles, "
        "shorter idle windows)",
    )
    parser.add_argument("--no-ha", action="store_true", help="skip the Home Assistant bench")
    parser.add_argument("--ha-only", action="store_true", help="only the Home Assistant bench")
    args, ha_args = parser.parse_known_args()
    if args.repeat is None:
        args.repeat = 10 if args.quick else 30
    if args.ha_only:
        args.hostile_only, args.no_hostile = True, True
    logging.basicConfig(level=logging.CRITICAL)
    ours, theirs = "xgimi_projector", "androidtv 0.0.75"

    summary = ""
    if not args.hostile_only:
        loopback = asyncio.run(run(args.repeat, 0.0, with_faults=not args.no_faults))
        lan = asyncio.run(run(args.repeat, args.latency_ms, with_faults=False))
        print(table("Scenario: loopback (no added latency)", loopback))
        print()
        print(table(f"Scenario: LAN-like ({args.latency_ms:.0f} ms per shell command)", lan))
        print()
        ratio = lan[ours]["poll_median"] / lan[theirs]["poll_median"]
        stall = (
            max(v for k, v in loopback[ours].items() if k.startswith("stall:"))
            if not args.no_faults
            else 0.0
        )
        summary = (
            f"roundtrips={loopback[ours]['roundtrips']:.0f} poll_ratio={ratio:.2f} "
            f"max_stall_ms={stall:.0f}"
        )
    if not args.no_hostile:
        hostile = asyncio.run(run_hostile(args.huge_mb, args.drip_ms))
        print(hostile_table(hostile, args.huge_mb, args.drip_ms))
        print()
        rows = hostile[ours].values()
        summary += (
            f" hostile_stall_ms={max(r['stall_ms'] for r in rows):.0f}"
            f" hostile_peak_mb={max(r['peak_mb'] for r in rows):.1f}"
        )
    failed = False
    if not args.no_ha:
        ha = run_ha_bench([*ha_args, "--quick"] if args.quick else ha_args)
        failed = ha is None
        summary += f" {ha}" if ha else " state_p95_ms=nan cpu_ratio=nan"
    elif ha_args:
        parser.error(f"unrecognized arguments: {' '.join(ha_args)}")
    print(f"bench: {summary.strip()}")
    if failed:
        sys.exit("the Home Assistant bench failed")


if __name__ == "__main__":
    main()
