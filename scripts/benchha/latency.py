"""Change-to-state latency: a change made in the simulator, until it shows in ``hass.states``.

Every step applies the same change to all simulators at once (one ``POST /api/device`` each,
sent together): an app opened from the launcher, HOME or BACK from the projector's own remote,
a volume step, or POWER (standby). The value each media player must then show is known before
the change is sent (``app_id``, ``volume_level`` or ``off``), so a watcher on ``state_changed``
is armed first and notes the first state that shows it; the latency runs from just before the
requests go out. After every step the bench waits until all watchers are done (or time out),
then a random time in [0, scan interval) so that changes land at every phase of the polls.
A POWER step is followed by a plug cycle (off, on: the projector boots in ``BOOT_S``); the time
from the end of that boot until each media player is back on is kept as its own row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import math
import random
import time
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_state_change_event

from simulator.profiles import load_profile

from .hass import Projector
from .sims import BOOT_S, SimProcess

SCAN_INTERVAL_S = 10.0
"""Both integrations' default poll interval: the spread of the random wait between changes."""
CHANGE_TIMEOUT_S = 30.0
POWER_ON_TIMEOUT_S = 120.0
MAX_MISSES = 2
"""A media player that misses this many changes in a row is no longer followed."""
CYCLE = ("launch_a", "volume", "home", "launch_b", "volume", "back")

Predicate = Callable[[State], bool]


@dataclass(frozen=True)
class Apps:
    """What one profile's launcher and two of its apps are called."""

    launcher: str
    a: str
    b: str


def profile_apps(profile: str) -> Apps:
    """The launcher package and the first two third-party apps with a main activity (reads
    the profile's files: call it before Home Assistant runs, or in an executor)."""
    spec = load_profile(profile)
    launcher = spec.launcher.partition("/")[0]
    apps = [
        name
        for name, package in spec.packages.items()
        if not package.system and package.main_activity() is not None and name != launcher
    ]
    return Apps(launcher, apps[0], apps[1])


def plan(changes: int, power_every: int) -> list[str]:
    """The steps: the cycle, with POWER every ``power_every``-th change (the cycle restarts
    after it, at the launcher)."""
    steps: list[str] = []
    position = 0
    for number in range(1, changes + 1):
        if power_every and number % power_every == 0:
            steps.append("power")
            position = 0
        else:
            steps.append(CYCLE[position % len(CYCLE)])
            position += 1
    return steps


@dataclass
class Result:
    """Latencies of one media player, in seconds (``None``: not seen within the timeout)."""

    samples: list[tuple[str, float | None]] = field(default_factory=list)
    power_on: list[float | None] = field(default_factory=list)
    misses_in_row: int = 0

    @property
    def followed(self) -> bool:
        return self.misses_in_row < MAX_MISSES

    def seen(self) -> list[float]:
        return [value for _, value in self.samples if value is not None]

    def latencies(self) -> list[float]:
        """Every change; one not seen within the timeout counts as infinitely late."""
        return [math.inf if value is None else value for _, value in self.samples]

    def missed(self) -> int:
        return sum(value is None for _, value in self.samples)


@dataclass
class _Watch:
    predicate: Predicate
    done: asyncio.Future[float]


class Watcher:
    """Notes when each media player first shows what it should (``state_changed`` events)."""

    def __init__(self, hass: HomeAssistant, projectors: list[Projector]) -> None:
        self.hass = hass
        self._by_entity = {p.entity_id: p for p in projectors}
        self._armed: dict[str, _Watch] = {}
        self._unsub = async_track_state_change_event(hass, list(self._by_entity), self._changed)

    def close(self) -> None:
        self._unsub()

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        when = time.monotonic()
        watch = self._armed.get(event.data["entity_id"])
        new = event.data["new_state"]
        if watch is not None and new is not None and not watch.done.done() and watch.predicate(new):
            watch.done.set_result(when)

    def arm(self, projector: Projector, predicate: Predicate) -> asyncio.Future[float]:
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._armed[projector.entity_id] = _Watch(predicate, done)
        return done

    def disarm(self) -> None:
        for watch in self._armed.values():
            if not watch.done.done():
                watch.done.cancel()
        self._armed.clear()


def _app(package: str) -> Predicate:
    return lambda state: state.attributes.get("app_id") == package


def _volume(level: float, step: float) -> Predicate:
    def check(state: State) -> bool:
        value = state.attributes.get("volume_level")
        return isinstance(value, int | float) and abs(value - level) < step / 4

    return check


