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
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.typing import ConfigType

from .const import (
    CONF_DEVICE_INFO,
    DOMAIN,
    ISSUE_INSECURE_ADB,
    ISSUE_POWER_ON_FAILED,
    KEY_FILE,
    SETUP_AUTH_TIMEOUT_S,
)
from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .options import XgimiOptions
from .plug import HaPlug
from .projector import (
    AuthorizationError,
    DeviceInfo,
    PowerManager,
    Projector,
    ProjectorSnapshot,
    ProjectorUnreachableError,
    XgimiError,
)
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.MEDIA_PLAYER,
    Platform.REMOTE,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

README_SECURITY_URL = "https://github.com/xgimi-projector/xgimi_projector#security"
README_POWER_URL = "https://github.com/xgimi-projector/xgimi_projector#power-on-with-a-smart-plug"


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
    projector.connection.name = entry.title  # log lines say "投影仪 (192.168.1.20:5555)"
    options = XgimiOptions.from_entry(entry)
    plug = HaPlug.from_options(hass, options)
    try:
        info = await projector.connect(auth_timeout_s=SETUP_AUTH_TIMEOUT_S)
    except AuthorizationError as err:
        await projector.close()
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="authorization_required",
            translation_placeholders={"host": projector.host},
        ) from err
    except ProjectorUnreachableError as err:
        if plug is None or CONF_DEVICE_INFO not in entry.data:
            await projector.close()
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="setup_unreachable",
                translation_placeholders={"host": projector.host, "error": str(err)},
            ) from err
        # Standby or mains off, and a plug can turn it on: load from the stored probe and
        # show it off (not unavailable).
        projector.info = DeviceInfo.from_dict(entry.data[CONF_DEVICE_INFO])
        _LOGGER.info("%s is not answering (standby?); loaded from its stored probe", entry.title)
    except XgimiError as err:
        await projector.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="setup_unreachable",
            translation_placeholders={"host": projector.host, "error": str(err)},
        ) from err
    else:
        _update_insecure_issue(hass, entry, insecure=not info.adb_secure)

    power = PowerManager(
        projector,
        plug,
        options.power_settings(hass),
        create_task=lambda coro, name: entry.async_create_background_task(hass, coro, name),
    )
    texts = await async_get_translations(hass, hass.config.language, "entity", {DOMAIN})
    coordinator = XgimiCoordinator(hass, entry, projector, power, options, texts, plug)
    power.on_change = coordinator.async_power_changed
    entry.runtime_data = coordinator
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await projector.close()
        raise
    entry.async_on_unload(
        coordinator.async_add_listener(lambda: _update_power_issue(hass, entry, coordinator.data))
    )
    if plug is not None:
        entry.async_on_unload(plug.async_listen(power.plug_changed))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def _set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    *,
    translation_key: str | None,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    placeholders: dict[str, str] | None = None,
    learn_more_url: str | None = None,
) -> None:
    """Raise this entry's ``kind`` repair issue, or remove it when ``translation_key`` is None."""
    issue_id = f"{kind}_{entry.entry_id}"
    if translation_key is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders={"name": entry.title, **(placeholders or {})},
        learn_more_url=learn_more_url,
    )


def _update_power_issue(
    hass: HomeAssistant, entry: ConfigEntry, snapshot: ProjectorSnapshot
) -> None:
    """Raise a repair issue when a power-on failed; remove it once the projector is on."""
    error = snapshot.last_error
    if error is None or not error.repair_issue:
        if snapshot.is_on:
            _set_issue(hass, entry, ISSUE_POWER_ON_FAILED, translation_key=None)
        return
    _set_issue(
        hass,
        entry,
        ISSUE_POWER_ON_FAILED,
        translation_key=f"{ISSUE_POWER_ON_FAILED}_{error.translation_key}",
        severity=ir.IssueSeverity.ERROR,
        placeholders={"error": str(error)},
        learn_more_url=README_POWER_URL,
    )


def _update_insecure_issue(hass: HomeAssistant, entry: ConfigEntry, *, insecure: bool) -> None:
    """Warn, as a repair issue, when the projector accepts ADB without authorization."""
    _set_issue(
        hass,
        entry,
        ISSUE_INSECURE_ADB,
        translation_key=ISSUE_INSECURE_ADB if insecure else None,
        learn_more_url=README_SECURITY_URL,
    )


async def async_unload_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> bool:
    """Unload the platforms and close the ADB session."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.power.close()
        await entry.runtime_data.projector.close()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> None:
    """Forget the entry's repair issues."""
    for kind in (ISSUE_INSECURE_ADB, ISSUE_POWER_ON_FAILED):
        _set_issue(hass, entry, kind, translation_key=None)
