"""Config flow: host (typed, searched for, or discovered) → authorization on the projector →
entry; reauth, reconfigure, options."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import ipaddress
import logging
from pathlib import Path
import re
from typing import Any, Self

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.helpers.storage import STORAGE_DIR
import voluptuous as vol

from . import flow_discovery
from .const import (
    CONF_DEVICE_INFO,
    DEFAULT_NAME,
    DEFAULT_NAME_FALLBACK,
    DEFAULT_PORT,
    DOMAIN,
    FLOW_AUTH_TIMEOUT_S,
    KEY_FILE,
)
from .flow_discovery import async_identify, zeroconf_name
from .flow_lan import CONF_LAN_ONLY, LanFlowMixin
from .lan_setup import is_lan_entry
from .options_flow import XgimiOptionsFlow
from .projector import DeviceInfo, Projector, XgimiError

_LOGGER = logging.getLogger(__name__)

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)


def valid_host(host: str) -> bool:
    """An IPv4/IPv6 address or a DNS name; no scheme, port, path or spaces."""
    if ":" in host:
        try:
            address = ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return not address.is_unspecified
    if re.fullmatch(r"[\d.]+", host):
        try:
            return not ipaddress.IPv4Address(host).is_unspecified
        except ValueError:
            return False
    return bool(_HOSTNAME.match(host))


def _host_schema(host: str | None, port: int, *, search: bool = False) -> dict[vol.Marker, Any]:
    """Host and port; with ``search`` the host may be left empty (to search the network), so
    it is only suggested (a default would come back when the person clears the field)."""
    host_key = (
        vol.Optional(CONF_HOST, description={"suggested_value": host})
        if search
        else vol.Required(CONF_HOST, default=host or vol.UNDEFINED)
    )
    return {
        host_key: TextSelector(),
        vol.Required(CONF_PORT, default=port): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
        ),
    }


class XgimiConfigFlow(LanFlowMixin, ConfigFlow, domain=DOMAIN):
    """Add an XGIMI projector."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        self._host: str = ""
        self._port: int = DEFAULT_PORT
        self._name: str = ""
        """The name typed by the person; empty: named after the model."""
        self._connect_task: asyncio.Task[DeviceInfo] | None = None
        self._prompted = asyncio.Event()
        self._info: DeviceInfo | None = None
        self._auth_error: str | None = None
        self._discovered_host = ""
        """The address a discovery flow is about (two discoveries of one address: one flow)."""
        self._discovered_name = ""
        self._discovery_error: str | None = None
        self._offer_lan = False
        """The discovered projector's ADB is off or refused, but it answered XGIMI's probe:
        the confirm step offers "LAN keys only"."""
        self._found: dict[str, str] = {}
        """Search results: address → label."""

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> XgimiOptionsFlow:
        return XgimiOptionsFlow()

    def _placeholders(self) -> dict[str, str]:
        """What the forms' texts and errors refer to: the address as typed."""
        return {"host": self._host or "—", "port": str(self._port)}

    def _unique_name(self, info: DeviceInfo) -> str:
        """No name given: the model people know (``XGIMI Z6X Pro``), numbered if another
        projector already has that name (never two entries with the same name)."""
        base = info.display_name.strip() or DEFAULT_NAME.get(
            self.hass.config.language, DEFAULT_NAME_FALLBACK
        )
        taken = {entry.title for entry in self._async_current_entries(include_ignore=False)}
        name, number = base, 2
        while name in taken:
            name, number = f"{base} {number}", number + 1
        return name

    # --- user ------------------------------------------------------------------------------

    def _key_path(self) -> Path:
        return Path(self.hass.config.path(STORAGE_DIR, KEY_FILE))

    def _show_user_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        """The address form, filled with what is known (typed, or picked from a search)."""
        schema = vol.Schema(
            {
                **_host_schema(self._host or None, self._port, search=True),
                vol.Optional(
                    CONF_NAME, description={"suggested_value": self._name or None}
                ): TextSelector(),
                vol.Optional(CONF_LAN_ONLY, default=False): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=schema,
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Type the address, or leave it empty to search the network."""
        errors: dict[str, str] = {}
        if user_input is not None:
            host = str(user_input.get(CONF_HOST) or "").strip()
            self._port = int(user_input[CONF_PORT])
            self._name = str(user_input.get(CONF_NAME) or "").strip()
            if user_input.get(CONF_LAN_ONLY):
                self._host = host
                return await self.async_step_lan()
            if not host:
                return await self.async_step_search()
            self._host = host
            if not valid_host(host):
                errors[CONF_HOST] = "invalid_host"
            else:
                self._async_abort_entries_match({CONF_HOST: self._host, CONF_PORT: self._port})
                return await self._async_start_connect("user", errors)
        return self._show_user_form(errors)

    # --- search the network ------------------------------------------------------------------

    async def async_step_search(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Send XGIMI's search and list the projectors that answered (not those already added);
        the one picked fills the address form."""
        if user_input is not None:
            self._host = str(user_input[CONF_HOST])
            self._port = flow_discovery.SETTINGS.adb_port
            return self._show_user_form({})
        found = await flow_discovery.async_search(self.hass)
        configured = {
            entry.data.get(CONF_HOST) for entry in self._async_current_entries(include_ignore=False)
        }
        self._found = {
            projector.host: f"{projector.name} ({projector.host})"
            for projector in found
            if projector.host not in configured
        }
        if not self._found:
            self._host = ""
            return self._show_user_form({"base": "nothing_found"})
        options = [SelectOptionDict(value=host, label=label) for host, label in self._found.items()]
        return self.async_show_form(
            step_id="search",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_HOST): SelectSelector(
                        SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST)
                    )
                }
            ),
            description_placeholders={"count": str(len(options))},
        )

    # --- discovery (DHCP, zeroconf) ----------------------------------------------------------

    def is_matching(self, other_flow: Self) -> bool:
        """Another discovery of the same address is already being offered."""
        return bool(self._discovered_host) and other_flow._discovered_host == self._discovered_host

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A device with XGIMI's MAC prefix asked the router for an address."""
        mac = format_mac(discovery_info.macaddress)
        return await self._async_discovered(discovery_info.ip, f"mac:{mac}", "")

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A projector announces ``_xgimi._tcp`` (XGIMI's phone-app service)."""
        name = zeroconf_name(discovery_info)
        return await self._async_discovered(
            discovery_info.host, f"zeroconf:{discovery_info.name.lower()}", name
        )

    async def _async_discovered(self, host: str, hint: str, name: str) -> ConfigFlowResult:
        """Identify the projector at ``host`` without a prompt on its screen; a known projector
        at a new address gets the address (and is reloaded), a new one is offered.

        ``hint`` (MAC or service name) is the flow's id until the serial is known, so that a
        projector ignored before it could be identified stays ignored.
        """
        self._discovered_host = self._host = host
        self._port = flow_discovery.SETTINGS.adb_port
        self._async_abort_entries_match({CONF_HOST: host})
        if self.hass.config_entries.flow.async_has_matching_flow(self):
            return self.async_abort(reason="already_in_progress")
        await self.async_set_unique_id(hint)
        self._abort_if_unique_id_configured()
        identity = await async_identify(host, self._port, self._key_path())
        if (info := identity.info) is not None:
            if not info.serial:
                return self.async_abort(reason="no_serial")
            await self.async_set_unique_id(info.serial)
            self._abort_if_unique_id_configured(updates={CONF_HOST: host, CONF_PORT: self._port})
            name = info.display_name
        else:
            # Not identified over ADB (it wants our key allowed, or network ADB is off): the
            # UDP answer says whether an XGIMI is there and its name. One that answers it
            # while its ADB is off or refused takes LAN keys: the confirm step offers that.
            self._discovery_error = identity.error
            answer = await flow_discovery.async_udp_answer(self.hass, host)
            self._offer_lan = answer is not None and not identity.needs_authorization
            name = name or flow_discovery.udp_name(answer) or ""
        self._discovered_name = name or f"XGIMI ({host})"
        self.context["title_placeholders"] = {CONF_NAME: self._discovered_name}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the discovered projector; on Submit, connect as the address form does, or
        (when ADB is off or refused but the projector answered XGIMI's probe, and the person
        ticks it) add it for LAN keys only, as the ``lan`` step does."""
        if user_input is not None:
            if self._offer_lan and user_input.get(CONF_LAN_ONLY):
                self._name = self._discovered_name
                return await self._async_add_lan(self._show_discovery_confirm)
            return await self._async_start_connect("discovery_confirm", {})
        if not self._offer_lan:  # a choice to make: not a bare confirmation
            self._set_confirm_only()
        errors = {"base": self._discovery_error} if self._discovery_error else {}
        return self._show_discovery_confirm(errors)

    def _show_discovery_confirm(self, errors: dict[str, str]) -> ConfigFlowResult:
        schema = (
            vol.Schema({vol.Optional(CONF_LAN_ONLY, default=False): BooleanSelector()})
            if self._offer_lan
            else None
        )
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={**self._placeholders(), CONF_NAME: self._discovered_name},
        )

    # --- connect and authorize ---------------------------------------------------------------

    async def _async_connect(self) -> DeviceInfo:
        projector = Projector(self._host, self._port, key_path=self._key_path())
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
            errors["base"] = err.connect_error_key
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
                description_placeholders=self._placeholders(),
            )
        if step == "discovery_confirm":
            return self._show_discovery_confirm(errors)
        return self._show_user_form(errors)

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
                    **self._placeholders(),
                    "timeout": str(int(FLOW_AUTH_TIMEOUT_S)),
                },
            )
        self._connect_task = None
        try:
            self._info = task.result()
        except XgimiError as err:
            self._auth_error = err.connect_error_key
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
            description_placeholders=self._placeholders(),
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
        return self.async_create_entry(title=self._name or self._unique_name(info), data=data)

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
            step_id="reauth_confirm", description_placeholders=self._placeholders()
        )

    # --- reconfigure ---------------------------------------------------------------------------

    def _show_reconfigure_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(_host_schema(self._host, self._port)),
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        if is_lan_entry(entry):
            return await self.async_step_lan_reconfigure()
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