def _off(state: State) -> bool:
    return state.state == "off"


def _back_on(launcher: str) -> Predicate:
    def check(state: State) -> bool:
        return (
            state.state not in ("off", "unavailable", "unknown")
            and state.attributes.get("app_id") == launcher
        )

    return check


def step_request(step: str, device: dict[str, Any], apps: Apps) -> tuple[dict[str, Any], Predicate]:
    """The request for one simulator and what its media players must show afterwards."""
    volume, volume_max = int(device["volume"]), int(device["volume_max"])
    if step == "launch_a":
        return {"action": "launch", "package": apps.a}, _app(apps.a)
    if step == "launch_b":
        return {"action": "launch", "package": apps.b}, _app(apps.b)
    if step in ("home", "back"):
        return {"action": "press", "key": step.upper()}, _app(apps.launcher)
    if step == "volume":
        up = volume <= volume_max // 2
        target = volume + (1 if up else -1)
        key = "VOLUME_UP" if up else "VOLUME_DOWN"
        return {"action": "press", "key": key}, _volume(target / volume_max, 1 / volume_max)
    if step == "power":
        return {"action": "press", "key": "POWER"}, _off
    raise ValueError(step)


class LatencyRun:
    """Runs the plan against paired projectors; results per media player."""

    def __init__(
        self,
        hass: HomeAssistant,
        projectors: list[Projector],
        apps: dict[str, Apps],
        seed: int = 13,
    ) -> None:
        self.hass = hass
        self.projectors = projectors
        self.sims: list[SimProcess] = list({id(p.sim): p.sim for p in projectors}.values())
        self.apps = apps
        self.results = {p.label: Result() for p in projectors}
        self.watcher = Watcher(hass, projectors)
        self.rng = random.Random(seed)
        self.notes: list[str] = []

    async def run(self, steps: list[str], progress: Callable[[str], None]) -> None:
        try:
            for number, step in enumerate(steps, 1):
                await self._step(step)
                if step == "power":
                    await self._power_on()
                progress(f"change {number}/{len(steps)} ({step}) done")
                await asyncio.sleep(self.rng.uniform(0.0, SCAN_INTERVAL_S))
        finally:
            self.watcher.close()

    async def _step(self, step: str) -> None:
        devices = await asyncio.gather(*(sim.state() for sim in self.sims))
        requests = {
            id(sim): step_request(step, device, self.apps[sim.profile])
            for sim, device in zip(self.sims, devices, strict=True)
        }
        armed: dict[str, asyncio.Future[float]] = {}
        for projector in self.projectors:
            if not self.results[projector.label].followed:
                continue
            predicate = requests[id(projector.sim)][1]
            current = self.hass.states.get(projector.entity_id)
            if current is not None and predicate(current):
                # It still shows an older state that happens to be the new one: not measurable.
                self.notes.append(f"{step}: {projector.label} already showed it; not counted")
                continue
            armed[projector.label] = self.watcher.arm(projector, predicate)
        started = time.monotonic()
        await asyncio.gather(*(sim.post(requests[id(sim)][0]) for sim in self.sims))
        await self._collect(armed, started, CHANGE_TIMEOUT_S, step)

    async def _collect(
        self, armed: dict[str, asyncio.Future[float]], started: float, wait_s: float, step: str
    ) -> None:
        if armed:
            await asyncio.wait(armed.values(), timeout=wait_s)
        for label, done in armed.items():
            result = self.results[label]
            value = done.result() - started if done.done() and not done.cancelled() else None
            if step == "power_on":
                result.power_on.append(value)
                continue
            result.samples.append((step, value))
            result.misses_in_row = 0 if value is not None else result.misses_in_row + 1
        self.watcher.disarm()

    async def _power_on(self) -> None:
        """Plug off and on: the projector boots; wait until every media player is back on."""
        await asyncio.gather(*(sim.post({"action": "mains_off"}) for sim in self.sims))
        armed = {
            p.label: self.watcher.arm(p, _back_on(self.apps[p.sim.profile].launcher))
            for p in self.projectors
            if self.results[p.label].followed
        }
        await asyncio.gather(*(sim.post({"action": "mains_on"}) for sim in self.sims))
        booted = time.monotonic() + BOOT_S
        await self._collect(armed, booted, BOOT_S + POWER_ON_TIMEOUT_S, "power_on")
