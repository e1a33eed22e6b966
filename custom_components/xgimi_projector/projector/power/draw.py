"""The plug's power draw: thresholds from a calibration, levels, and a level over time."""

from __future__ import annotations

from dataclasses import dataclass
import enum

from ..errors import CalibrationError
from .clock import SYSTEM_CLOCK, Clock, Dwell

__all__ = ["MIN_CALIBRATION_GAP_W", "DrawLevel", "DrawTracker", "PowerThresholds"]

MIN_CALIBRATION_GAP_W = 2.0
"""Standby and in-use readings closer than this cannot be told apart reliably."""


class DrawLevel(enum.StrEnum):
    STANDBY = "standby"
    """At or below the standby threshold: mains off, or 关机."""
    IDLE = "idle"
    """Between the thresholds: 关屏, or booting."""
    ACTIVE = "active"
    """At or above the in-use threshold: the light is on."""


@dataclass(frozen=True, slots=True)
class PowerThresholds:
    """Where the plug's reading switches level, from a calibration (never hard-coded watts)."""

    standby_max_w: float
    on_min_w: float

    def __post_init__(self) -> None:
        if not 0 <= self.standby_max_w < self.on_min_w:
            raise ValueError("thresholds must satisfy 0 <= standby_max_w < on_min_w")

    @property
    def hysteresis_w(self) -> float:
        """How far past a threshold a reading must go to leave the current level."""
        return max(0.3, 0.1 * (self.on_min_w - self.standby_max_w))

    def classify(self, watts: float, previous: DrawLevel | None = None) -> DrawLevel:
        """The level of ``watts``; with ``previous``, readings near a threshold keep it."""
        margin = self.hysteresis_w
        if previous is DrawLevel.STANDBY and watts <= self.standby_max_w + margin:
            return DrawLevel.STANDBY
        if previous is DrawLevel.ACTIVE and watts >= self.on_min_w - margin:
            return DrawLevel.ACTIVE
        if (
            previous is DrawLevel.IDLE
            and self.standby_max_w - margin < watts < self.on_min_w + margin
        ):
            return DrawLevel.IDLE
        if watts <= self.standby_max_w:
            return DrawLevel.STANDBY
        if watts >= self.on_min_w:
            return DrawLevel.ACTIVE
        return DrawLevel.IDLE

    def is_standby(self, watts: float | None) -> bool:
        """A reading (no hysteresis) at the standby level; an unknown one is not."""
        return watts is not None and self.classify(watts) is DrawLevel.STANDBY

    @classmethod
    def from_calibration(
        cls, *, standby_w: float, on_w: float, screen_off_w: float | None = None
    ) -> PowerThresholds:
        """Thresholds from readings taken in standby, in use, and optionally in 关屏.

        Raises :class:`CalibrationError` when the readings cannot be told apart.
        """
        if min(standby_w, on_w, screen_off_w or 0.0) < 0:
            raise CalibrationError("negative")
        if on_w - standby_w < MIN_CALIBRATION_GAP_W:
            raise CalibrationError("too_close")
        if screen_off_w is None:
            gap = on_w - standby_w
            return cls(standby_w + max(1.0, 0.1 * gap), standby_w + 0.5 * gap)
        if not standby_w + 0.5 <= screen_off_w <= on_w - 1.0:
            raise CalibrationError("screen_off_out_of_range")
        return cls(
            standby_w + (screen_off_w - standby_w) / 2,
            screen_off_w + (on_w - screen_off_w) / 2,
        )


_RANK = {DrawLevel.STANDBY: 0, DrawLevel.IDLE: 1, DrawLevel.ACTIVE: 2}


class DrawTracker:
    """The draw level over time: hysteresis, and a *lower* level must last ``dwell_s``.

    Rising levels apply at once (a projector cannot draw its in-use power with the light off);
    falling ones wait, so a dark scene does not read as 关屏.
    """

    def __init__(
        self, thresholds: PowerThresholds, *, dwell_s: float = 5.0, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.thresholds = thresholds
        self.level: DrawLevel | None = None
        self.watts: float | None = None
        self._pending: DrawLevel | None = None
        self._dwell = Dwell(clock, dwell_s)
        """How long the lower ``_pending`` level has lasted."""

    @property
    def dwell_s(self) -> float:
        return self._dwell.hold_s

    def update(self, watts: float | None) -> DrawLevel | None:
        """Feed a reading (None: unknown); returns the settled level."""
        self.watts = watts
        if watts is None:
            self.level = self._pending = None
            self._dwell.reset()
            return None
        candidate = self.thresholds.classify(watts, self.level)
        if self.level is None or _RANK[candidate] >= _RANK[self.level]:
            self.level, self._pending = candidate, None
            self._dwell.reset()
            return self.level
        if candidate is not self._pending:
            self._pending = candidate
            self._dwell.reset()
        if self._dwell.update(True):
            self.level, self._pending = candidate, None
            self._dwell.reset()
        return self.level
