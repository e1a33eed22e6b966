"""Tables and ``bench:`` lines of the Home Assistant bench."""

from __future__ import annotations

import math
import statistics

from .cost import Window
from .hass import ANDROIDTV, OURS, Projector
from .latency import CHANGE_TIMEOUT_S, Result


def p95(samples: list[float]) -> float:
    """Nearest rank, as ``scripts/bench.py`` computes it; NaN for no samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else math.nan


def _ms(value: float) -> str:
    """Milliseconds; ``nan`` without samples, ``inf`` when too many changes were never seen."""
    return f"{value * 1000:.0f}" if math.isfinite(value) else str(value)


def _ratio(ours: float, theirs: float) -> float:
    if not (math.isfinite(ours) and math.isfinite(theirs)) or theirs <= 0:
        return math.nan
    return ours / theirs


def print_latency(projectors: list[Projector], results: dict[str, Result]) -> float:
    """Per profile and integration; returns the worst per-profile p95 of ours, in ms."""
    profiles = list(dict.fromkeys(p.sim.profile for p in projectors))
    print()
    print(
        "Change-to-state latency in Home Assistant (ms; a change not seen within "
        f"{CHANGE_TIMEOUT_S:.0f} s is missed and counts as inf; power-on is counted from boot end)"
    )
    print(
        f"{'profile':16}{'integration':17}{'changes':>8}{'missed':>7}{'median':>8}{'p95':>8}"
        f"{'max':>8}{'power-on':>10}"
    )
    worst = math.nan
    pooled: dict[str, list[float]] = {OURS: [], ANDROIDTV: []}
    for profile in profiles:
        figures: dict[str, tuple[float, float]] = {}
        for name in (OURS, ANDROIDTV):
            result = results.get(f"{name}/{profile}")
            if result is None:
                print(f"{profile:16}{name:17}  (not set up)")
                continue
            seen = result.latencies()
            pooled[name] += seen
            on = [v for v in result.power_on if v is not None]
            figures[name] = (median(seen), p95(seen))
            print(
                f"{profile:16}{name:17}{len(result.samples):>8}{result.missed():>7}"
                f"{_ms(figures[name][0]):>8}{_ms(figures[name][1]):>8}"
                f"{_ms(max(seen, default=math.nan)):>8}{_ms(median(on)):>10}"
            )
            print(
                f"bench: ha_latency profile={profile} integration={name} "
                f"changes={len(result.samples)} missed={result.missed()} "
                f"median_ms={_ms(figures[name][0])} p95_ms={_ms(figures[name][1])} "
                f"power_on_median_ms={_ms(median(on))}"
            )
        if OURS in figures:
            worst = figures[OURS][1] if math.isnan(worst) else max(worst, figures[OURS][1])
        if len(figures) == 2:
            print(
                f"bench: ha_latency_ratio profile={profile} "
                f"median_ratio={_ratio(figures[OURS][0], figures[ANDROIDTV][0]):.2f} "
                f"p95_ratio={_ratio(figures[OURS][1], figures[ANDROIDTV][1]):.2f}"
            )
    for name, seen in pooled.items():
        print(
            f"bench: ha_latency_all integration={name} samples={len(seen)} "
            f"median_ms={_ms(median(seen))} p95_ms={_ms(p95(seen))}"
        )
    print(
        f"bench: ha_latency_all_ratio "
        f"median_ratio={_ratio(median(pooled[OURS]), median(pooled[ANDROIDTV])):.2f} "
        f"p95_ratio={_ratio(p95(pooled[OURS]), p95(pooled[ANDROIDTV])):.2f}"
    )
    print()
    return worst * 1000


def print_idle(windows: list[Window]) -> float:
    """CPU and commands per hour; returns ours/androidtv: the Home Assistant process's CPU with
    each integration alone (same projectors). The net figures (minus the baseline, per
    projector) are printed too, but a short baseline is noisy next to a cheap integration,
    so the ratio is of the whole process (which understates the difference, never inverts it)."""
    baseline = windows[0]
    print("Idle cost (projectors on, nothing happening; per hour, extrapolated)")
    print(
        f"{'loaded':17}{'projectors':>11}{'window':>9}{'CPU s/h':>10}{'net/projector':>15}"
        f"{'ADB cmds/h/projector':>22}"
    )
    net: dict[str, float] = {}
    for window in windows:
        extra = window.cpu_s_per_h - baseline.cpu_s_per_h
        per_projector = extra / window.projectors if window.projectors else math.nan
        net[window.label] = per_projector
        print(
            f"{window.label:17}{window.projectors:>11}{window.wall_s:>7.0f} s"
            f"{window.cpu_s_per_h:>10.1f}{per_projector:>15.1f}"
            f"{window.commands_per_h_per_projector:>22.0f}"
        )
        profiles = " ".join(
            f"{profile}={window.commands_per_h(profile):.0f}" for profile in window.shell_commands
        )
        print(
            f"bench: ha_idle loaded={window.label} projectors={window.projectors} "
            f"window_s={window.wall_s:.0f} cpu_s_per_h={window.cpu_s_per_h:.1f} "
            f"cpu_s_per_h_per_projector_net={per_projector:.1f} "
            f"adb_commands_per_h_per_projector={window.commands_per_h_per_projector:.0f}"
            + (f" adb_commands_per_h[{profiles}]" if profiles else "")
        )
    ours = next((w for w in windows if w.label == OURS), None)
    theirs = next((w for w in windows if w.label == ANDROIDTV), None)
    if ours is None or theirs is None:
        print()
        return math.nan
    ratio = _ratio(ours.cpu_s_per_h, theirs.cpu_s_per_h)
    commands = _ratio(ours.commands_per_h_per_projector, theirs.commands_per_h_per_projector)
    print(
        f"bench: ha_idle_ratio cpu_ratio={ratio:.2f} "
        f"cpu_net_ratio={_ratio(net[OURS], net[ANDROIDTV]):.2f} adb_commands_ratio={commands:.2f}"
    )
    print()
    return ratio
