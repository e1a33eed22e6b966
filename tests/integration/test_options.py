"""``XgimiOptions``: the one reading of an entry's options (defaults, parsing, power settings)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.xgimi_projector.const import (
    CONF_APPS,
    CONF_BOOT_TIMEOUT_S,
    CONF_CUT_MAINS,
    CONF_ON_W,
    CONF_PLUG,
    CONF_POWER_ON_SOURCE,
    CONF_POWER_SENSOR,
    CONF_REARM_OFF_S,
    CONF_SCAN_INTERVAL,
    CONF_SCREEN_OFF_W,
    CONF_SOURCE_ALIASES,
    CONF_STANDBY_W,
)
from custom_components.xgimi_projector.options import (
    CONF_WAKE_COMMAND,
    CONF_WAKE_ENTITY,
    CONF_WAKE_WAIT_S,
    DEFAULT_WAKE_WAIT_S,
    POWER_TIMINGS,
    XgimiOptions,
    parse_app_entries,
    parse_source_aliases,
)
from custom_components.xgimi_projector.projector import PowerSettings


def test_defaults() -> None:
    options = XgimiOptions.from_mapping({})
    assert options.scan_interval_s == 10
    assert options.apps == {}
    assert options.plug is None
    assert options.thresholds is None
    settings = options.power_settings()
    assert settings == PowerSettings(), "no options: the library's own defaults"


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (["com.ktcp.videoapp"], {"com.ktcp.videoapp": "云视听极光 (腾讯视频)"}),
        (["com.example.tv=My TV"], {"com.example.tv": "My TV"}),
        ([" com.example.tv = "], {"com.example.tv": "com.example.tv"}),
    ],
)
def test_parse_app_entries(entries: list[str], expected: dict[str, str]) -> None:
    assert parse_app_entries(entries) == expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (["HDMI1=电视盒子,盒子"], {"HDMI1": ["电视盒子", "盒子"]}),
        (["HDMI1=电视盒子，盒子", "HDMI1=机顶盒"], {"HDMI1": ["电视盒子", "盒子", "机顶盒"]}),
        (["HDMI2="], {}),
        (["=盒子"], {}),
    ],
)
def test_parse_source_aliases(entries: list[str], expected: dict[str, list[str]]) -> None:
    assert parse_source_aliases(entries) == expected


def test_power_options_reach_the_settings(hass: HomeAssistant) -> None:
    raw: dict[str, Any] = {
        CONF_SCAN_INTERVAL: 30,
        CONF_APPS: ["com.example.tv=My TV"],
        CONF_SOURCE_ALIASES: ["HDMI1=盒子"],
        CONF_POWER_ON_SOURCE: "HDMI1",
        CONF_PLUG: "switch.plug",
        CONF_POWER_SENSOR: "sensor.plug_power",
        CONF_REARM_OFF_S: 12,
        CONF_BOOT_TIMEOUT_S: 120,
        CONF_CUT_MAINS: True,
        CONF_STANDBY_W: 0.5,
        CONF_SCREEN_OFF_W: 9.0,
        CONF_ON_W: 65.0,
    }
    options = XgimiOptions.from_mapping(raw)
    assert options.scan_interval_s == 30
    assert options.source_aliases == {"HDMI1": ["盒子"]}
    settings = options.power_settings(hass)
    assert settings.power_on_source == "HDMI1"
    assert (settings.rearm_off_s, settings.boot_timeout_s) == (12.0, 120.0)
    assert settings.cut_mains_after_off
    assert settings.thresholds is not None
    assert settings.thresholds.standby_max_w == pytest.approx(4.75)
    hass.data[POWER_TIMINGS] = {"connect_interval_s": 0.1}
    assert options.power_settings(hass).connect_interval_s == 0.1
    assert options.power_settings(hass).rearm_off_s == 12.0, "overrides touch only their fields"


def test_calibration_needs_the_sensor() -> None:
    """Readings without a sensor (removed later) make no thresholds; 'none' is no source."""
    options = XgimiOptions.from_mapping(
        {CONF_STANDBY_W: 0.5, CONF_ON_W: 65.0, CONF_POWER_ON_SOURCE: "none"}
    )
    assert options.calibration is not None
    assert options.thresholds is None
    assert options.power_on_source is None


def test_wake_options() -> None:
    """The wake action: its entity and command (empty means none), and its wait (seconds)."""
    options = XgimiOptions.from_mapping(
        {CONF_WAKE_ENTITY: "remote.ir", CONF_WAKE_COMMAND: "power", CONF_WAKE_WAIT_S: 20}
    )
    assert (options.wake_entity, options.wake_command) == ("remote.ir", "power")
    assert options.power_settings().wake_wait_s == 20.0
    empty = XgimiOptions.from_mapping({CONF_WAKE_ENTITY: "", CONF_WAKE_COMMAND: ""})
    assert (empty.wake_entity, empty.wake_command) == (None, None)
    assert empty.wake_wait_s == DEFAULT_WAKE_WAIT_S
    assert PowerSettings().wake_wait_s == DEFAULT_WAKE_WAIT_S, "one default for both"
