"""Integration actions: ``adb_command`` (raw shell, administrators only) and ``voice_command``."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .const import (
    ATTR_COMMAND,
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    SERVICE_ADB_COMMAND,
    SERVICE_VOICE_COMMAND,
)
from .coordinator import XgimiConfigEntry
from .entity import translate_error
from .projector import XgimiError
from .voice_command import VOICE_COMMAND_SCHEMA, async_voice_command

MAX_COMMAND_LENGTH = 4096
ADB_COMMAND_TIMEOUT_S = 30.0
"""How long a command may run, printing or silent (documented in services.yaml)."""
ADB_COMMAND_MAX_OUTPUT_BYTES = 1024 * 1024
"""How much a command may print (1 MiB, framing included; documented in services.yaml): more
fails the action and drops the session, so a runaway command cannot fill memory."""

ADB_COMMAND_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_COMMAND): vol.All(cv.string, vol.Length(min=1, max=MAX_COMMAND_LENGTH)),
    }
)


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> XgimiConfigEntry:
    entry: XgimiConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    return entry


async def _async_require_admin(call: ServiceCall) -> None:
    """Raw shell is for administrators (HA's admin-service check, which 2025.4 offers only for
    actions without a response)."""
    if call.context.user_id is None:
        return  # automations and scripts run with the system's authority
    user = await call.hass.auth.async_get_user(call.context.user_id)
    if user is None:
        raise UnknownUser(context=call.context, permission="admin", user_id=call.context.user_id)
    if not user.is_admin:
        raise Unauthorized(context=call.context, permission="admin")


async def _async_adb_command(call: ServiceCall) -> ServiceResponse:
    await _async_require_admin(call)
    entry = _loaded_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    projector = entry.runtime_data.projector
    try:
        output = await projector.shell(
            call.data[ATTR_COMMAND],
            timeout_s=ADB_COMMAND_TIMEOUT_S,
            max_bytes=ADB_COMMAND_MAX_OUTPUT_BYTES,
        )
    except XgimiError as err:
        raise translate_error(err, projector.host) from err
    await entry.runtime_data.async_request_refresh()
    return {"output": output}


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (called once from ``async_setup``)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADB_COMMAND,
        _async_adb_command,
        schema=ADB_COMMAND_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_VOICE_COMMAND,
        async_voice_command,
        schema=VOICE_COMMAND_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
