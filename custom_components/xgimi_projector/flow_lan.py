"""The config flow's "LAN keys only (no ADB)" step, for GMUI projectors whose network ADB cannot
be enabled (docs/lan.md).

What the flow can know before creating such an entry, and what it cannot:

- ADB answers without a prompt and the projector is Android TV / Google TV: LAN keys are not
  for it (``lan_not_gmui``). That is the only certain "no".
- The host answers "port unreachable" to an empty datagram on UDP 16735: nothing listens there
  (Android TV firmware, a PC, a wrong address) (``lan_port_closed``).
- Silence is not a "yes": a GMUI projector listens without answering, but so does a projector in
  standby (it drops everything) and a host behind a firewall. The entry is created; the README
  says how to tell that keys arrive (press one and watch the picture).
- A projector that answers XGIMI's discovery probe is GMUI; its answer names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import logging
from pathlib import Path
from typing import Any, Final

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME
from homeassistant.helpers.selector import TextSelector
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.util.ulid import ulid_now
import voluptuous as vol

from . import flow_discovery
from .const import CONF_DEVICE_INFO, KEY_FILE
from .flow_discovery import async_identify
from .lan_setup import CONF_LAN_PORT, CONF_TRANSPORT, TRANSPORT_LAN
from .projector import LAN_FAMILIES, LAN_KEY_PORT, DeviceInfo, LanKeys, XgimiError
from .projector.lan import lan_device_info

_LOGGER = logging.getLogger(__name__)

CONF_LAN_ONLY: Final = "lan_only"
"""The address form's choice: set the projector up for LAN keys only."""


@dataclass(frozen=True, slots=True)
class LanFlowSettings:
    """Where the LAN step sends (tests point it at the simulator's port; one object)."""

    key_port: int = LAN_KEY_PORT


LAN_SETTINGS = LanFlowSettings()


class LanFlowMixin(ConfigFlow):
    """The ``lan`` step of :class:`~.config_flow.XgimiConfigFlow`."""

    _host: str
    _port: int
    _name: str

    def _lan_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        schema = vol.Schema(
            {
                vol.Required(CONF_HOST, default=self._host or vol.UNDEFINED): TextSelector(),
                vol.Optional(
                    CONF_NAME, description={"suggested_value": self._name or None}
                ): TextSelector(),
            }
        )
        return self.async_show_form(
            step_id="lan",
            data_schema=schema,
            errors=errors,
            description_placeholders={"host": self._host or "—"},
        )

    async def async_step_lan(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Host and name of a GMUI projector to control with LAN keys only (no ADB)."""
        if user_input is None:
            return self._lan_form({})
        from .config_flow import valid_host  # config_flow imports this module: not at the top

        self._host = str(user_input[CONF_HOST]).strip()
        self._name = str(user_input.get(CONF_NAME) or "").strip()
        if not valid_host(self._host):
            return self._lan_form({CONF_HOST: "invalid_host"})
        self._async_abort_entries_match({CONF_HOST: self._host})
        return await self._async_add_lan(self._lan_form)

    async def _async_add_lan(
        self, form: Callable[[dict[str, str]], ConfigFlowResult]
    ) -> ConfigFlowResult:
        """Check that LAN keys can work at ``self._host`` and create the entry (``form`` shows
        the step's form again with the reason when they certainly cannot). Shared by the
        address form's path and the discovery's confirm step."""
        error, info = await self._async_check_lan()
        if error is not None:
            return form({"base": error})
        if info is not None and info.serial:
            await self.async_set_unique_id(info.serial)
            self._abort_if_unique_id_configured()
        elif self.unique_id is None:
            # Nothing stable can be read over UDP (no serial, no MAC): an id of its own, made
            # once. The address is matched above, so one projector is not added twice. (A
            # discovered projector keeps the id its discovery gave: its MAC or service name.)
            await self.async_set_unique_id(f"lan-{ulid_now().lower()}")
        title = (
            self._name
            or await flow_discovery.async_udp_name(self.hass, self._host)
            or f"XGIMI ({self._host})"
        )
        data = {
            CONF_HOST: self._host,
            CONF_TRANSPORT: TRANSPORT_LAN,
            CONF_LAN_PORT: LAN_SETTINGS.key_port,
            CONF_DEVICE_INFO: (info or lan_device_info()).as_dict(),
        }
        return self.async_create_entry(title=title, data=data)

    async def async_step_lan_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A LAN entry's new address (the projector got another one)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            from .config_flow import valid_host  # config_flow imports this module: not at the top

            host = str(user_input[CONF_HOST]).strip()
            if not valid_host(host):
                errors[CONF_HOST] = "invalid_host"
            else:
                try:
                    await LanKeys(host, int(entry.data[CONF_LAN_PORT])).check_port()
                except XgimiError as err:
                    errors["base"] = err.connect_error_key
                else:
                    return self.async_update_reload_and_abort(entry, data_updates={CONF_HOST: host})
        host = str(user_input[CONF_HOST]).strip() if user_input else entry.data[CONF_HOST]
        return self.async_show_form(
            step_id="lan_reconfigure",
            data_schema=vol.Schema({vol.Required(CONF_HOST, default=host): TextSelector()}),
            errors=errors,
            description_placeholders={"host": entry.data[CONF_HOST]},
        )

    async def _async_check_lan(self) -> tuple[str | None, DeviceInfo | None]:
        """A ``config.error`` key when LAN keys certainly cannot work, else what ADB told
        (None when it did not answer without a prompt)."""
        key_path = Path(self.hass.config.path(STORAGE_DIR, KEY_FILE))
        identity = await async_identify(self._host, self._port, key_path)
        info = identity.info
        if info is not None and info.family not in LAN_FAMILIES:
            return "lan_not_gmui", None
        try:
            await LanKeys(self._host, LAN_SETTINGS.key_port).check_port()
        except XgimiError as err:
            _LOGGER.debug("LAN key port of %s: %s", self._host, err)
            return err.connect_error_key, None
        return None, info
