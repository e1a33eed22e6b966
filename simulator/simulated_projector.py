"""``Simulator``: a simulated XGIMI projector — device model, ADB daemon, optional smart-plug API.

::

    async with Simulator("gmui_android12", mains_port=0, boot_s=0.1) as sim:
        print(sim.port, sim.mains_port)       # ADB on 127.0.0.1:sim.port
        sim.device.press(2100)                # 关屏
        sim.set_prompt(PromptMode.NEVER)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

from .adb import AdbDaemon
from .clock import SimClock
from .device import DeviceModel
from .faults import Fault, FaultState, PromptMode
from .mains import MainsServer
from .power import DeviceState
from .profiles import Profile, load_profile

__all__ = ["Simulator"]


class Simulator:
    """One simulated projector on loopback.

    ``mains_on=True`` starts with the plug on and the projector already booted (ON);
    ``mains_on=False`` starts with the plug off (call ``device.mains_on()`` to boot it).
    ``mains_port=None`` runs no mains API; ``0`` picks a free port.
    """

    def __init__(
        self,
        profile: str | Path | Profile = "gmui_android9",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mains_port: int | None = None,
        prompt: PromptMode | str = PromptMode.ACCEPT,
        prompt_delay_s: float = 0.5,
        faults: Iterable[Fault | str] = (),
        latency_s: float = 0.0,
        boot_s: float | None = None,
        network_drop_s: float | None = None,
        mains_on: bool = True,
        keys_file: Path | str | None = None,
        auto_power_on: bool = True,
        clock: SimClock | None = None,
    ) -> None:
        self.profile = profile if isinstance(profile, Profile) else load_profile(profile)
        self.host = host
        self._faults = FaultState(active={Fault(f) for f in faults}, latency_s=latency_s)
        self._device = DeviceModel(
            self.profile,
            state=DeviceState.ON if mains_on else DeviceState.MAINS_OFF,
            boot_s=boot_s,
            network_drop_s=network_drop_s,
            auto_power_on=auto_power_on,
            clock=clock,
        )
        self._daemon = AdbDaemon(
            self._device,
            host=host,
            port=port,
            prompt_mode=PromptMode(prompt),
            prompt_delay_s=prompt_delay_s,
            faults=self._faults,
            keys_file=Path(keys_file) if keys_file is not None else None,
        )
        self._mains: MainsServer | None = None
        if mains_port is not None:
            self._mains = MainsServer(
                self._device,
                faults=self._faults,
                set_prompt=self.set_prompt,
                get_prompt=lambda: self._daemon.prompt_mode,
                host=host,
                port=mains_port,
            )
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._started:
            return
        await self._daemon.start()
        try:
            if self._mains is not None:
                await self._mains.start()
        except BaseException:
            await self._daemon.stop()
            raise
        self._started = True

    async def stop(self) -> None:
        """Stop the mains API and the daemon, cancel the device's timers and kill its shells."""
        try:
            if self._mains is not None:
                await self._mains.stop()
            # Let done-callbacks of connection tasks that just ended run first: AdbDaemon.stop()
            # loops ``while self._tasks: await gather(...)``, and gather over already-done tasks
            # returns without yielding (Python 3.12+), so a finished task whose discard callback
            # is still queued would make it spin forever.
            await asyncio.sleep(0)
            await self._daemon.stop()
        finally:
            await self._device.aclose()
            self._started = False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ accessors

    @property
    def port(self) -> int:
        """The ADB port (real one after ``start()``)."""
        return self._daemon.port

    @property
    def mains_port(self) -> int | None:
        """The mains API port, or ``None`` when there is no mains API."""
        return self._mains.port if self._mains is not None else None

    @property
    def device(self) -> DeviceModel:
        return self._device

    @property
    def daemon(self) -> AdbDaemon:
        return self._daemon

    @property
    def mains(self) -> MainsServer | None:
        return self._mains

    @property
    def faults(self) -> FaultState:
        """The fault state shared with the daemon; mutate it to switch faults at runtime."""
        return self._faults

    @property
    def prompt_mode(self) -> PromptMode:
        return self._daemon.prompt_mode

    def set_prompt(self, mode: PromptMode | str) -> None:
        """How the simulated person answers "Allow USB debugging?" from now on."""
        self._daemon.prompt_mode = PromptMode(mode)
