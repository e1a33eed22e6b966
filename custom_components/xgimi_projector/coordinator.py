"""One DataUpdateCoordinator per projector: a single-round-trip poll through the library,
run on a timer and at once when the projector's event stream announces a change."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Final

from homeassistant.components.media_player.const import DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ServiceValidationError
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
from .projector.events import DeviceEvent, make_marker
from .projector.stream import EventStream, StreamHealth, StreamState

_LOGGER = logging.getLogger(__name__)

REFRESH_COOLDOWN_S = 0.5
"""After a command the state is read at once; further requests within this window are merged."""

STREAM_POLL_INTERVAL: Final = timedelta(seconds=60)
"""The background poll while the event stream is healthy and no app is in front (or the
configured interval, if that is longer). Changes of the foreground app, the screen, the power
and the volume arrive as events and are polled at once; this poll still catches what no event
announces (mute, a stream gone deaf), so those are at most a minute old. While an app is in
front the configured interval stays: Android logs no event when playback starts or pauses.
At the launcher, on an HDMI input, with the screen off or in standby: 60 polls an hour instead
of 360 at the default 10 s."""
EVENT_SETTLE_S: Final = 0.02
"""How long an event-triggered poll waits for the rest of a burst before it starts. One change
prints its two or three lines within a millisecond or two, but they arrive in separate packets:
without this wait the first would start a poll and the others a second one. Events that arrive
while a poll runs get one more poll after it (the poll may have read the state before their
change), so nothing is missed."""
EVENT_POLL_GAP_S: Final = 0.3
"""The shortest time between the starts of two event-triggered polls: a stream that floods
(thousands of lines a second) costs at most ~3 polls a second, not a poll after another."""


def _announced_change(before: ProjectorState, after: ProjectorState) -> bool:
    """Whether a change between two polls is one the event stream announces (the foreground
    activity, the power): a poll that finds one without an event tells the stream it is deaf."""
    if not (before.reachable and after.reachable):
        return False
    return (before.foreground_package, before.foreground_activity, before.awake) != (
        after.foreground_package,
        after.foreground_activity,
        after.awake,
    )


class EventRefresh:
    """Polls once per burst of events: the first event starts a poll (after
    :data:`EVENT_SETTLE_S`), events during it mark one more, and none is ever dropped (Home
    Assistant's debouncer drops a request that arrives while its call runs)."""

    def __init__(
        self,
        coordinator: XgimiCoordinator,
        settle_s: float = EVENT_SETTLE_S,
        gap_s: float = EVENT_POLL_GAP_S,
    ) -> None:
        self.coordinator = coordinator
        self.settle_s = settle_s
        self.gap_s = gap_s
        self.polls = 0
        """Polls this has run (for tests and the bench)."""
        self._pending = False
        self._task: asyncio.Task[None] | None = None

    @property
    def idle(self) -> bool:
        """No poll runs or waits."""
        return self._task is None

    @callback
    def trigger(self) -> None:
        self._pending = True
        if self._task is None:
            coordinator = self.coordinator
            self._task = coordinator.config_entry.async_create_background_task(
                coordinator.hass, self._run(), f"{coordinator.name} event refresh"
            )

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        started: float | None = None
        try:
            while self._pending:
                wait = self.settle_s
                if started is not None:
                    wait = max(wait, started + self.gap_s - loop.time())
                if wait > 0:
                    await asyncio.sleep(wait)
                self._pending = False
                self.polls += 1
                started = loop.time()
                await self.coordinator.async_refresh()
        finally:
            self._task = None


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
            # Snapshots are frozen dataclasses compared by value: a poll that finds nothing new
            # writes no entity state.
            always_update=False,
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
        self.scan_interval = timedelta(seconds=options.scan_interval_s)
        self.event_refresh = EventRefresh(self)
        self.stream: EventStream | None = None
        """The projector's event stream (None: not set up, see :meth:`setup_stream`)."""
        self._in_update = False
        self._stream_healthy = False

    # --- the event stream --------------------------------------------------------------------

    def setup_stream(self, **kwargs: object) -> EventStream:
        """Create the event stream (started once a poll reaches the projector). ``kwargs`` go to
        :class:`EventStream` (tests shorten its timings)."""
        projector = self.projector
        connection = projector.connection
        entry = self.config_entry
        stream = EventStream(
            connection.host,
            connection.port,
            key_path=connection.key_path,
            sdk=self.info.sdk,
            marker=make_marker(entry.entry_id.encode()),
            on_event=self.async_device_event,
            on_health=self.async_stream_health,
            timeouts=connection.timeouts,
            create_task=lambda coro, name: entry.async_create_background_task(
                self.hass, coro, name
            ),
            name=connection.name,
            **kwargs,  # type: ignore[arg-type]
        )
        self.stream = stream
        return stream

    async def async_close_stream(self) -> None:
        """Stop the stream for good (unload, Home Assistant stopping)."""
        if self.stream is not None:
            await self.stream.close()

    @callback
    def async_device_event(self, event: DeviceEvent) -> None:
        """The projector announced a change: poll now (once per burst)."""
        _LOGGER.debug("%s: event %s %s", self.projector.label, event.tag, event.body)
        self.event_refresh.trigger()

    @callback
    def async_stream_health(self, health: StreamHealth) -> None:
        """Slow the background poll down while changes arrive as events; back to the configured
        interval (and a poll now: something may have been missed) as soon as they do not."""
        self._stream_healthy = health.healthy
        self._apply_interval(self.data, poll_now=health.state is not StreamState.STOPPED)

    def _apply_interval(self, snapshot: ProjectorSnapshot | None, *, poll_now: bool) -> None:
        """The background poll's interval for the stream's health and what is showing.

        :data:`STREAM_POLL_INTERVAL` only while the stream is healthy and no app is in front: an
        app can start or pause playback, and Android logs no event for that, so while one shows
        the configured interval keeps "when it starts playing" automations as quick as before.
        """
        app_in_front = (
            snapshot is not None
            and snapshot.device.reachable
            and snapshot.device.source_kind in (SourceKind.APP, SourceKind.UNKNOWN)
        )
        interval = (
            max(STREAM_POLL_INTERVAL, self.scan_interval)
            if self._stream_healthy and not app_in_front
            else self.scan_interval
        )
        if interval == self.update_interval:
            return
        _LOGGER.debug("%s: polling every %s", self.projector.label, interval)
        shorter = self.update_interval is None or interval < self.update_interval
        self.update_interval = interval
        if shorter and poll_now and not self._in_update:
            self.event_refresh.trigger()

    async def _follow_reachability(
        self, previous: ProjectorSnapshot | None, snapshot: ProjectorSnapshot
    ) -> None:
        """Stream while the projector answers; stop (no kill: it does not answer) when not."""
        stream = self.stream
        if stream is None:
            return
        if not snapshot.reachable:
            if stream.running:
                await stream.stop(kill=False)
            return
        stream.poll_done(
            changed=previous is not None and _announced_change(previous.device, snapshot.device)
        )
        stream.start()

    @callback
    def _follow_pushed(self, snapshot: ProjectorSnapshot) -> None:
        """:meth:`_follow_reachability` for a snapshot the power manager published."""
        stream = self.stream
        if stream is None:
            return
        if snapshot.reachable:
            stream.start()
        elif stream.running:
            self.config_entry.async_create_background_task(
                self.hass, stream.stop(kill=False), f"{self.name} stream stop"
            )

    @property
    def info(self) -> DeviceInfo:
        info = self.projector.info
        assert info is not None, "the entry is set up only after a successful probe"
        return info

    async def _async_update_data(self) -> ProjectorSnapshot:
        previous = self.data
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
        self._in_update = True
        try:
            await self._follow_reachability(previous, snapshot)
        finally:
            self._in_update = False
        if snapshot.reachable:
            if self._standby_logged:
                _LOGGER.info("%s answers over ADB again", self.projector.label)
                self._standby_logged = False
        elif not snapshot.has_standby_path:
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
        self._apply_interval(snapshot, poll_now=False)
        return snapshot

    @callback
    def async_power_changed(self) -> None:
        """The power manager moved on (a phase, a poll of its own, the plug): publish its
        snapshot. A failed poll stays failed until a poll or the projector says otherwise."""
        snapshot = self.power.snapshot()
        if snapshot == self.data:
            return
        self._follow_pushed(snapshot)
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
    def accepts_commands(self) -> bool:
        """Whether commands other than power can reach the projector now (ADB: it answers and is
        on)."""
        return self.data.reachable and self.data.is_on

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

    def source_target(self, source: str) -> str:
        """The library source for a display name from :attr:`sources`; a translated error
        (nothing sent) for a name that is not one of them."""
        target = self.sources.get(source)
        if target is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_source",
                translation_placeholders={"source": source},
            )
        return target

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
