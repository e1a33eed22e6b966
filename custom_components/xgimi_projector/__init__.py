"""The XGIMI Projector integration: network ADB control of XGIMI (极米) projectors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import logging
from pathlib import Path
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HassJob, HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
)
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .const import (
    CONF_DEVICE_INFO,
    DOMAIN,
    ISSUE_INSECURE_ADB,
    ISSUE_POWER_ON_FAILED,
    KEY_FILE,
    SETUP_AUTH_TIMEOUT_S,
)
from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .intents import async_setup_intents
from .lan_setup import LAN_PLATFORMS, async_setup_lan_entry, is_lan_entry, lan_keys_for
from .options import XgimiOptions
from .plug import HaPlug
from .projector import (
    AuthorizationError,
    DeviceInfo,
    KeyFileError,
    PowerManager,
    PowerOnCancelledError,
    Projector,
    ProjectorSnapshot,
    ProjectorUnreachableError,
    XgimiError,
)
from .projector.power import PendingPowerOn, PowerOnResult
from .repairs import set_issue
from .services import async_setup_services
from .switch import async_remove_sentences_with_last_entry
from .wake import ISSUE_WAKE_FELL_BACK, HaWakeAction, async_setup_wake

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

ISSUE_POWER_ON_INTERRUPTED: Final = "power_on_interrupted"
ISSUE_ADB_KEY: Final = "adb_key_invalid"
"""Repair issue: a power-on a restart interrupted was too old to finish (placeholders: name,
minutes)."""
RESUME_WITHIN: Final = timedelta(minutes=10)
"""A power-on a restart interrupted is finished only if it was asked for this recently; an
older one is reported instead (nobody expects the projector to start that much later)."""
JOURNAL_VERSION: Final = 1


def key_path(hass: HomeAssistant) -> str:
    """Where the integration's ADB key lives (shared by every projector)."""
    return hass.config.path(STORAGE_DIR, KEY_FILE)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    async_setup_intents(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> bool:
    """Connect, probe, and start polling (a LAN-keys-only entry: see :mod:`.lan_setup`)."""
    if is_lan_entry(entry):
        return await async_setup_lan_entry(hass, entry)
    projector = Projector(
        entry.data[CONF_HOST],
        entry.data[CONF_PORT],
        key_path=Path(key_path(hass)),
        lan=lan_keys_for(entry),  # keys over UDP while ADB is down (GMUI only)
    )
    projector.connection.name = entry.title  # log lines say "投影仪 (192.168.1.20:5555)"
    options = XgimiOptions.from_entry(entry)
    plug = HaPlug.from_options(hass, options)
    wake = HaWakeAction.from_options(hass, options)
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
        if (plug is None and wake is None) or CONF_DEVICE_INFO not in entry.data:
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
    except KeyFileError as err:
        # Not a passing problem: retrying cannot help, and replacing the key would lose every
        # projector's authorization. Say what to do, where the person looks.
        await projector.close()
        set_issue(
            hass,
            entry,
            ISSUE_ADB_KEY,
            translation_key=ISSUE_ADB_KEY,
            severity=ir.IssueSeverity.ERROR,
            placeholders=err.translation_placeholders,
        )
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key=err.translation_key,
            translation_placeholders=err.translation_placeholders,
        ) from err
    except XgimiError as err:
        await projector.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="setup_unreachable",
            translation_placeholders={"host": projector.host, "error": str(err)},
        ) from err
    else:
        _update_insecure_issue(hass, entry, insecure=not info.adb_secure)
    set_issue(hass, entry, ISSUE_ADB_KEY, translation_key=None)

    journal = PowerOnJournal(hass, entry)
    await journal.async_load()
    power = PowerManager(
        projector,
        plug,
        options.power_settings(hass),
        create_task=lambda coro, name: entry.async_create_background_task(hass, coro, name),
        on_pending=journal.pending_changed,
        wake_action=wake,
    )
    texts = await async_get_translations(hass, hass.config.language, "entity", {DOMAIN})
    coordinator = XgimiCoordinator(hass, entry, projector, power, options, texts, plug)
    power.on_change = coordinator.async_power_changed
    entry.runtime_data = coordinator
    coordinator.setup_stream()  # started by the first poll that reaches the projector
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await coordinator.async_close_stream()
        await projector.close()
        raise
    entry.async_on_unload(
        coordinator.async_add_listener(lambda: _update_power_issue(hass, entry, coordinator.data))
    )
    if plug is not None:
        entry.async_on_unload(plug.async_listen(power.plug_changed))
    async_setup_wake(hass, entry, coordinator, wake)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)

    async def _on_stop() -> None:
        # Home Assistant does not unload entries when it stops, and it cancels background
        # tasks (the power-on) before EVENT_HOMEASSISTANT_STOP: a shutdown job runs first.
        await coordinator.async_close_stream()
        await power.close()
        await journal.async_flush()

    entry.async_on_unload(hass.async_add_shutdown_job(HassJob(_on_stop, "xgimi_projector stop")))
    entry.async_on_unload(journal.async_flush)  # runs after async_unload_entry's close()

    @callback
    def _resumed() -> None:
        # Its last steps (the source) came after the last state the power manager published.
        entry.async_create_task(hass, coordinator.async_request_refresh(), "xgimi refresh")

    async def _resume(_hass: HomeAssistant) -> None:
        await journal.async_resume(power, _resumed)

    # The plug's integration may still be loading while Home Assistant starts.
    entry.async_on_unload(async_at_started(hass, _resume))
    return True


