"""The projector's power model: mains, boot, 关屏, standby, the network, and the model's timers.

Power states (docs/xgimi.md §3.1, §2.3)::

    MAINS_OFF --mains on, auto power-on--> BOOTING --boot_s--> ON <--2100--> SCREEN_OFF (关屏)
    MAINS_OFF --mains on, no auto power-on--> STANDBY (network down)
    ON / SCREEN_OFF --POWER / SLEEP--> STANDBY (关机): Asleep; reachable for network_drop_s
    STANDBY --(nothing but a mains cycle with auto power-on)--> BOOTING

:class:`PowerModel` knows only power; :class:`~simulator.device.DeviceModel` builds on it and
fills in what Android does at each transition through the ``_on_*`` hooks.

Timers (boot, network drop, reboot, and the device's autofocus) run on the model's clock
(:mod:`simulator.clock`: the running event loop, or a virtual clock);
:meth:`PowerModel.fast_forward` completes them at once. A model on the real clock used without
a running loop only changes state on :meth:`~PowerModel.fast_forward`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
import contextlib
from dataclasses import dataclass
import enum
import logging
from typing import Any

from .clock import RealClock, SimClock, TimerHandle
from .profiles import Profile

__all__ = ["AWAKE", "DeviceState", "PowerModel"]

_LOGGER = logging.getLogger(__name__)


class DeviceState(enum.StrEnum):
    """Power state of the projector."""

    MAINS_OFF = "mains_off"
    BOOTING = "booting"
    ON = "on"
    SCREEN_OFF = "screen_off"
    """关屏: the light engine is off; Android is awake and thinks the display is on."""
    STANDBY = "standby"
    """关机: suspend-to-RAM; the network drops ``network_drop_s`` after entering."""


AWAKE = (DeviceState.ON, DeviceState.SCREEN_OFF)

RESUME_S = 2.5
"""How long a woken projector takes from 关机 standby to awake with its network up (a resume
from suspend, not a boot; XGIMI's quick start is a few seconds)."""
"""The states in which Android runs (and the light may be off)."""


class _Completed:
    """What :meth:`PowerModel.fast_forward` returns: already done; awaitable for convenience."""

    __slots__ = ()

    def __await__(self) -> Generator[Any]:
        return (yield from asyncio.sleep(0).__await__())


@dataclass(slots=True)
class _Timer:
    due: float
    callback: Callable[[], None]
    handle: TimerHandle | None = None


class PowerModel:
    """Power states, the smart plug, the network, listeners and named timers.

    Subclasses hook into the transitions: :meth:`_reset_runtime` (a new Android runtime),
    :meth:`_on_halt` (Android stops: boot start or power cut), :meth:`_on_boot_completed`
    (just before ON), :meth:`_on_booted` (just after), :meth:`_on_sleep` (entering standby) and
    :meth:`_on_screen_off`.
    """

    def __init__(
        self,
        profile: Profile,
        *,
        boot_s: float | None = None,
        network_drop_s: float | None = None,
        auto_power_on: bool = True,
        reboot_delay_s: float = 0.1,
        clock: SimClock | None = None,
    ) -> None:
        self.clock: SimClock = clock or RealClock()
        """Time for the model's transitions (a :class:`~simulator.clock.VirtualClock` in tests)."""
        self.profile: Profile = profile
        self.boot_s = float(profile.boot_s if boot_s is None else boot_s)
        self.resume_s = min(RESUME_S, self.boot_s)
        """A resume from standby (:meth:`resume`) is never slower than a boot."""
        self.network_drop_s = float(
            profile.network_drop_s if network_drop_s is None else network_drop_s
        )
        self.reboot_delay_s = reboot_delay_s
        self._auto_power_on = auto_power_on
        self._skew = 0.0
        self._timers: dict[str, _Timer] = {}
        self._reach_listeners: list[Callable[[bool], None]] = []
        self._state_listeners: list[Callable[[DeviceState], None]] = []
        self._state = DeviceState.MAINS_OFF
        self._network_up = False
        self._mains = False
        self._boot_time = self.now()
        self._last_wake = self.now()
        self._last_sleep: float | None = None
        self._sleep_reason = "unknown"

    def _start_in(self, initial: DeviceState) -> None:
        """Bring a new model (plug off) into ``initial`` as if it had got there."""
        if initial == DeviceState.MAINS_OFF:
            return
        self._mains = True
        if initial == DeviceState.BOOTING:
            self._start_boot()
            return
        self._boot_done()
        if initial == DeviceState.SCREEN_OFF:
            self.screen_off()
        elif initial == DeviceState.STANDBY:
            self.standby()

    # ------------------------------------------------------------------ hooks

    def _reset_runtime(self) -> None:
        """A fresh Android runtime (every boot, power cut, power-off)."""
        self._boot_time = self.now()
        self._last_wake = self.now()
        self._last_sleep = None
        self._sleep_reason = "unknown"

    def _on_halt(self, *, power_cut: bool) -> None:
        """Android stops: a boot starts, or (``power_cut``) the plug goes off."""

    def _on_boot_completed(self) -> None:
        """Android is up; the state becomes ON right after this."""

    def _on_booted(self) -> None:
        """The state just became ON after a boot."""

    def _on_sleep(self) -> None:
        """Android is about to go to sleep (standby)."""

    def _on_screen_off(self) -> None:
        """The light engine is about to go off (关屏)."""

    # ------------------------------------------------------------------ clock

    def now(self) -> float:
        """The model's time: its clock plus whatever :meth:`fast_forward` skipped."""
        return self.clock.now() + self._skew

    def since_boot_ms(self, t: float | None) -> int:
        """Model time ``t`` in ms since boot (``SystemClock.uptimeMillis``); 0 for None."""
        if t is None:
            return 0
        return max(0, int((t - self._boot_time) * 1000))

    @property
    def boot_time(self) -> float:
        return self._boot_time

    @property
    def last_wake(self) -> float:
        return self._last_wake

    @property
    def last_sleep(self) -> float | None:
        return self._last_sleep

    @property
    def sleep_reason(self) -> str:
        return self._sleep_reason

    @property
    def uptime_s(self) -> float:
        return (
            max(0.0, self.now() - self._boot_time) if self._state != DeviceState.MAINS_OFF else 0.0
        )

    # ------------------------------------------------------------------ timers

    def _schedule(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        self._cancel(name)
        timer = _Timer(self.now() + max(0.0, delay), callback)
        timer.handle = self.clock.call_later(max(0.0, delay), lambda: self._fire(name))
        self._timers[name] = timer

    def _cancel(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer and timer.handle:
            timer.handle.cancel()

    def _cancel_all(self) -> None:
        for name in list(self._timers):
            self._cancel(name)

    def _fire(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            if timer.handle:
                timer.handle.cancel()
            timer.callback()

    @property
    def pending_timers(self) -> dict[str, float]:
        """Pending transitions (``boot``, ``network_drop``, ``focus``, ``reboot``) → seconds."""
        now = self.now()
        return {name: max(0.0, t.due - now) for name, t in self._timers.items()}

    def fast_forward(self, seconds: float | None = None) -> Awaitable[None]:
        """Skip the clock: complete pending transitions now.

        With ``seconds=None`` every pending timer fires (in due order, including timers the fired
        ones schedule, e.g. a reboot's boot). Otherwise the model's clock moves ``seconds``
        ahead and only the timers due by then fire; the rest keep their remaining delay.

        The work is done before this returns; the result may be awaited (``await
        device.fast_forward()``) to also give the event loop one turn.
        """
        self._fast_forward(seconds)
        return _Completed()

    def _fast_forward(self, seconds: float | None) -> None:
        if seconds is None:
            for _ in range(100):
                if not self._timers:
                    break
                name, timer = min(self._timers.items(), key=lambda kv: kv[1].due)
                self._skew += max(0.0, timer.due - self.now())
                self._fire(name)
            return
        target = self.now() + seconds
        for _ in range(100):
            due = [(t.due, n) for n, t in self._timers.items() if t.due <= target]
            if not due:
                break
            when, name = min(due)
            self._skew += max(0.0, when - self.now())
            self._fire(name)
        self._skew += max(0.0, target - self.now())
        for name, timer in list(self._timers.items()):
            self._schedule(name, timer.due - self.now(), timer.callback)

    async def advance(self, seconds: float | None = None) -> None:
        """:meth:`fast_forward`, then let listeners scheduled on the loop run."""
        self._fast_forward(seconds)
        await asyncio.sleep(0)

    # ------------------------------------------------------------------ state and listeners

    @property
    def state(self) -> DeviceState:
        return self._state

    @property
    def reachable(self) -> bool:
        if self._state in AWAKE:
            return True
        return self._state == DeviceState.STANDBY and self._network_up

    @property
    def mains(self) -> bool:
        """Whether the smart plug feeds the projector."""
        return self._mains

    @property
    def auto_power_on(self) -> bool:
        """上电自动开机: boot when mains power returns."""
        return self._auto_power_on

    def set_auto_power_on(self, enabled: bool) -> None:
        self._auto_power_on = bool(enabled)
        _LOGGER.info("auto power-on (上电自动开机) %s", "enabled" if enabled else "disabled")

    @property
    def power_w(self) -> float:
        """What a power-metering plug would read, per state (from the profile)."""
        return float(self.profile.power_w.get(self._state.value, 0.0))

    def add_reachability_listener(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        self._reach_listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._reach_listeners.remove(callback)

        return remove

    def add_state_listener(self, callback: Callable[[DeviceState], None]) -> Callable[[], None]:
        """Call ``callback(state)`` on every power-state change; returns a remover."""
        self._state_listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._state_listeners.remove(callback)

        return remove

    def _set_state(self, new: DeviceState) -> None:
        old_reach = self.reachable
        if new != self._state:
            _LOGGER.info(
                "projector %s → %s (%.1f W)",
                self._state.value,
                new.value,
                self.profile.power_w.get(new.value, 0.0),
            )
            self._state = new
            for callback in list(self._state_listeners):
                try:
                    callback(new)
                except Exception:
                    _LOGGER.exception("state listener failed")
        self._notify_reach(old_reach)

    def _notify_reach(self, old: bool) -> None:
        new = self.reachable
        if new == old:
            return
        _LOGGER.info("network/adbd %s", "up" if new else "down")
        for callback in list(self._reach_listeners):
            try:
                callback(new)
            except Exception:
                _LOGGER.exception("reachability listener failed")

    # ------------------------------------------------------------------ power knobs

    def mains_on(self) -> None:
        """Plug on. Boots when 上电自动开机 is on; otherwise stays in standby, network down."""
        if self._mains:
            _LOGGER.info(
                "mains already on: nothing happens (the re-arm problem, docs/xgimi.md §3.3)"
            )
            return
        self._mains = True
        _LOGGER.info("mains on")
        if self._auto_power_on:
            self._start_boot()
        else:
            self._reset_runtime()
            self._network_up = False
            self._set_state(DeviceState.STANDBY)

    def mains_off(self) -> None:
        """Plug off: everything stops at once (a hard power cut)."""
        if not self._mains:
            return
        self._mains = False
        _LOGGER.info("mains off")
        self._cancel_all()
        self._network_up = False
        self._on_halt(power_cut=True)
        self._reset_runtime()
        self._set_state(DeviceState.MAINS_OFF)

    def _start_boot(self) -> None:
        self._cancel_all()
        self._network_up = False
        self._on_halt(power_cut=False)
        self._reset_runtime()
        self._set_state(DeviceState.BOOTING)
        self._schedule("boot", self.boot_s, self._boot_done)

    def _boot_done(self) -> None:
        self._boot_time = self.now() - (self.boot_s if self._state == DeviceState.BOOTING else 0.0)
        self._on_boot_completed()
        self._last_wake = self.now()
        self._network_up = True
        self._set_state(DeviceState.ON)
        self._on_booted()

    def standby(self, reason: str = "power_button") -> None:
        """关机: Android goes to sleep at once; the network follows ``network_drop_s`` later."""
        if self._state not in AWAKE:
            return
        self._last_sleep = self.now()
        self._sleep_reason = reason
        self._on_sleep()
        self._network_up = True
        self._set_state(DeviceState.STANDBY)
        self._schedule("network_drop", self.network_drop_s, self._network_drop)

    def resume(self, delay_s: float | None = None) -> None:
        """What the remote's wake (its BLE advertisement, or IR power) does in 关机 standby: the
        SoC resumes, and after ``delay_s`` (default :attr:`resume_s`) Android is awake with its
        network up; uptime, apps and settings stay (a resume, not a boot). Ignored in any other
        state."""
        if self._state != DeviceState.STANDBY:
            return
        self._cancel("network_drop")
        self._schedule("resume", self.resume_s if delay_s is None else delay_s, self._resumed)

    def _resumed(self) -> None:
        if self._state != DeviceState.STANDBY:
            return
        old = self.reachable
        self._network_up = True
        self._notify_reach(old)  # adbd listens again
        self._last_wake = self.now()
        self._set_state(DeviceState.ON)

    def _network_drop(self) -> None:
        if self._state != DeviceState.STANDBY:
            return
        old = self.reachable
        self._network_up = False
        _LOGGER.info("standby: Wi-Fi down, SoC suspended")
        self._notify_reach(old)

    def screen_off(self) -> None:
        """关屏: light engine off; Android stays Awake and reachable, audio keeps playing."""
        if self._state == DeviceState.ON:
            self._on_screen_off()
            self._set_state(DeviceState.SCREEN_OFF)

    def screen_on(self) -> None:
        """Light engine back on (from 关屏)."""
        if self._state == DeviceState.SCREEN_OFF:
            self._last_wake = self.now()
            self._set_state(DeviceState.ON)

    def reboot(self, *, delay_s: float = 0.0, power_off: bool = False) -> None:
        """Reboot now (or after ``delay_s``): connections drop, it boots again (``boot_s``).

        ``power_off`` (``reboot -p``) shuts Android down instead: standby with the network down
        until a mains cycle. The shell's ``reboot`` waits ``reboot_delay_s`` so that its (empty)
        answer still reaches the host, as on a real device.
        """
        if self._state in (DeviceState.MAINS_OFF, DeviceState.BOOTING):
            return

        def go() -> None:
            if power_off:
                self._cancel_all()
                self._reset_runtime()
                self._network_up = False
                self._set_state(DeviceState.STANDBY)
            else:
                _LOGGER.info("rebooting")
                self._start_boot()

        if delay_s <= 0:
            go()
        else:
            self._schedule("reboot", delay_s, go)
