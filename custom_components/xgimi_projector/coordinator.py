"""One DataUpdateCoordinator per projector: a single-round-trip poll through the library."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.components.media_player.const import DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DOMAIN
from .options import XgimiOptions
from .plug import HaPlug

if TYPE_CHECKING:
    from .voice_feedback import VoiceRecord
from .projector import (
    HDMI_INPUTS,
    SOURCE_HOME,
    SOURCE_MENU,
    AuthorizationError,
    DeviceInfo,
    PowerManager,
    PowerPhase,
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
        texts: Mapping[str, str] | None = None,
        plug: HaPlug | None = None,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=projector.label,
            update_interval=timedelta(seconds=options.scan_interval_s),
            request_refresh_debouncer=Debouncer(
                hass, _LOGGER, cooldown=REFRESH_COOLDOWN_S, immediate=True
            ),
        )
        self.projector = projector
        self.power = power
        self._standby_logged = False
        self.options = options
        self.plug: HaPlug | None = plug
        self.last_voice: VoiceRecord | None = None
        """The last sentence the voice action handled for this projector."""
        self.capture_cache: tuple[float, dict[str, str]] | None = None
        """The last diagnostics capture (monotonic time, sections): reused for a while."""
        self.power_context: Context | None = None
        """The context of the running power request (a person's or an automation's action):
        the entities' state changes and the plug's switching are logged as caused by it."""
        self.texts: Mapping[str, str] = texts or {}
        """This integration's translations in Home Assistant's language (flattened keys)."""
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
                _LOGGER.info("%s answers over ADB again", self.projector.label)
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
                self.projector.label,
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
        if not (snapshot.powering_on or snapshot.phase is PowerPhase.SHUTTING_DOWN):
            self.set_power_context(None)  # the request is served: later changes are not its

    @callback
    def set_power_context(self, context: Context | None) -> None:
        """Remember who asked for the power change now under way (None: nobody)."""
        self.power_context = context
        if self.plug is not None:
            self.plug.context = context

    @property
    def media_player_id(self) -> str | None:
        """The projector's media player (the entity voice and the logbook refer to)."""
        unique_id = self.config_entry.unique_id
        if unique_id is None:  # pragma: no cover - entries always have one
            return None
        return er.async_get(self.hass).async_get_entity_id(MEDIA_PLAYER_DOMAIN, DOMAIN, unique_id)

    # --- names in the user's language ------------------------------------------------------

    def text(self, key: str, fallback: str) -> str:
        """Our translation of ``entity.<key>`` in Home Assistant's language (or ``fallback``)."""
        return self.texts.get(f"component.{DOMAIN}.entity.{key}", fallback)

    def phase_text(self, phase: PowerPhase) -> str:
        return self.text(f"sensor.power_phase.state.{phase.value}", phase.value)

    # --- sources: display name ⇄ library source ------------------------------------------

    @property
    def home_name(self) -> str:
        return self.text("button.home.name", "Home")

    @property
    def source_menu_name(self) -> str:
        return self.text("button.source_menu.name", "Source menu")

    @property
    def sources(self) -> dict[str, str]:
        """Display name → library source: Home, then the HDMI inputs where this family can
        switch them (else the source menu, where the person picks one), then the apps."""
        sources: dict[str, str] = {self.home_name: SOURCE_HOME}
        if self.info.traits.direct_hdmi:
            sources.update({hdmi: hdmi for hdmi in HDMI_INPUTS})
        else:
            sources[self.source_menu_name] = SOURCE_MENU
        for package, name in self.apps.items():
            sources.setdefault(name, package)
        return sources

    def source_name(self, state: ProjectorState) -> str | None:
        """The display name of what is showing: Home, an HDMI input, the source menu, an app."""
        match state.source_kind:
            case SourceKind.LAUNCHER:
                return self.home_name
            case SourceKind.HDMI:
                return state.hdmi_input or "HDMI"
            case SourceKind.SOURCE_MENU:
                return self.source_menu_name
            case SourceKind.APP | SourceKind.UNKNOWN:
                return self.app_name(state.foreground_package)

    def app_name(self, package: str | None) -> str | None:
        """An app's name: the user's own, else its friendly name in the user's language."""
        return app_name(package, self.apps, self.hass.config.language)
