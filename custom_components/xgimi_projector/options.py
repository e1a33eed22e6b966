"""An entry's options, read in one place: :class:`XgimiOptions`.

Every reader (coordinator, power manager, plug, voice action, options flow) takes its values from
``XgimiOptions.from_entry(entry)``, so a default or a parsing rule cannot diverge between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_APPS,
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_CUT_MAINS,
    CONF_CUT_MAINS_COOLDOWN_S,
    CONF_ON_W,
    CONF_PLUG,
    CONF_POWER_ON_SOURCE,
    CONF_POWER_SENSOR,
    CONF_REARM_OFF_S,
    CONF_SCAN_INTERVAL,
    CONF_SCREEN_OFF_W,
    CONF_SOURCE_ALIASES,
    CONF_STANDBY_W,
    DEFAULT_BOOT_TIMEOUT_S,
    DEFAULT_CUT_MAINS_COOLDOWN_S,
    DEFAULT_REARM_OFF_S,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    POWER_ON_SOURCE_NONE,
)
from .projector import CalibrationError, PowerSettings, PowerThresholds, app_name

_LOGGER = logging.getLogger(__name__)

# The wake action (kept here, beside their one reader, rather than in const.py)
CONF_WAKE_ENTITY = "wake_entity"
"""Option: the ``button``, ``script`` or ``remote`` entity that wakes the projector."""
CONF_WAKE_COMMAND = "wake_command"
"""Option: the command a ``remote`` wake entity sends (``remote.send_command``)."""
CONF_WAKE_WAIT_S = "wake_wait_s"
"""Option: how long ADB may take to answer after the wake action."""
WAKE_DOMAINS = ("button", "script", "remote")
DEFAULT_WAKE_WAIT_S = 30
MIN_WAKE_WAIT_S = 5
MAX_WAKE_WAIT_S = 300
MAX_WAKE_COMMAND_LEN = 100

POWER_TIMINGS: HassKey[dict[str, Any]] = HassKey(f"{DOMAIN}_power_timings")
"""Overrides of :class:`PowerSettings`' internal timings for every entry of this Home Assistant
(field name → seconds). Nothing sets it in normal use; tests shorten the waits through it."""


def parse_app_entries(entries: Iterable[str]) -> dict[str, str]:
    """``["pkg", "pkg=Name"]`` → ``{pkg: name}`` (known apps get their friendly name)."""
    apps: dict[str, str] = {}
    for entry in entries:
        package, _, name = str(entry).partition("=")
        package = package.strip()
        apps[package] = name.strip() or app_name(package) or package
    return apps


def parse_source_aliases(entries: Iterable[str]) -> dict[str, list[str]]:
    """``["HDMI1=电视盒子,盒子"]`` → ``{"HDMI1": ["电视盒子", "盒子"]}``."""
    aliases: dict[str, list[str]] = {}
    for entry in entries:
        source, _, names = str(entry).partition("=")
        words = [w.strip() for w in names.replace("，", ",").split(",") if w.strip()]
        if source.strip() and words:
            aliases.setdefault(source.strip(), []).extend(words)
    return aliases


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    """The power sensor's readings (W) taken in the options flow."""

    standby_w: float
    on_w: float
    screen_off_w: float | None = None

    def thresholds(self) -> PowerThresholds:
        """Raises :class:`CalibrationError` when the readings cannot be told apart."""
        return PowerThresholds.from_calibration(
            standby_w=self.standby_w, on_w=self.on_w, screen_off_w=self.screen_off_w
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class XgimiOptions:
    """Everything an entry's options say, with the defaults applied."""

    scan_interval_s: int = DEFAULT_SCAN_INTERVAL
    apps: dict[str, str] = field(default_factory=dict)
    """Apps shown as sources: package → display name."""
    app_entries: tuple[str, ...] = ()
    """The apps option as stored (``package`` or ``package=Name``)."""
    power_on_source: str | None = None
    source_aliases: dict[str, list[str]] = field(default_factory=dict)
    alias_entries: tuple[str, ...] = ()
    plug: str | None = None
    power_sensor: str | None = None
    auto_power_on_confirmed: bool = False
    rearm_off_s: float = DEFAULT_REARM_OFF_S
    boot_timeout_s: float = DEFAULT_BOOT_TIMEOUT_S
    cut_mains: bool = False
    cut_mains_cooldown_s: float = DEFAULT_CUT_MAINS_COOLDOWN_S
    calibration: Calibration | None = None
    wake_entity: str | None = None
    wake_command: str | None = None
    wake_wait_s: float = DEFAULT_WAKE_WAIT_S

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> XgimiOptions:
        return cls.from_mapping(entry.options)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> XgimiOptions:
        app_entries = tuple(str(a) for a in options.get(CONF_APPS, []))
        alias_entries = tuple(str(a) for a in options.get(CONF_SOURCE_ALIASES, []))
        source = options.get(CONF_POWER_ON_SOURCE)
        calibration: Calibration | None = None
        if CONF_STANDBY_W in options and CONF_ON_W in options:
            screen_off = options.get(CONF_SCREEN_OFF_W)
            calibration = Calibration(
                standby_w=float(options[CONF_STANDBY_W]),
                on_w=float(options[CONF_ON_W]),
                screen_off_w=float(screen_off) if screen_off is not None else None,
            )
        return cls(
            scan_interval_s=int(options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)),
            apps=parse_app_entries(app_entries),
            app_entries=app_entries,
            power_on_source=source if source and source != POWER_ON_SOURCE_NONE else None,
            source_aliases=parse_source_aliases(alias_entries),
            alias_entries=alias_entries,
            plug=options.get(CONF_PLUG) or None,
            power_sensor=options.get(CONF_POWER_SENSOR) or None,
            auto_power_on_confirmed=bool(options.get(CONF_AUTO_POWER_ON, False)),
            rearm_off_s=float(options.get(CONF_REARM_OFF_S, DEFAULT_REARM_OFF_S)),
            boot_timeout_s=float(options.get(CONF_BOOT_TIMEOUT_S, DEFAULT_BOOT_TIMEOUT_S)),
            cut_mains=bool(options.get(CONF_CUT_MAINS, False)),
            cut_mains_cooldown_s=float(
                options.get(CONF_CUT_MAINS_COOLDOWN_S, DEFAULT_CUT_MAINS_COOLDOWN_S)
            ),
            calibration=calibration,
            wake_entity=options.get(CONF_WAKE_ENTITY) or None,
            wake_command=options.get(CONF_WAKE_COMMAND) or None,
            wake_wait_s=float(options.get(CONF_WAKE_WAIT_S, DEFAULT_WAKE_WAIT_S)),
        )

    @property
    def thresholds(self) -> PowerThresholds | None:
        """The draw thresholds, when a power sensor is set and calibrated."""
        if self.power_sensor is None or self.calibration is None:
            return None
        try:
            return self.calibration.thresholds()
        except CalibrationError as err:  # pragma: no cover - the options flow validates
            _LOGGER.warning("Ignoring the stored calibration: %s", err.reason)
            return None

    def power_settings(self, hass: HomeAssistant | None = None) -> PowerSettings:
        """The library's power settings: the user's options, and the internal timings (with
        the overrides set in ``hass.data[POWER_TIMINGS]``, if any)."""
        settings = PowerSettings(
            rearm_off_s=self.rearm_off_s,
            boot_timeout_s=self.boot_timeout_s,
            power_on_source=self.power_on_source,
            cut_mains_after_off=self.cut_mains,
            cut_mains_cooldown_s=self.cut_mains_cooldown_s,
            thresholds=self.thresholds,
            wake_wait_s=self.wake_wait_s,
        )
        overrides = hass.data.get(POWER_TIMINGS) if hass is not None else None
        return replace(settings, **overrides) if overrides else settings
