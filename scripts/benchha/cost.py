"""Idle cost: CPU seconds of this (the Home Assistant) process and ADB shell commands, per hour.

The projectors are on and nothing happens. First no entry is loaded (the baseline: Home
Assistant alone), then each integration alone with all its entries loaded, after a warm-up.
CPU is ``time.process_time()`` (user + system, all threads of this process) over the window,
extrapolated to an hour; the simulators run in other processes, so their cost is not in it.
Shell commands are the ``shell_commands`` counter of each simulator over the same window.

An integration's entries are loaded together, so their timers run in step: a window that is not
a multiple of the slowest poll interval (60 s for ours with a healthy event stream) counts the
same whole number of polls on every projector and over- or understates them all alike; keep it
a multiple of 60 s. androidtv's screenshot every 5 min (taken at setup) falls outside a 120 s
window: about 12 commands an hour per projector are left out of its figure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import time

from homeassistant.core import HomeAssistant

from .hass import Projector, set_loaded

HOUR_S = 3600.0


@dataclass
class Window:
    """One measured window."""

    label: str
    projectors: int
    wall_s: float
    cpu_s: float
    shell_commands: dict[str, int]
    """Profile → shell commands its simulator served in the window."""

    @property
    def cpu_s_per_h(self) -> float:
        return self.cpu_s / self.wall_s * HOUR_S

    def commands_per_h(self, profile: str) -> float:
        return self.shell_commands[profile] / self.wall_s * HOUR_S

    @property
    def commands_per_h_per_projector(self) -> float:
        if not self.shell_commands:
            return 0.0
        return sum(self.shell_commands.values()) / len(self.shell_commands) / self.wall_s * HOUR_S


async def _window(label: str, projectors: list[Projector], seconds: float) -> Window:
    sims = [p.sim for p in projectors]
    before = await asyncio.gather(*(sim.shell_commands() for sim in sims))
    wall, cpu = time.monotonic(), time.process_time()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    after = await asyncio.gather(*(sim.shell_commands() for sim in sims))
    counts = {sim.profile: b - a for sim, a, b in zip(sims, before, after, strict=True)}
    return Window(label, len(projectors), wall, cpu, counts)


async def measure_idle(
    hass: HomeAssistant,
    groups: dict[str, list[Projector]],
    *,
    baseline_s: float,
    warmup_s: float,
    window_s: float,
    progress: Callable[[str], None],
) -> list[Window]:
    """Baseline (nothing loaded), then each group alone; leaves every entry unloaded."""
    everything = [p for group in groups.values() for p in group]
    await set_loaded(hass, everything, loaded=False)
    await asyncio.sleep(5.0)  # connections closed, tasks done
    progress(f"idle: baseline, nothing loaded, {baseline_s:.0f} s")
    windows = [await _window("baseline", [], baseline_s)]
    for name, projectors in groups.items():
        await set_loaded(hass, projectors, loaded=True)
        progress(
            f"idle: {name} alone ({len(projectors)} projectors), warm-up {warmup_s:.0f} s, "
            f"window {window_s:.0f} s"
        )
        await asyncio.sleep(warmup_s)
        windows.append(await _window(name, projectors, window_s))
        await set_loaded(hass, projectors, loaded=False)
    return windows
