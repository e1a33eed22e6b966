"""Power draw: thresholds from a calibration, levels with hysteresis, a level over time."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.projector import (
    CalibrationError,
    DrawLevel,
    DrawTracker,
    PowerThresholds,
)
from simulator import VirtualClock

from .conftest import SIM_THRESHOLDS as SIM


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ({"standby_w": 0.5, "on_w": 65.0}, (6.95, 32.75)),
        ({"standby_w": 0.0, "on_w": 5.0}, (1.0, 2.5)),
        ({"standby_w": 0.5, "on_w": 65.0, "screen_off_w": 9.0}, (4.75, 37.0)),
        ({"standby_w": 1.2, "on_w": 120.0, "screen_off_w": 15.0}, (8.1, 67.5)),
    ],
)
def test_calibration_thresholds(readings: dict[str, float], expected: tuple[float, float]) -> None:
    thresholds = PowerThresholds.from_calibration(**readings)
    assert (thresholds.standby_max_w, thresholds.on_min_w) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("readings", "reason"),
    [
        ({"standby_w": 0.5, "on_w": 2.0}, "too_close"),
        ({"standby_w": 60.0, "on_w": 0.5}, "too_close"),
        ({"standby_w": -1.0, "on_w": 60.0}, "negative"),
        ({"standby_w": 0.5, "on_w": 65.0, "screen_off_w": 0.7}, "screen_off_out_of_range"),
        ({"standby_w": 0.5, "on_w": 65.0, "screen_off_w": 70.0}, "screen_off_out_of_range"),
    ],
)
def test_calibration_rejects(readings: dict[str, float], reason: str) -> None:
    with pytest.raises(CalibrationError) as err:
        PowerThresholds.from_calibration(**readings)
    assert err.value.reason == reason


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="standby_max_w < on_min_w"):
        PowerThresholds(10.0, 5.0)


@pytest.mark.parametrize(
    ("watts", "previous", "expected"),
    [
        (0.0, None, DrawLevel.STANDBY),
        (6.95, None, DrawLevel.STANDBY),
        (9.0, None, DrawLevel.IDLE),
        (30.0, None, DrawLevel.IDLE),
        (32.75, None, DrawLevel.ACTIVE),
        (65.0, None, DrawLevel.ACTIVE),
        # hysteresis (3.2 W here): near a threshold the previous level holds …
        (9.0, DrawLevel.STANDBY, DrawLevel.STANDBY),
        (31.0, DrawLevel.ACTIVE, DrawLevel.ACTIVE),
        (34.0, DrawLevel.IDLE, DrawLevel.IDLE),
        (5.0, DrawLevel.IDLE, DrawLevel.IDLE),
        # … and beyond it the reading wins.
        (12.0, DrawLevel.STANDBY, DrawLevel.IDLE),
        (25.0, DrawLevel.ACTIVE, DrawLevel.IDLE),
        (40.0, DrawLevel.IDLE, DrawLevel.ACTIVE),
        (1.0, DrawLevel.IDLE, DrawLevel.STANDBY),
        (0.5, DrawLevel.ACTIVE, DrawLevel.STANDBY),
    ],
)
def test_classify(watts: float, previous: DrawLevel | None, expected: DrawLevel) -> None:
    assert SIM.classify(watts, previous) is expected


@pytest.mark.parametrize(
    ("watts", "expected"), [(None, False), (0.5, True), (6.95, True), (9.0, False)]
)
def test_is_standby(watts: float | None, expected: bool) -> None:
    assert SIM.is_standby(watts) is expected


async def test_tracker_needs_the_new_level_to_last() -> None:
    clock = VirtualClock(start=0.0)
    tracker = DrawTracker(SIM, dwell_s=5.0, clock=clock)
    assert tracker.dwell_s == 5.0
    assert tracker.update(65.0) is DrawLevel.ACTIVE, "the first reading settles at once"
    assert tracker.update(9.0) is DrawLevel.ACTIVE
    await clock.advance(3.0)  # t = 3
    assert tracker.update(9.5) is DrawLevel.ACTIVE
    await clock.advance(2.0)  # t = 5
    assert tracker.update(9.0) is DrawLevel.IDLE
    await clock.advance(1.0)  # t = 6
    assert tracker.update(0.4) is DrawLevel.IDLE
    assert tracker.update(9.0) is DrawLevel.IDLE, "a blip back resets nothing"
    await clock.advance(14.0)  # t = 20
    assert tracker.update(0.4) is DrawLevel.IDLE, "the standby reading must last again"
    await clock.advance(5.0)  # t = 25
    assert tracker.update(0.4) is DrawLevel.STANDBY
    assert tracker.update(None) is None
    assert tracker.watts is None


def test_tracker_on_the_system_clock() -> None:
    tracker = DrawTracker(SIM, dwell_s=0.0)
    assert tracker.update(65.0) is DrawLevel.ACTIVE
    assert tracker.update(0.4) is DrawLevel.STANDBY, "no dwell: a lower level applies at once"
