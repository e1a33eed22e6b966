"""Side by side in one Home Assistant: xgimi_projector and HA core's androidtv integration.

``python -m scripts.benchha [--quick] [--profiles a,b]`` (``scripts/bench`` runs it last).

For every profile, two simulators run in their own processes (``python -m simulator``), one
for each integration; one real Home Assistant runs in this process (its own bootstrap, see
``hass.py``) with both integrations added through their config flows with default settings.

1. Latency (``latency.py``): the same change in every simulator at once, the time until each
   media player shows it in ``hass.states``; median and p95 per integration and profile.
2. Idle cost (``cost.py``): CPU seconds of this process per hour and ADB shell commands per
   hour, nothing loaded (baseline), then each integration alone.

Prints tables, ``bench:`` lines, and as its last line
``bench: state_p95_ms=<ours, worst profile's p95> cpu_ratio=<ours/androidtv, HA process CPU>``.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import shutil
import sys
import tempfile
import threading
import time

from homeassistant import runner
from homeassistant.core import HomeAssistant

from simulator.profiles import list_profiles

from .cost import measure_idle
from .hass import (
    ANDROIDTV,
    OURS,
    Projector,
    SetupError,
    add_androidtv,
    add_ours,
    start_hass,
    write_config,
)
from .latency import Apps, LatencyRun, plan, profile_apps
from .report import print_idle, print_latency
from .sims import SimProcess, SimulatorError, start_simulator, stop_simulator

QUICK_PROFILES = ("gmui_android9", "androidtv11")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.benchha", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{', '.join(QUICK_PROFILES)} only, 8 changes, 60 s idle windows (about 4.5 min)",
    )
    parser.add_argument("--profiles", help="comma-separated profiles (default: all)")
    parser.add_argument("--changes", type=int, help="state changes (default 30)")
    parser.add_argument(
        "--power-every", type=int, default=15, help="every n-th change is POWER (0: never)"
    )
    parser.add_argument(
        "--idle-s", type=float, help="idle window per integration, a multiple of 60 s (default 120)"
    )
    parser.add_argument("--warmup-s", type=float, help="warm-up before a window (default 10)")
    parser.add_argument("--baseline-s", type=float, help="baseline window (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    return parser


def _progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


async def _start_sims(profiles: list[str], workdir: Path) -> dict[str, dict[str, SimProcess]]:
    sims: dict[str, dict[str, SimProcess]] = {OURS: {}, ANDROIDTV: {}}
    for index, profile in enumerate(profiles):
        for offset, name in enumerate((OURS, ANDROIDTV)):
            host = f"127.0.0.{10 + 2 * index + offset}"
            sims[name][profile] = await start_simulator(f"{name}-{profile}", profile, host, workdir)
    return sims


async def _add_all(
    hass: HomeAssistant, sims: dict[str, dict[str, SimProcess]], workdir: Path
) -> tuple[list[Projector], list[str]]:
    projectors: list[Projector] = []
    failures: list[str] = []
    for profile, sim in sims[OURS].items():
        try:
            projectors.append(await add_ours(hass, sim))
        except SetupError as err:
            failures.append(str(err))
        try:
            key = workdir / "androidtv_adbkey"
            projectors.append(await add_androidtv(hass, sims[ANDROIDTV][profile], key))
        except SetupError as err:
            failures.append(str(err))
    return projectors, failures


async def _settle(hass: HomeAssistant, projectors: list[Projector], apps: dict[str, Apps]) -> None:
    """Until every media player shows its projector at the launcher (or 60 s)."""
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        states = [hass.states.get(p.entity_id) for p in projectors]
        if all(
            s is not None and s.attributes.get("app_id") == apps[p.sim.profile].launcher
            for s, p in zip(states, projectors, strict=True)
        ):
            return
        await asyncio.sleep(0.5)


async def _run(args: argparse.Namespace, apps: dict[str, Apps], workdir: Path) -> str:
    started = time.monotonic()
    profiles = list(apps)
    _progress(f"starting {2 * len(profiles)} simulators ({', '.join(profiles)})")
    sims: dict[str, dict[str, SimProcess]] = {OURS: {}, ANDROIDTV: {}}
    try:
        sims = await _start_sims(profiles, workdir)
        _progress("starting Home Assistant")
        hass = await start_hass(workdir / "config")
        try:
            projectors, failures = await _add_all(hass, sims, workdir)
            for failure in failures:
                print(f"bench: setup_failed {failure}", flush=True)
            await _settle(hass, projectors, apps)
            steps = plan(args.changes, args.power_every)
            _progress(f"latency: {len(steps)} changes on {len(projectors)} media players")
            run = LatencyRun(hass, projectors, apps)
            await run.run(steps, _progress)
            for note in run.notes:
                print(f"  note: {note}", flush=True)
            state_p95_ms = print_latency(projectors, run.results)
            paired = {p.sim.profile for p in projectors if p.integration == ANDROIDTV}
            groups = {
                name: [p for p in projectors if p.integration == name and p.sim.profile in paired]
                for name in (OURS, ANDROIDTV)
            }
            windows = await measure_idle(
                hass,
                groups,
                baseline_s=args.baseline_s,
                warmup_s=args.warmup_s,
                window_s=args.idle_s,
                progress=_progress,
            )
            cpu_ratio = print_idle(windows)
        finally:
            await hass.async_stop()
    finally:
        for by_profile in sims.values():
            for sim in by_profile.values():
                await stop_simulator(sim)
    print(f"bench: ha_bench_seconds={time.monotonic() - started:.0f}", flush=True)
    return f"state_p95_ms={state_p95_ms:.0f} cpu_ratio={cpu_ratio:.2f}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quick = args.quick
    profiles = (
        args.profiles.split(",")
        if args.profiles
        else list(QUICK_PROFILES if quick else list_profiles())
    )
    args.changes = args.changes or (8 if quick else 30)
    args.power_every = min(args.power_every, args.changes) if args.power_every else 0
    args.idle_s = args.idle_s or (60.0 if quick else 120.0)
    args.warmup_s = args.warmup_s or 10.0
    args.baseline_s = args.baseline_s or (10.0 if quick else 20.0)
    apps = {profile: profile_apps(profile) for profile in profiles}
    workdir = Path(tempfile.mkdtemp(prefix="benchha-"))
    write_config(workdir / "config")
    asyncio.set_event_loop_policy(runner.HassEventLoopPolicy(False))
    try:
        summary = asyncio.run(_run(args, apps, workdir))
    except (SimulatorError, SetupError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        asyncio.set_event_loop_policy(None)
        if args.keep:
            print(f"work directory kept: {workdir}", flush=True)
        else:
            # Home Assistant's blocking-call guard still watches this thread (the loop's):
            # remove the work directory from another one.
            remover = threading.Thread(
                target=shutil.rmtree, args=(workdir,), kwargs={"ignore_errors": True}
            )
            remover.start()
            remover.join()
    print(f"bench: {summary}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
