"""The smart plug the projector is plugged into, as the power sequences see it."""

from __future__ import annotations

from typing import Protocol

__all__ = ["Plug"]


class Plug(Protocol):
    """A smart plug the projector is plugged into."""

    @property
    def available(self) -> bool: ...

    @property
    def is_on(self) -> bool | None:
        """True/False, or None when unknown."""

    @property
    def has_power_sensor(self) -> bool: ...

    def power_w(self) -> float | None:
        """The latest reading in watts, or None (no sensor, unavailable, not numeric)."""

    async def refresh_power(self) -> float | None:
        """Ask for a fresh reading, then return :meth:`power_w`."""

    async def turn_on(self) -> None:
        """Switch on and wait until the plug reports on (raises :class:`PowerError`)."""

    async def turn_off(self) -> None:
        """Switch off and wait until the plug reports off (raises :class:`PowerError`)."""
