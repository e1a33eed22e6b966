"""A "LAN keys only" entry: a GMUI projector without network ADB, driven by XGIMI's LAN key
protocol (UDP, docs/lan.md).

The same machinery as an ADB entry, with the library's no-ADB projector
(:meth:`Projector.lan_only`): its poll reports unreachable without touching the network, so the
power manager's plug reading (the draw) is the only state there is. Turning on runs the wake
action when one is set up (a BLE or IR wake needs no ADB), with the plug's cycle as the fallback.
Keys, the volume steps, Home, the source menu and the power-off go over UDP; everything that
needs ADB is refused by the library (``lan_needs_adb``) before anything is sent.
"""

from __future__ import annotations

import logging
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .const import CONF_DEVICE_INFO, DOMAIN
from .coordinator import XgimiConfigEntry, XgimiCoordinator
from .options import XgimiOptions
from .plug import HaPlug
from .projector import (
    LAN_KEY_PORT,
    SOURCE_HOME,
    SOURCE_MENU,
    DeviceInfo,
    LanKeys,
    Projector,
    ProjectorSnapshot,
)
from .projector.lan import lan_device_info
from .projector.lan_power import LanPowerManager
from .wake import HaWakeAction, async_setup_wake

_LOGGER = logging.getLogger(__name__)

CONF_TRANSPORT: Final = "transport"
"""Entry data: how the projector is reached; absent (ADB) or :data:`TRANSPORT_LAN`."""
TRANSPORT_LAN: Final = "lan"
CONF_LAN_PORT: Final = "lan_port"
"""Entry data: the UDP key port (XGIMI's 16735 unless stored; tests store the simulator's)."""

LAN_PLATFORMS: Final[list[Platform]] = [Platform.BUTTON, Platform.MEDIA_PLAYER, Platform.REMOTE]
"""What makes sense without ADB: keys (remote, buttons), the media player's power and volume
steps. No sensors, selects or switches: they show or need state only ADB reads."""


def is_lan_entry(entry: ConfigEntry) -> bool:
    """Whether ``entry`` is set up for LAN keys only."""
    return entry.data.get(CONF_TRANSPORT) == TRANSPORT_LAN


def lan_keys_for(entry: ConfigEntry) -> LanKeys:
    """The UDP key transport of an entry's projector (an ADB entry's fallback, too)."""
    return LanKeys(entry.data[CONF_HOST], int(entry.data.get(CONF_LAN_PORT, LAN_KEY_PORT)))


class LanCoordinator(XgimiCoordinator):
    """The coordinator of a LAN-keys-only entry: unreachable over ADB is its normal state (never
    a failed update), and there is no event stream."""

    async def _async_update_data(self) -> ProjectorSnapshot:
        return await self.power.refresh()

    @property
    def power_known(self) -> bool:
        """The plug's power reading, against its calibration, says whether the lamp is on."""
        return self.power.tracker is not None

    @property
    def is_on(self) -> bool | None:
        """On by the plug's draw where it is known, else as the commands sent suggest (None:
        nothing known yet)."""
        if self.power_known:
            return self.data.is_on
        return self.projector.assumed_on

    @property
    def accepts_commands(self) -> bool:
        """Keys go over UDP whenever it is not known to be off."""
        return self.is_on is not False

    @property
    def sources(self) -> dict[str, str]:
        """Home and the source menu: keys reach them; HDMI inputs are picked in the menu."""
        return {self.home_name: SOURCE_HOME, self.source_menu_name: SOURCE_MENU}

    async def async_turn_on(self) -> None:
        """The wake action (BLE, IR, a script) when one is set up, else or failing it the
        plug's cycle (上电自动开机). Raises the library's errors."""
        await self.power.turn_on()

    async def async_turn_off(self) -> None:
        """The protocol's power-off code, sent once."""
        await self.power.turn_off()


async def async_setup_lan_entry(hass: HomeAssistant, entry: XgimiConfigEntry) -> bool:
    """Set up a LAN-keys-only entry (nothing is sent to the projector here)."""
    stored = entry.data.get(CONF_DEVICE_INFO)
    info = DeviceInfo.from_dict(stored) if stored else lan_device_info()
    projector = Projector.lan_only(lan_keys_for(entry), info)
    projector.connection.name = entry.title
    options = XgimiOptions.from_entry(entry)
    plug = HaPlug.from_options(hass, options)
    wake = HaWakeAction.from_options(hass, options)
    power = LanPowerManager(
        projector,
        plug,
        options.power_settings(hass),
        create_task=lambda coro, name: entry.async_create_background_task(hass, coro, name),
        wake_action=wake,
    )
    texts = await async_get_translations(hass, hass.config.language, "entity", {DOMAIN})
    coordinator = LanCoordinator(hass, entry, projector, power, options, texts, plug)
    power.on_change = coordinator.async_power_changed
    entry.runtime_data = coordinator
    await coordinator.async_config_entry_first_refresh()
    if plug is not None:
        entry.async_on_unload(plug.async_listen(power.plug_changed))
    async_setup_wake(hass, entry, coordinator, wake)
    _LOGGER.debug("%s: LAN keys only (%s)", entry.title, projector.label)
    await hass.config_entries.async_forward_entry_setups(entry, LAN_PLATFORMS)
    return True
