"""The XGIMI Projector integration: network ADB control of XGIMI (极米) projectors."""

from __future__ import annotations

import logging
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, ISSUE_INSECURE_ADB, KEY_FILE, SETUP_AUTH_TIMEOUT_S
from .coordinator import XgimiConfigEntry, XgimiCoordinator, XgimiRuntimeData
from .projector import AuthorizationError, Projector, XgimiError
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.MEDIA_PLAYER,
    Platform.REMOTE,
    Platform.SELECT,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

README_SECURITY_URL = "https://github.com/xgimi-projector/xgimi_projector#security"


def key_path(hass: HomeAssistant) -> str:
    """Where the integration's ADB key lives (shared by every projector)."""
    return hass.config.path(STORAGE_DIR, KEY_FILE)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> bool:
    """Connect, probe, and start polling."""

    projector = Projector(
        entry.data[CONF_HOST], entry.data[CONF_PORT], key_path=Path(key_path(hass))
    )
    try:
        info = await projector.connect(auth_timeout_s=SETUP_AUTH_TIMEOUT_S)
    except AuthorizationError as err:
        await projector.close()
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="authorization_required",
            translation_placeholders={"host": projector.host},
        ) from err
    except XgimiError as err:
        await projector.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="setup_unreachable",
            translation_placeholders={"host": projector.host, "error": str(err)},
        ) from err
    _update_insecure_issue(hass, entry, insecure=not info.adb_secure)
    coordinator = XgimiCoordinator(hass, entry, projector)
    entry.runtime_data = XgimiRuntimeData(projector, coordinator)
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await projector.close()
        raise
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def _update_insecure_issue(hass: HomeAssistant, entry: ConfigEntry, *, insecure: bool) -> None:
    """Warn, as a repair issue, when the projector accepts ADB without authorization."""
    issue_id = f"{ISSUE_INSECURE_ADB}_{entry.entry_id}"
    if not insecure:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_INSECURE_ADB,
        translation_placeholders={"name": entry.title},
        learn_more_url=README_SECURITY_URL,
    )


async def _async_options_updated(hass: HomeAssistant, entry: XgimiConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> bool:
    """Unload the platforms and close the ADB session."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.projector.close()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> None:
    """Forget the entry's repair issue."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_INSECURE_ADB}_{entry.entry_id}")
