"""One DataUpdateCoordinator per projector: a single-round-trip poll through the library."""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DOMAIN
from .options import XgimiOptions
from .projector import (
    HDMI_INPUTS,
    AuthorizationError,
    DeviceInfo,
    PowerManager,
    Projector,
    ProjectorSnapshot,
    ProjectorState,
    SourceKind,
    XgimiError,
    app_name,
)

_LOGGER = logging.getLogger(__name__)

REFRESH_COOLDOWN_S = 0.5
"""After a command the state is read at once; further requests within this window are merged."""


type XgimiConfigEntry = ConfigEntry[XgimiCoordinator]
"""A loaded entry's runtime data is its coordinator (which holds the library objects)."""


class XgimiCoordinator(DataUpdateCoordinator[ProjectorSnapshot]):
    """Polls the projector; its data is the library's frozen snapshot (device state and power).

    It also maps the projector's sources and apps to display names (from the options)."""

    config_entry: XgimiConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: XgimiConfigEntry,
        projector: Projector,
        power: PowerManager,
        options: XgimiOptions,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {projector.host}",
            update_interval=timedelta(seconds=options.scan_interval_s),
            request_refresh_debouncer=Debouncer(
                hass, _LOGGER, cooldown=REFRESH_COOLDOWN_S, immediate=True
            ),
        )
        self.projector = projector
        self.power = power
        self._standby_logged = False
        self.options = options
        self.apps: dict[str, str] = options.apps

    @property
    def info(self) -> DeviceInfo:
        info = self.projector.info
        assert info is not None, "the entry is set up only after a successful probe"
        return info

    async def _async_update_data(self) -> ProjectorSnapshot:
        try:
            snapshot = await self.power.refresh()
        except AuthorizationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="authorization_required",
                translation_placeholders={"host": self.projector.host},
            ) from err
        except XgimiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"host": self.projector.host, "error": str(err)},
            ) from err
        if snapshot.reachable:
            if self._standby_logged:
                _LOGGER.info("%s answers over ADB again", self.projector.host)
                self._standby_logged = False
        elif not snapshot.has_plug:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="unreachable",
                translation_placeholders={"host": self.projector.host},
            )
        elif not self._standby_logged:
            # With a plug, unreachable is what standby and mains-off look like: the
            # projector is shown off, not unavailable.
            _LOGGER.info(
                "%s does not answer over ADB: treating it as off (%s)",
                self.projector.host,
                snapshot.phase,
            )
            self._standby_logged = True
        return snapshot

    @callback
    def async_power_changed(self) -> None:
        """The power manager moved on (a phase, a poll of its own, the plug): publish its
        snapshot. A failed poll stays failed until a poll or the projector says otherwise."""
        snapshot = self.power.snapshot()
        if snapshot == self.data:
            return
        if not self.last_update_success and snapshot.reachable:
            self.async_set_updated_data(snapshot)  # it answers again: that is a success
            return
        # Not async_set_updated_data: that would push the next poll back every time the
        # plug's sensor reports, and a sensor reporting every few seconds would stop polling.
        self.data = snapshot
        self.async_update_listeners()

    # --- sources: display name ⇄ library source ------------------------------------------

    @property
    def sources(self) -> dict[str, str]:
        """Display name → library source (HDMI inputs this family can select, then apps)."""
        sources: dict[str, str] = {}
        if self.info.traits.direct_hdmi:
            sources.update({hdmi: hdmi for hdmi in HDMI_INPUTS})
        for package, name in self.apps.items():
            sources[name] = package
        return sources

    def source_name(self, state: ProjectorState) -> str | None:
        """The display name of the current source, when it is one of :attr:`sources`."""
        if state.source_kind is SourceKind.HDMI:
            return state.hdmi_input or "HDMI"
        if state.source_kind is SourceKind.APP and state.foreground_package:
            return self.apps.get(state.foreground_package) or app_name(state.foreground_package)
        return None

    def app_name(self, package: str | None) -> str | None:
        return app_name(package, self.apps)