class PowerOnJournal:
    """The power-on a restart must finish, kept in ``.storage`` (one store per entry).

    The library reports it (:class:`PendingPowerOn`) once a power-on reaches the plug, and when
    closing interrupts one; this keeps it with wall-clock times (asked for, mains back on) and
    forgets it when the power-on ends. After a restart it is finished, or reported.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self.store = journal_store(hass, entry.entry_id)
        self.record: dict[str, str] | None = None
        """``requested_at``, and ``boot_started_at`` once mains is on for it (ISO 8601, UTC)."""
        self._written: dict[str, str] | None = None
        self._lock = asyncio.Lock()

    async def async_load(self) -> None:
        data = await self.store.async_load()
        self.record = self._written = data if isinstance(data, dict) and data else None

    @callback
    def pending_changed(self, pending: PendingPowerOn | None) -> None:
        """The library's report: stamp it and write it (or forget it) in the background."""
        record: dict[str, str] | None = None
        if pending is not None:
            now = dt_util.utcnow().isoformat()
            record = dict(self.record or {"requested_at": now})
            if not pending.boot_started:
                record.pop("boot_started_at", None)
            else:
                record.setdefault("boot_started_at", now)
        if record == self.record:
            return
        self.record = record
        self.entry.async_create_task(self.hass, self.async_flush(), "xgimi_projector journal")

    async def async_flush(self) -> None:
        """Write the latest record (the writes of quick changes collapse into one)."""
        async with self._lock:
            record = self.record
            if record == self._written:
                return
            if record is None:
                await self.store.async_remove()
            else:
                await self.store.async_save(record)
            self._written = record

    async def async_resume(self, power: PowerManager, finished: Callable[[], None]) -> None:
        """After a restart: finish the power-on it interrupted (then call ``finished``), or say
        why not."""
        record = self.record
        if record is None:
            return
        name = self.entry.title
        now = dt_util.utcnow()
        requested = _parse_time(record.get("requested_at"))
        if requested is None or now - requested > RESUME_WITHIN:
            minutes = (
                "?" if requested is None else str(round((now - requested) / timedelta(minutes=1)))
            )
            _LOGGER.warning(
                "%s: a power-on asked for %s min ago was interrupted by a restart; it is too "
                "old to finish now (the limit is %d min). Turn the projector on again",
                name,
                minutes,
                RESUME_WITHIN // timedelta(minutes=1),
            )
            set_issue(
                self.hass,
                self.entry,
                ISSUE_POWER_ON_INTERRUPTED,
                translation_key=ISSUE_POWER_ON_INTERRUPTED,
                placeholders={"minutes": minutes},
                learn_more_url=README_POWER_URL,
            )
            self.record = None
            await self.async_flush()
            return
        boot = _parse_time(record.get("boot_started_at"))
        booting_for_s = None if boot is None else max(0.0, (now - boot).total_seconds())
        _LOGGER.info(
            "%s: finishing the power-on a restart interrupted (asked for %.0f s ago)",
            name,
            (now - requested).total_seconds(),
        )
        task = power.resume_turn_on(booting_for_s=booting_for_s)
        task.add_done_callback(lambda done: _report_resumed(name, done, finished))


def journal_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, str]]:
    """Where an entry's pending power-on is kept."""
    return Store(hass, JOURNAL_VERSION, f"{DOMAIN}.{entry_id}.power")


def _parse_time(value: object) -> datetime | None:
    """A stored time, or None when missing or unreadable (the record is outside our code's
    control once on disk)."""
    parsed = dt_util.parse_datetime(value) if isinstance(value, str) else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _report_resumed(
    name: str, task: asyncio.Task[PowerOnResult], finished: Callable[[], None]
) -> None:
    if task.cancelled() or isinstance(task.exception(), PowerOnCancelledError):
        return  # closed again (still pending, for the next start), or withdrawn by a turn-off
    if (err := task.exception()) is not None:
        _LOGGER.warning("%s: the power-on a restart interrupted failed: %s", name, err)
    else:
        _LOGGER.info("%s: the power-on a restart interrupted is done (%s)", name, task.result())
    finished()


def _update_power_issue(
    hass: HomeAssistant, entry: ConfigEntry, snapshot: ProjectorSnapshot
) -> None:
    """Raise a repair issue when a power-on failed; remove it once the projector is on."""
    if snapshot.is_on:
        set_issue(hass, entry, ISSUE_POWER_ON_INTERRUPTED, translation_key=None)
    error = snapshot.last_error
    if error is None or not error.repair_issue:
        if snapshot.is_on:
            set_issue(hass, entry, ISSUE_POWER_ON_FAILED, translation_key=None)
        return
    set_issue(
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
    set_issue(
        hass,
        entry,
        ISSUE_INSECURE_ADB,
        translation_key=ISSUE_INSECURE_ADB if insecure else None,
        learn_more_url=README_SECURITY_URL,
    )


async def async_unload_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> bool:
    """Unload the platforms and close the ADB session."""
    platforms = LAN_PLATFORMS if is_lan_entry(entry) else PLATFORMS
    if unloaded := await hass.config_entries.async_unload_platforms(entry, platforms):
        await entry.runtime_data.async_close_stream()
        await entry.runtime_data.power.close()
        await entry.runtime_data.projector.close()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> None:
    """Forget the entry's repair issues and its pending power-on (and, with the last
    projector, the Chinese Assist sentences file)."""
    for kind in (
        ISSUE_INSECURE_ADB,
        ISSUE_POWER_ON_FAILED,
        ISSUE_POWER_ON_INTERRUPTED,
        ISSUE_ADB_KEY,
        ISSUE_WAKE_FELL_BACK,
    ):
        set_issue(hass, entry, kind, translation_key=None)
    await journal_store(hass, entry.entry_id).async_remove()
    await async_remove_sentences_with_last_entry(hass, entry.entry_id)
