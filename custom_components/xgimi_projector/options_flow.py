"""Options flow: general options, the smart plug, the wake action, and the power sensor's
calibration. What an entry is shown depends on how it reaches the projector (:func:`scope_of`):
a "LAN keys only" entry sees only what applies without ADB."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
import logging
import re
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.const import Platform
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import (
    CONF_APPS,
    CONF_AUTO_POWER_ON,
    CONF_BOOT_TIMEOUT_S,
    CONF_CUT_MAINS,
    CONF_CUT_MAINS_COOLDOWN_S,
    CONF_DEVICE_INFO,
    CONF_ON_W,
    CONF_PLUG,
    CONF_POWER_ON_SOURCE,
    CONF_POWER_SENSOR,
    CONF_REARM_OFF_S,
    CONF_SCAN_INTERVAL,
    CONF_SCREEN_OFF_W,
    CONF_SOURCE_ALIASES,
    CONF_STANDBY_W,
    MAX_BOOT_TIMEOUT_S,
    MAX_CUT_MAINS_COOLDOWN_S,
    MAX_REARM_OFF_S,
    MAX_SCAN_INTERVAL,
    MIN_BOOT_TIMEOUT_S,
    MIN_CUT_MAINS_COOLDOWN_S,
    MIN_REARM_OFF_S,
    MIN_SCAN_INTERVAL,
    POWER_ON_SOURCE_NONE,
)
from .lan_setup import is_lan_entry
from .options import (
    CONF_WAKE_COMMAND,
    CONF_WAKE_ENTITY,
    CONF_WAKE_WAIT_S,
    MAX_WAKE_COMMAND_LEN,
    MAX_WAKE_WAIT_S,
    MIN_WAKE_WAIT_S,
    WAKE_DOMAINS,
    Calibration,
    XgimiOptions,
    parse_app_entries,
    parse_source_aliases,
)
from .plug import read_power, read_watts
from .projector import HDMI_INPUTS, KNOWN_APPS, CalibrationError, DeviceInfo
from .projector.projector import PACKAGE_RE
from .voice import parse

_LOGGER = logging.getLogger(__name__)


class XgimiOptionsFlow(OptionsFlow):
    """General options, the smart plug, the wake action, and the power sensor's calibration."""

    def __init__(self) -> None:
        self._pending: dict[str, Any] = {}
        self._readings: dict[str, float | None] = {}

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        menu = list(scope_of(self.config_entry).steps)
        if XgimiOptions.from_entry(self.config_entry).power_sensor:
            menu.append("calibrate")
        return self.async_show_menu(step_id="init", menu_options=menu)

    # --- general ---------------------------------------------------------------------

    async def async_step_general(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Poll interval, apps shown as sources, and the source to select after power-on."""
        errors: dict[str, str] = {}
        options = dict(self.config_entry.options)
        if user_input is not None:
            apps = [str(app).strip() for app in user_input.get(CONF_APPS, []) if str(app).strip()]
            aliases = [
                str(alias).strip()
                for alias in user_input.get(CONF_SOURCE_ALIASES, [])
                if str(alias).strip()
            ]
            errors.update(_out_of_range(user_input))
            bad = [app for app in apps if not PACKAGE_RE.match(app.partition("=")[0].strip())]
            if bad:
                errors[CONF_APPS] = "invalid_app"
            elif any(_is_input_name(name) for name in parse_app_entries(apps).values()):
                errors[CONF_APPS] = "app_name_is_an_input"
            info = DeviceInfo.from_dict(self.config_entry.data[CONF_DEVICE_INFO])
            known = set(parse_app_entries(apps).values())
            if info.traits.direct_hdmi:
                known.update(HDMI_INPUTS)
            if any(
                not (parsed := parse_source_aliases([alias])) or not set(parsed) <= known
                for alias in aliases
            ):
                errors[CONF_SOURCE_ALIASES] = "invalid_alias"
            elif any(
                _is_command_word(word)
                for words in parse_source_aliases(aliases).values()
                for word in words
            ):
                errors[CONF_SOURCE_ALIASES] = "alias_is_a_command"
            if not errors:
                return self._save(
                    data={
                        **options,
                        CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                        CONF_APPS: apps,
                        CONF_POWER_ON_SOURCE: user_input[CONF_POWER_ON_SOURCE],
                        CONF_SOURCE_ALIASES: aliases,
                    }
                )
            options.update(user_input)
        info = DeviceInfo.from_dict(self.config_entry.data[CONF_DEVICE_INFO])
        current = XgimiOptions.from_mapping(options)
        configured = list(current.app_entries)
        app_choices = {
            package: _app_label(package, name)
            for package, name in KNOWN_APPS.items()
            if package in info.packages
        }
        for package, name in current.apps.items():
            app_choices.setdefault(package, _app_label(package, name))
        sources = [POWER_ON_SOURCE_NONE]
        if info.traits.direct_hdmi:
            sources.extend(HDMI_INPUTS)
        sources.extend(current.apps)
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_SCAN_INTERVAL,
                    default=current.scan_interval_s,
                ): _seconds(),
                vol.Optional(CONF_APPS, default=configured): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=value, label=label)
                            for value, label in app_choices.items()
                        ],
                        multiple=True,
                        custom_value=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(
                    CONF_POWER_ON_SOURCE,
                    default=current.power_on_source
                    if current.power_on_source in sources
                    else POWER_ON_SOURCE_NONE,
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=sources,
                        translation_key=CONF_POWER_ON_SOURCE,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(
                    CONF_SOURCE_ALIASES,
                    default=list(current.alias_entries),
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[], multiple=True, custom_value=True, mode=SelectSelectorMode.LIST
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="general",
            data_schema=schema,
            errors=errors,
            description_placeholders=RANGE_PLACEHOLDERS,
        )

    # --- power -----------------------------------------------------------------------

    async def async_step_power(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The smart plug that powers the projector on from standby, and how it is used."""
        errors: dict[str, str] = {}
        options = dict(self.config_entry.options)
        if user_input is not None:
            errors = self._validate_power(user_input)
            if not errors:
                new = {key: value for key, value in options.items() if key not in _POWER_KEYS}
                new.update(
                    {
                        key: convert(user_input[key])
                        for key, convert in _POWER_SETTINGS.items()
                        if key in user_input  # the fields this entry was shown
                    }
                )
                if plug := user_input.get(CONF_PLUG):
                    new[CONF_PLUG] = plug
                sensor = user_input.get(CONF_POWER_SENSOR)
                if sensor:
                    new[CONF_POWER_SENSOR] = sensor
                    if sensor == XgimiOptions.from_entry(self.config_entry).power_sensor:
                        for key in _CALIBRATION_KEYS:
                            if key in options:
                                new[key] = options[key]
                self._pending = new
                if sensor and CONF_ON_W not in new:
                    return await self.async_step_calibrate()
                return self._save(new)
            options.update(user_input)
        current = XgimiOptions.from_mapping(options)
        fields: dict[vol.Marker, Any] = {
            vol.Optional(CONF_PLUG, description={"suggested_value": current.plug}): EntitySelector(
                EntitySelectorConfig(domain=Platform.SWITCH)
            ),
            vol.Optional(
                CONF_POWER_SENSOR,
                description={"suggested_value": current.power_sensor},
            ): EntitySelector(
                EntitySelectorConfig(domain=Platform.SENSOR, device_class=SensorDeviceClass.POWER)
            ),
            vol.Required(
                CONF_AUTO_POWER_ON, default=current.auto_power_on_confirmed
            ): BooleanSelector(),
            vol.Required(CONF_REARM_OFF_S, default=_number(current.rearm_off_s)): _seconds(),
            vol.Required(
                CONF_BOOT_TIMEOUT_S,
                default=_number(current.boot_timeout_s),
            ): _seconds(),
            vol.Required(CONF_CUT_MAINS, default=current.cut_mains): BooleanSelector(),
            vol.Required(
                CONF_CUT_MAINS_COOLDOWN_S,
                default=_number(current.cut_mains_cooldown_s),
            ): _seconds(),
        }
        shown = scope_of(self.config_entry).power_fields
        schema = vol.Schema({key: value for key, value in fields.items() if key.schema in shown})
        return self.async_show_form(
            step_id="power",
            data_schema=schema,
            errors=errors,
            description_placeholders=RANGE_PLACEHOLDERS,
        )

    def _validate_power(self, user_input: dict[str, Any]) -> dict[str, str]:
        errors = _out_of_range(user_input)
        plug = user_input.get(CONF_PLUG)
        sensor = user_input.get(CONF_POWER_SENSOR)
        if plug and self.hass.states.get(plug) is None:
            errors[CONF_PLUG] = "entity_not_found"
        if sensor and self.hass.states.get(sensor) is None:
            errors[CONF_POWER_SENSOR] = "entity_not_found"
        if not plug:
            if sensor:
                errors[CONF_POWER_SENSOR] = "needs_plug"
            if user_input.get(CONF_CUT_MAINS):
                errors[CONF_CUT_MAINS] = "needs_plug"
        elif not user_input.get(CONF_AUTO_POWER_ON):
            errors[CONF_AUTO_POWER_ON] = "auto_power_on_required"
        return errors

    # --- wake action -----------------------------------------------------------------

    async def async_step_wake(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """What wakes the projector from standby the way its remote does (BLE, IR, a script),
        and how long it may take to answer."""
        errors: dict[str, str] = {}
        options = dict(self.config_entry.options)
        if user_input is not None:
            errors = self._validate_wake(user_input)
            if not errors:
                new = {key: value for key, value in options.items() if key not in _WAKE_KEYS}
                new[CONF_WAKE_WAIT_S] = int(user_input[CONF_WAKE_WAIT_S])
                if entity := user_input.get(CONF_WAKE_ENTITY):
                    new[CONF_WAKE_ENTITY] = entity
                    if command := str(user_input.get(CONF_WAKE_COMMAND) or "").strip():
                        new[CONF_WAKE_COMMAND] = command
                return self._save(new)
            options.update(user_input)
        current = XgimiOptions.from_mapping(options)
        schema = vol.Schema(
            {
                vol.Optional(
                    CONF_WAKE_ENTITY, description={"suggested_value": current.wake_entity}
                ): EntitySelector(EntitySelectorConfig(domain=list(WAKE_DOMAINS))),
                vol.Optional(
                    CONF_WAKE_COMMAND, description={"suggested_value": current.wake_command}
                ): TextSelector(),
                vol.Required(CONF_WAKE_WAIT_S, default=_number(current.wake_wait_s)): _seconds(),
            }
        )
        return self.async_show_form(
            step_id="wake",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                **RANGE_PLACEHOLDERS,
                "command_max": str(MAX_WAKE_COMMAND_LEN),
            },
        )

    def _validate_wake(self, user_input: dict[str, Any]) -> dict[str, str]:
        errors = _out_of_range(user_input)
        entity = str(user_input.get(CONF_WAKE_ENTITY) or "")
        command = str(user_input.get(CONF_WAKE_COMMAND) or "").strip()
        domain = entity.partition(".")[0]  # one of WAKE_DOMAINS: the selector checks that
        if entity and self.hass.states.get(entity) is None:
            errors[CONF_WAKE_ENTITY] = "entity_not_found"
        if len(command) > MAX_WAKE_COMMAND_LEN or not command.isprintable():
            errors[CONF_WAKE_COMMAND] = "wake_command_invalid"
        elif command and domain != "remote":
            errors[CONF_WAKE_COMMAND] = "wake_command_needs_remote"
        elif domain == "remote" and not command:
            errors[CONF_WAKE_COMMAND] = "wake_command_required"
        return errors

    # --- calibration -----------------------------------------------------------------

    async def async_step_calibrate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Step 1 of 3: the reading with the picture on."""
        if not self._pending:
            self._pending = dict(self.config_entry.options)
        watts = await self._read_power()
        if self._accepts(user_input, watts):
            assert watts is not None
            self._readings[CONF_ON_W] = watts
            return await self.async_step_calibrate_screen_off()
        return self._calibration_form("calibrate", watts, user_input)

    async def async_step_calibrate_screen_off(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Step 2 of 3: the reading in 关屏 (optional)."""
        if user_input is not None and user_input.get(CONF_SKIP):
            self._readings[CONF_SCREEN_OFF_W] = None
            return await self.async_step_calibrate_standby()
        watts = await self._read_power()
        error: str | None = None
        if self._accepts(user_input, watts):
            assert watts is not None
            on_w = float(self._readings.get(CONF_ON_W) or 0.0)
            if watts > on_w - MIN_SCREEN_OFF_GAP_W:
                # Still the "on" reading: 关屏 was not chosen yet (or this model has none).
                error = "screen_off_same_as_on"
            else:
                self._readings[CONF_SCREEN_OFF_W] = watts
                return await self.async_step_calibrate_standby()
        return self._calibration_form(
            "calibrate_screen_off",
            watts,
            user_input,
            error=error,
            extra={vol.Required(CONF_SKIP, default=False): BooleanSelector()},
        )

    async def async_step_calibrate_standby(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Step 3 of 3: the reading in standby (关机); then the thresholds are stored."""
        if user_input is not None and user_input.get(CONF_RESTART):
            self._readings.clear()
            return await self.async_step_calibrate()
        restart = {vol.Required(CONF_RESTART, default=False): BooleanSelector()}
        watts = await self._read_power()
        if not self._accepts(user_input, watts):
            return self._calibration_form("calibrate_standby", watts, user_input, extra=restart)
        assert watts is not None
        calibration = Calibration(
            standby_w=watts,
            on_w=float(self._readings[CONF_ON_W] or 0.0),
            screen_off_w=self._readings.get(CONF_SCREEN_OFF_W),
        )
        try:
            thresholds = calibration.thresholds()
        except CalibrationError as err:
            # Say why; the person retries this reading or starts again from step 1, here.
            return self._calibration_form(
                "calibrate_standby", watts, user_input, error=err.translation_key, extra=restart
            )
        _LOGGER.info(
            "Calibrated %s: standby ≤ %.1f W, on ≥ %.1f W",
            self._pending[CONF_POWER_SENSOR],
            thresholds.standby_max_w,
            thresholds.on_min_w,
        )
        return self._save(data={**self._pending, **self._readings, CONF_STANDBY_W: watts})

    def _save(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Store the options and reload the entry once (no update listener: Home Assistant
        2026.6+ warns when one is combined with the flows' own reloads)."""
        if self.hass.config_entries.async_update_entry(self.config_entry, options=data):
            self.hass.config_entries.async_schedule_reload(self.config_entry.entry_id)
        return self.async_create_entry(data=data)

    @staticmethod
    def _accepts(user_input: dict[str, Any] | None, watts: float | None) -> bool:
        """Submitted with a reading, and not just asking to read the sensor again."""
        return user_input is not None and watts is not None and not user_input.get(CONF_REREAD)

    async def _read_power(self) -> float | None:
        """A fresh reading of the power sensor being calibrated, in W.

        Asking the sensor to update is not enough: a polling integration (REST, many cloud
        plugs) debounces requests that follow each other, and the reading would be the one
        from before the projector changed state. So the reading must have been reported after
        we asked, waiting for the sensor's next report if needed (a few seconds at most).
        """
        sensor = str(self._pending[CONF_POWER_SENSOR])
        asked = dt_util.utcnow()
        watts = await read_power(self.hass, sensor)
        deadline = asked + FRESH_READING_WAIT
        while (state := self.hass.states.get(sensor)) is not None and (
            state.last_reported < asked and dt_util.utcnow() < deadline
        ):
            await asyncio.sleep(0.2)
            watts = read_watts(self.hass.states.get(sensor))
        return watts

    def _calibration_form(
        self,
        step_id: str,
        watts: float | None,
        user_input: dict[str, Any] | None,
        *,
        error: str | None = None,
        extra: dict[Any, Any] | None = None,
    ) -> ConfigFlowResult:
        """The step's form, with a fresh reading; a submitted step without one says so."""
        if (
            error is None
            and user_input is not None
            and watts is None
            and not user_input.get(CONF_REREAD)
        ):
            error = "no_reading"
        sensor = str(self._pending[CONF_POWER_SENSOR])
        state = self.hass.states.get(sensor)
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(
                {**(extra or {}), vol.Required(CONF_REREAD, default=False): BooleanSelector()}
            ),
            errors={"base": error} if error else {},
            description_placeholders={
                "sensor": state.name if state is not None else sensor,
                "watts": _fmt_w(watts),
                "on_w": _fmt_w(self._readings.get(CONF_ON_W)),
                "screen_off_w": _fmt_w(self._readings.get(CONF_SCREEN_OFF_W)),
            },
        )


_POWER_KEYS = frozenset(
    {
        CONF_PLUG,
        CONF_POWER_SENSOR,
        CONF_AUTO_POWER_ON,
        CONF_REARM_OFF_S,
        CONF_BOOT_TIMEOUT_S,
        CONF_CUT_MAINS,
        CONF_CUT_MAINS_COOLDOWN_S,
        CONF_STANDBY_W,
        CONF_SCREEN_OFF_W,
        CONF_ON_W,
    }
)
_CALIBRATION_KEYS = (CONF_STANDBY_W, CONF_SCREEN_OFF_W, CONF_ON_W)
_POWER_SETTINGS: dict[str, Any] = {
    CONF_AUTO_POWER_ON: bool,
    CONF_REARM_OFF_S: int,
    CONF_BOOT_TIMEOUT_S: int,
    CONF_CUT_MAINS: bool,
    CONF_CUT_MAINS_COOLDOWN_S: int,
}
"""The power step's settings (beside the plug and sensor) and how each is stored."""


@dataclass(frozen=True, slots=True)
class OptionsScope:
    """The menu and the power step's fields an entry is shown."""

    steps: tuple[str, ...]
    """The menu (``calibrate`` is added while a power sensor is set)."""
    power_fields: frozenset[str]


ADB_SCOPE = OptionsScope(
    steps=("general", "power", "wake"),
    power_fields=frozenset({CONF_PLUG, CONF_POWER_SENSOR, *_POWER_SETTINGS}),
)
LAN_SCOPE = OptionsScope(
    steps=("power", "wake"),
    power_fields=frozenset({CONF_PLUG, CONF_POWER_SENSOR, CONF_AUTO_POWER_ON, CONF_REARM_OFF_S}),
)
"""LAN keys only: no general step (its poll interval, apps, power-on source and source
aliases all read or drive the projector over ADB), and of the power step only the plug, its
power sensor and the re-arm of 上电自动开机: no boot timeout (nothing to watch boot) and no
"cut mains after off" (it waits for ADB to report standby). The wake action applies: it is the
way to turn such a projector on without a mains cycle."""


def scope_of(entry: ConfigEntry) -> OptionsScope:
    """What the options flow shows ``entry``: the one place that depends on its transport."""
    return LAN_SCOPE if is_lan_entry(entry) else ADB_SCOPE


_WAKE_KEYS = frozenset({CONF_WAKE_ENTITY, CONF_WAKE_COMMAND, CONF_WAKE_WAIT_S})
CONF_SKIP = "skip"
FRESH_READING_WAIT = timedelta(seconds=10)
"""How long a calibration step waits for the power sensor's next report."""
CONF_REREAD = "reread"
CONF_RESTART = "restart"
MIN_SCREEN_OFF_GAP_W = 1.0
"""A 关屏 reading must be at least this far below the "on" reading (the light draws the most)."""


def _fmt_w(watts: float | None) -> str:
    return "—" if watts is None else f"{watts:.1f}"


def _number(value: float) -> float | int:
    """A stored number as the form shows it (10, not 10.0)."""
    return int(value) if float(value).is_integer() else value


def _is_input_name(name: str) -> bool:
    """An app may not be named like an input (it would hide HDMI1 in the source list)."""
    compact = re.sub(r"[\s_\-]+", "", name).upper()
    return compact in {*HDMI_INPUTS, "HOME", "SOURCEMENU", "主页", "信号源菜单", "信号源"}


def _is_command_word(word: str) -> bool:
    """A spoken name that already means something (关机, 音量大一点…): "投影仪<word>" parses
    as a command on its own, so an alias would turn it into a source switch."""
    return parse(f"投影仪{word}").command is not None


def _app_label(package: str, name: str) -> str:
    """``Name (package)``, or the package alone when it has no other name."""
    return package if name == package else f"{name} ({package})"


RANGES: dict[str, tuple[int, int]] = {
    CONF_SCAN_INTERVAL: (MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL),
    CONF_REARM_OFF_S: (MIN_REARM_OFF_S, MAX_REARM_OFF_S),
    CONF_BOOT_TIMEOUT_S: (MIN_BOOT_TIMEOUT_S, MAX_BOOT_TIMEOUT_S),
    CONF_CUT_MAINS_COOLDOWN_S: (MIN_CUT_MAINS_COOLDOWN_S, MAX_CUT_MAINS_COOLDOWN_S),
    CONF_WAKE_WAIT_S: (MIN_WAKE_WAIT_S, MAX_WAKE_WAIT_S),
}
"""Allowed seconds per field. Checked by the flow (not by the selector, whose English
"value is too small" would reach the user untranslated); the error names the range."""

RANGE_PLACEHOLDERS = {
    f"{key}_{end}": str(value)
    for key, (low, high) in RANGES.items()
    for end, value in (("min", low), ("max", high))
}


def _out_of_range(user_input: dict[str, Any]) -> dict[str, str]:
    """``{field: "<field>_range"}`` for each number outside its range."""
    errors: dict[str, str] = {}
    for key, (low, high) in RANGES.items():
        if key in user_input and not low <= float(user_input[key]) <= high:
            errors[key] = f"{key}_range"
    return errors


def _seconds() -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX)
    )
