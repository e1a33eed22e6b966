"""Config flow: host → authorization on the projector → entry; reauth, reconfigure, options."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import logging
from pathlib import Path
import re
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import ATTR_ENTITY_ID, CONF_HOST, CONF_NAME, CONF_PORT, Platform
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
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
from homeassistant.helpers.storage import STORAGE_DIR
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
    DEFAULT_BOOT_TIMEOUT_S,
    DEFAULT_CUT_MAINS_COOLDOWN_S,
    DEFAULT_NAME,
    DEFAULT_NAME_FALLBACK,
    DEFAULT_PORT,
    DEFAULT_REARM_OFF_S,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    FLOW_AUTH_TIMEOUT_S,
    KEY_FILE,
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
from .coordinator import XgimiConfigEntry, parse_app_entries
from .plug import read_watts
from .projector import (
    HDMI_INPUTS,
    KNOWN_APPS,
    AuthorizationPendingError,
    AuthorizationRejectedError,
    CalibrationError,
    DeviceInfo,
    PowerThresholds,
    Projector,
    SessionClosedError,
    WirelessDebuggingPortError,
    XgimiError,
)
from .projector.projector import PACKAGE_RE
from .voice_command import parse_source_aliases

_LOGGER = logging.getLogger(__name__)

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_IPV6 = re.compile(r"^[0-9A-Fa-f:.]+$")


def valid_host(host: str) -> bool:
    """An IPv4/IPv6 address or a DNS name; no scheme, port, path or spaces."""
    if ":" in host:
        return bool(_IPV6.match(host)) and host.count(":") >= 2
    return bool(_HOSTNAME.match(host))


def _connect_error(err: XgimiError) -> str:
    if isinstance(err, WirelessDebuggingPortError):
        return "wireless_debugging_port"
    if isinstance(err, SessionClosedError):
        return "another_client"
    if isinstance(err, AuthorizationRejectedError):
        return "auth_rejected"
    if isinstance(err, AuthorizationPendingError):
        return "auth_timeout"
    return "cannot_connect"


def _host_schema(host: str | None, port: int) -> dict[vol.Marker, Any]:
    return {
        vol.Required(CONF_HOST, default=host or vol.UNDEFINED): TextSelector(),
        vol.Required(CONF_PORT, default=port): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
        ),
    }


class XgimiConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an XGIMI projector."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        self._host: str = ""
        self._port: int = DEFAULT_PORT
        self._name: str = DEFAULT_NAME_FALLBACK
        self._connect_task: asyncio.Task[DeviceInfo] | None = None
        self._prompted = asyncio.Event()
        self._info: DeviceInfo | None = None
        self._auth_error: str | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: XgimiConfigEntry) -> XgimiOptionsFlow:
        return XgimiOptionsFlow()

    def _default_name(self) -> str:
        return DEFAULT_NAME.get(self.hass.config.language, DEFAULT_NAME_FALLBACK)

    # --- user ------------------------------------------------------------------------------

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            host = str(user_input[CONF_HOST]).strip()
            if not valid_host(host):
                errors[CONF_HOST] = "invalid_host"
            else:
                self._host, self._port = host, int(user_input[CONF_PORT])
                self._name = str(user_input[CONF_NAME]).strip() or self._default_name()
                self._async_abort_entries_match({CONF_HOST: self._host, CONF_PORT: self._port})
                return await self._async_start_connect("user", errors)
        schema = vol.Schema(
            {
                **_host_schema(self._host or None, self._port),
                vol.Required(CONF_NAME, default=self._default_name()): TextSelector(),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
        )

    # --- connect and authorize ---------------------------------------------------------------

    async def _async_connect(self) -> DeviceInfo:
        key = Path(self.hass.config.path(STORAGE_DIR, KEY_FILE))
        projector = Projector(self._host, self._port, key_path=key)
        try:
            return await projector.connect(
                auth_timeout_s=FLOW_AUTH_TIMEOUT_S, on_prompt=self._prompted.set
            )
        finally:
            await projector.close()

    async def _async_start_connect(
        self, form_step: str, errors: dict[str, str]
    ) -> ConfigFlowResult:
        """Connect; go to the authorization step if the projector shows its prompt."""
        self._prompted.clear()
        task = self.hass.async_create_task(self._async_connect(), eager_start=False)
        self._connect_task = task
        prompted = self.hass.async_create_task(self._prompted.wait(), eager_start=False)
        try:
            await asyncio.wait({task, prompted}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            prompted.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await prompted
        if not task.done():
            return await self.async_step_authorize()
        self._connect_task = None
        try:
            self._info = task.result()
        except XgimiError as err:
            errors["base"] = _connect_error(err)
            return await self._async_show_step(form_step, errors)
        return await self.async_step_finish()

    async def _async_show_step(self, step: str, errors: dict[str, str]) -> ConfigFlowResult:
        if step == "auth_failed":
            self._auth_error = errors["base"]
            return await self.async_step_auth_failed()
        if step == "reconfigure":
            return self._show_reconfigure_form(errors)
        if step == "reauth_confirm":
            return self.async_show_form(
                step_id="reauth_confirm",
                errors=errors,
                description_placeholders={"host": self._host},
            )
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    **_host_schema(self._host, self._port),
                    vol.Required(CONF_NAME, default=self._name): TextSelector(),
                }
            ),
            errors=errors,
        )

    async def async_step_authorize(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The projector shows "Allow USB debugging?": wait while the person answers it."""
        task = self._connect_task
        assert task is not None
        if not task.done():
            return self.async_show_progress(
                step_id="authorize",
                progress_action="wait_for_authorization",
                progress_task=task,
                description_placeholders={
                    "host": self._host,
                    "timeout": str(int(FLOW_AUTH_TIMEOUT_S)),
                },
            )
        self._connect_task = None
        try:
            self._info = task.result()
        except XgimiError as err:
            self._auth_error = _connect_error(err)
            return self.async_show_progress_done(next_step_id="auth_failed")
        return self.async_show_progress_done(next_step_id="finish")

    async def async_step_auth_failed(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The prompt was refused or not answered in time: explain, and offer to try again."""
        if user_input is not None:
            return await self._async_start_connect("auth_failed", {})
        return self.async_show_form(
            step_id="auth_failed",
            errors={"base": self._auth_error or "cannot_connect"},
            description_placeholders={"host": self._host},
        )

    async def async_step_finish(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        info = self._info
        assert info is not None
        if not info.serial:
            return self.async_abort(reason="no_serial")
        data = {CONF_HOST: self._host, CONF_PORT: self._port, CONF_DEVICE_INFO: info.as_dict()}
        if self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            entry = (
                self._get_reauth_entry()
                if self.source == SOURCE_REAUTH
                else self._get_reconfigure_entry()
            )
            if entry.unique_id != info.serial:
                return self.async_abort(reason="wrong_device")
            return self.async_update_reload_and_abort(entry, data_updates=data)
        await self.async_set_unique_id(info.serial)
        self._abort_if_unique_id_configured(updates={CONF_HOST: self._host, CONF_PORT: self._port})
        return self.async_create_entry(title=self._name, data=data)

    # --- reauth ------------------------------------------------------------------------------

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        self._host, self._port = str(entry_data[CONF_HOST]), int(entry_data[CONF_PORT])
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        if user_input is not None:
            return await self._async_start_connect("reauth_confirm", {})
        return self.async_show_form(
            step_id="reauth_confirm", description_placeholders={"host": self._host}
        )

    # --- reconfigure ---------------------------------------------------------------------------

    def _show_reconfigure_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(_host_schema(self._host, self._port)),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is None:
            self._host, self._port = entry.data[CONF_HOST], entry.data[CONF_PORT]
            return self._show_reconfigure_form(errors)
        host = str(user_input[CONF_HOST]).strip()
        self._host, self._port = host, int(user_input[CONF_PORT])
        if not valid_host(host):
            errors[CONF_HOST] = "invalid_host"
            return self._show_reconfigure_form(errors)
        return await self._async_start_connect("reconfigure", errors)


class XgimiOptionsFlow(OptionsFlow):
    """General options, the smart plug, and the power sensor's calibration."""

    def __init__(self) -> None:
        self._pending: dict[str, Any] = {}
        self._readings: dict[str, float | None] = {}

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        menu = ["general", "power"]
        if self.config_entry.options.get(CONF_POWER_SENSOR):
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
            bad = [app for app in apps if not PACKAGE_RE.match(app.partition("=")[0].strip())]
            if bad:
                errors[CONF_APPS] = "invalid_app"
            info = DeviceInfo.from_dict(self.config_entry.data[CONF_DEVICE_INFO])
            known = set(parse_app_entries(apps).values())
            if info.traits.direct_hdmi:
                known.update(HDMI_INPUTS)
            if any(
                not (parsed := parse_source_aliases([alias])) or not set(parsed) <= known
                for alias in aliases
            ):
                errors[CONF_SOURCE_ALIASES] = "invalid_alias"
            if not errors:
                return self.async_create_entry(
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
        configured = [str(app) for app in options.get(CONF_APPS, [])]
        app_choices = {
            package: f"{name} ({package})"
            for package, name in KNOWN_APPS.items()
            if package in info.packages
        }
        for package, name in parse_app_entries(configured).items():
            app_choices.setdefault(package, f"{name} ({package})")
        sources = [POWER_ON_SOURCE_NONE]
        if info.traits.direct_hdmi:
            sources.extend(HDMI_INPUTS)
        sources.extend(parse_app_entries(configured))
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_SCAN_INTERVAL,
                    default=options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
                ): _seconds(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL),
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
                    default=options.get(CONF_POWER_ON_SOURCE, POWER_ON_SOURCE_NONE)
                    if options.get(CONF_POWER_ON_SOURCE, POWER_ON_SOURCE_NONE) in sources
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
                    default=[str(a) for a in options.get(CONF_SOURCE_ALIASES, [])],
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[], multiple=True, custom_value=True, mode=SelectSelectorMode.LIST
                    )
                ),
            }
        )
        return self.async_show_form(step_id="general", data_schema=schema, errors=errors)

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
                        CONF_AUTO_POWER_ON: bool(user_input[CONF_AUTO_POWER_ON]),
                        CONF_REARM_OFF_S: int(user_input[CONF_REARM_OFF_S]),
                        CONF_BOOT_TIMEOUT_S: int(user_input[CONF_BOOT_TIMEOUT_S]),
                        CONF_CUT_MAINS: bool(user_input[CONF_CUT_MAINS]),
                        CONF_CUT_MAINS_COOLDOWN_S: int(user_input[CONF_CUT_MAINS_COOLDOWN_S]),
                    }
                )
                if plug := user_input.get(CONF_PLUG):
                    new[CONF_PLUG] = plug
                sensor = user_input.get(CONF_POWER_SENSOR)
                if sensor:
                    new[CONF_POWER_SENSOR] = sensor
                    if sensor == options.get(CONF_POWER_SENSOR):
                        for key in _CALIBRATION_KEYS:
                            if key in options:
                                new[key] = options[key]
                self._pending = new
                if sensor and CONF_ON_W not in new:
                    return await self.async_step_calibrate()
                return self.async_create_entry(data=new)
            options.update(user_input)
        schema = vol.Schema(
            {
                vol.Optional(
                    CONF_PLUG, description={"suggested_value": options.get(CONF_PLUG)}
                ): EntitySelector(EntitySelectorConfig(domain=Platform.SWITCH)),
                vol.Optional(
                    CONF_POWER_SENSOR,
                    description={"suggested_value": options.get(CONF_POWER_SENSOR)},
                ): EntitySelector(
                    EntitySelectorConfig(
                        domain=Platform.SENSOR, device_class=SensorDeviceClass.POWER
                    )
                ),
                vol.Required(
                    CONF_AUTO_POWER_ON, default=bool(options.get(CONF_AUTO_POWER_ON, False))
                ): BooleanSelector(),
                vol.Required(
                    CONF_REARM_OFF_S, default=options.get(CONF_REARM_OFF_S, DEFAULT_REARM_OFF_S)
                ): _seconds(MIN_REARM_OFF_S, MAX_REARM_OFF_S),
                vol.Required(
                    CONF_BOOT_TIMEOUT_S,
                    default=options.get(CONF_BOOT_TIMEOUT_S, DEFAULT_BOOT_TIMEOUT_S),
                ): _seconds(MIN_BOOT_TIMEOUT_S, MAX_BOOT_TIMEOUT_S),
                vol.Required(
                    CONF_CUT_MAINS, default=bool(options.get(CONF_CUT_MAINS, False))
                ): BooleanSelector(),
                vol.Required(
                    CONF_CUT_MAINS_COOLDOWN_S,
                    default=options.get(CONF_CUT_MAINS_COOLDOWN_S, DEFAULT_CUT_MAINS_COOLDOWN_S),
                ): _seconds(MIN_CUT_MAINS_COOLDOWN_S, MAX_CUT_MAINS_COOLDOWN_S),
            }
        )
        return self.async_show_form(step_id="power", data_schema=schema, errors=errors)

    def _validate_power(self, user_input: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
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

    # --- calibration -----------------------------------------------------------------

    async def async_step_calibrate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Step 1 of 3: the reading with the picture on."""
        if not self._pending:
            self._pending = dict(self.config_entry.options)
        return await self._calibration_step(
            "calibrate", CONF_ON_W, user_input, "calibrate_screen_off"
        )

    async def async_step_calibrate_screen_off(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Step 2 of 3: the reading in 关屏 (optional)."""
        if user_input is not None and user_input.get(CONF_SKIP):
            self._readings[CONF_SCREEN_OFF_W] = None
            return await self.async_step_calibrate_standby()
        return await self._calibration_step(
            "calibrate_screen_off",
            CONF_SCREEN_OFF_W,
            user_input,
            "calibrate_standby",
            extra={vol.Required(CONF_SKIP, default=False): BooleanSelector()},
        )

    async def async_step_calibrate_standby(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Step 3 of 3: the reading in standby (关机); then the thresholds are stored."""
        return await self._calibration_step("calibrate_standby", CONF_STANDBY_W, user_input, None)

    async def _calibration_step(
        self,
        step_id: str,
        key: str,
        user_input: dict[str, Any] | None,
        next_step: str | None,
        extra: dict[Any, Any] | None = None,
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        sensor = str(self._pending[CONF_POWER_SENSOR])
        watts = await self._read_power(sensor)
        if user_input is not None:
            if watts is None:
                errors["base"] = "no_reading"
            else:
                self._readings[key] = watts
                if next_step is not None:
                    step = getattr(self, f"async_step_{next_step}")
                    result: ConfigFlowResult = await step()
                    return result
                try:
                    thresholds = PowerThresholds.from_calibration(
                        standby_w=watts,
                        on_w=float(self._readings[CONF_ON_W] or 0.0),
                        screen_off_w=self._readings.get(CONF_SCREEN_OFF_W),
                    )
                except CalibrationError as err:
                    errors["base"] = f"calibration_{err.reason}"
                else:
                    _LOGGER.info(
                        "Calibrated %s: standby ≤ %.1f W, on ≥ %.1f W",
                        sensor,
                        thresholds.standby_max_w,
                        thresholds.on_min_w,
                    )
                    return self.async_create_entry(
                        data={**self._pending, **self._readings, CONF_STANDBY_W: watts}
                    )
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(extra or {}),
            errors=errors,
            description_placeholders={
                "sensor": sensor,
                "watts": "—" if watts is None else f"{watts:.1f}",
                "on_w": _fmt_w(self._readings.get(CONF_ON_W)),
                "screen_off_w": _fmt_w(self._readings.get(CONF_SCREEN_OFF_W)),
            },
        )

    async def _read_power(self, sensor: str) -> float | None:
        """A fresh reading of the power sensor, in W."""
        with contextlib.suppress(HomeAssistantError):
            await self.hass.services.async_call(
                "homeassistant", "update_entity", {ATTR_ENTITY_ID: sensor}, blocking=True
            )
        return read_watts(self.hass.states.get(sensor))


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
CONF_SKIP = "skip"


def _fmt_w(watts: float | None) -> str:
    return "—" if watts is None else f"{watts:.1f}"


def _seconds(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum, max=maximum, step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX
        )
    )
