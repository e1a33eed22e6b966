"""The power of a "LAN keys only" projector (:meth:`Projector.lan_only`): no ADB to watch.

The :class:`PowerManager` machinery stays for what it observes without ADB (the plug's power
reading, its draw levels and phase), while turning on and off take the only paths there are:
the plug's cycle for 上电自动开机 (:func:`~.lan.power_on_by_plug`) and the protocol's power-off
code (:meth:`~.lan.LanKeys.turn_off`). Nothing confirms either; the power reading shows the
result where there is one, and :attr:`Projector.assumed_on` records what was sent.
"""

from __future__ import annotations

import asyncio

from .lan import power_on_by_plug
from .power import PowerManager, PowerOffResult, PowerOnResult


class LanPowerManager(PowerManager):
    """:class:`PowerManager` for a projector without ADB (its sequences need ADB)."""

    async def turn_on(self) -> PowerOnResult:
        """Through the plug; ``ALREADY_ON`` when the power reading says the lamp is on.

        Raises :class:`~.errors.NoPlugError` / :class:`~.errors.PlugUnavailableError`."""
        return await self.start_turn_on()

    def start_turn_on(self) -> asyncio.Task[PowerOnResult]:
        return self._create_task(self._turn_on(), f"{self.projector.host} LAN power-on")

    async def _turn_on(self) -> PowerOnResult:
        if self.tracker is not None and self.is_on:
            return PowerOnResult.ALREADY_ON
        await power_on_by_plug(self.plug, self.settings.rearm_off_s)
        self.projector.assumed_on = True
        self.changed()
        return PowerOnResult.BOOTED

    async def turn_off(self) -> PowerOffResult:
        """The protocol's power-off code, sent once."""
        await self.projector.turn_off()
        self.changed()
        return PowerOffResult.SENT
