"""``Simulator``: a simulated XGIMI projector — device model, ADB daemon, optional smart-plug API.

::

    async with Simulator("gmui_android12", mains_port=0, boot_s=0.1) as sim:
        print(sim.port, sim.mains_port)       # ADB on 127.0.0.1:sim.port
        print(sim.lan_port)                   # GMUI: UDP KEYPRESSES (docs/lan.md)
        sim.device.press(2100)                # 关屏
        sim.set_prompt(PromptMode.NEVER)
        await sim.set_adb_enabled(False)      # ADB port closed, UDP still answers
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
import socket
from types import TracebackType
from typing import Self

from .adb import AdbDaemon
from .clock import SimClock
from .device import DeviceModel
from .faults import Fault, FaultState, PromptMode
from .lan import LanResponder, LanSpec
from .mains import MainsServer
from .mdns import Announcer, start_announcer
from .power import DeviceState
from .profiles import Profile, load_profile

__all__ = ["Simulator"]


class Simulator:
    """One simulated projector on loopback.

    ``mains_on=True`` starts with the plug on and the projector already booted (ON);
    ``mains_on=False`` starts with the plug off (call ``device.mains_on()`` to boot it).
    ``mains_port=None`` runs no mains API; ``0`` picks a free port.

    XGIMI's LAN protocol (:mod:`simulator.lan`, GMUI profiles only): ``lan_port`` for UDP keys
    (``0`` a free port, ``None`` off; real projectors use 16735), ``discovery_port`` for the
    probe (off unless given; real 16752), answered to the prober on ``discovery_reply_port``.
    ``adb_enabled=False`` keeps the ADB port closed (connections refused) while UDP answers:
    a GMUI projector whose network ADB was never enabled. ``announce=True`` publishes
    ``_xgimi._tcp`` over mDNS (:mod:`simulator.mdns`).
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
        lan_port: int | None = 0,
        discovery_port: int | None = None,
        discovery_reply_port: int = 16751,
        adb_enabled: bool = True,
        announce: bool = False,
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
        self._adb_enabled = adb_enabled
        self._adb_reserved: socket.socket | None = None
        if not adb_enabled:  # hold the port from the start, so sim.port is known and refuses
            self._adb_reserved = _refusing_socket(host, port)
            port = self._adb_reserved.getsockname()[1]
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
        self.lan_spec = LanSpec.from_profile(self.profile)
        """What the profile says about XGIMI's LAN protocol; ``None``: the firmware ignores it."""
        self._lan: LanResponder | None = None
        if self.lan_spec is not None and (lan_port is not None or discovery_port is not None):
            self._lan = LanResponder(
                self._device,
                self.lan_spec,
                host=host,
                key_port=lan_port,
                discovery_port=discovery_port,
                reply_port=discovery_reply_port,
            )
        self._announce = announce
        self._announcer: Announcer | None = None
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._started:
            return
        if self._adb_enabled:
            await self._daemon.start()
        try:
            if self._mains is not None:
                await self._mains.start()
            if self._lan is not None:
                await self._lan.start()
            if self._announce:
                self._announcer = await start_announcer(self)
        except BaseException:
            await self._stop_parts()
            raise
        self._started = True

    async def stop(self) -> None:
        """Stop the mains API and the daemon, cancel the device's timers and kill its shells."""
        try:
            await self._stop_parts()
        finally:
            await self._device.aclose()
            self._started = False

    async def _stop_parts(self) -> None:
        if self._announcer is not None:
            await self._announcer.close()
            self._announcer = None
        if self._lan is not None:
            await self._lan.stop()
        self._release_adb_port()
        if self._mains is not None:
            await self._mains.stop()
        # Let done-callbacks of connection tasks that just ended run first: AdbDaemon.stop()
        # loops ``while self._tasks: await gather(...)``, and gather over already-done tasks
        # returns without yielding (Python 3.12+), so a finished task whose discard callback
        # is still queued would make it spin forever.
        await asyncio.sleep(0)
        await self._daemon.stop()

    # ------------------------------------------------------------------ ADB switch

    @property
    def adb_enabled(self) -> bool:
        """Whether network ADB answers (when off, the port is held but refuses connections)."""
        return self._adb_enabled

    async def set_adb_enabled(self, enabled: bool) -> None:
        """Switch network ADB on or off at runtime, on the same port (after :meth:`start`;
        before it, use the constructor's ``adb_enabled``)."""
        if not self._started:
            raise RuntimeError("set_adb_enabled() needs a started simulator; use adb_enabled=")
        if enabled == self._adb_enabled:
            return
        self._adb_enabled = enabled
        if enabled:
            self._release_adb_port()
            await self._daemon.start()
        else:
            await self._daemon.stop()
            self._reserve_adb_port()

    def _reserve_adb_port(self) -> None:
        self._adb_reserved = _refusing_socket(self.host, self._daemon.port)

    def _release_adb_port(self) -> None:
        if self._adb_reserved is not None:
            self._adb_reserved.close()
            self._adb_reserved = None

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
    def lan(self) -> LanResponder | None:
        """The UDP side (GMUI profiles), or ``None``."""
        return self._lan

    @property
    def lan_port(self) -> int | None:
        """The UDP key port (real one after ``start()``), or ``None`` when not listening."""
        return self._lan.key_port if self._lan is not None else None

    @property
    def discovery_port(self) -> int | None:
        """The UDP discovery port, or ``None`` when not listening."""
        return self._lan.discovery_port if self._lan is not None else None

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


def _refusing_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` that never listens: connections are refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock
