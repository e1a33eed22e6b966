"""The wake action as a Home Assistant entity: a ``button``, a ``script``, or a ``remote``.

:class:`HaWakeAction` gives the library's :class:`~.projector.power.WakeAction` protocol to the
entity chosen in the options: an ESPHome button that sends the projector's BLE wake
advertisement (``button.press``), any script (``script.turn_on``), or an IR remote such as a
Broadlink or a Xiaomi IR remote with the projector's power code (``remote.send_command``). The
call carries the context of the power request, so the logbook shows it as caused by it.

When a wake action fails and the plug turns the projector on instead, :func:`async_setup_wake`
keeps a repair issue up until a wake action works again (a failure without a plug is the
power-on's own failure, reported by the integration's power-on repair).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import TYPE_CHECKING, Final

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
    split_entity_id,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event

from .options import XgimiOptions
from .projector import ProjectorSnapshot
from .projector.errors import WakeActionError, WakeActionUnavailableError
from .repairs import set_issue

if TYPE_CHECKING:
    from .coordinator import XgimiConfigEntry, XgimiCoordinator

_LOGGER = logging.getLogger(__name__)

WAKE_CALL_TIMEOUT_S: Final = 15.0
"""How long the wake action's service call may take (an IR blaster in the cloud lags)."""
ISSUE_WAKE_FELL_BACK: Final = "wake_fell_back"
"""Repair issue: the wake action did not work and the plug was used instead."""
README_WAKE_URL: Final = "https://github.com/xgimi-projector/xgimi_projector#wake-from-standby"

_SCRIPT: Final = "script"


class HaWakeAction:
    """A ``button``, ``script`` or ``remote`` entity (with its command) as the wake action."""

    def __init__(self, hass: HomeAssistant, entity_id: str, command: str | None = None) -> None:
        self.hass = hass
        self.entity_id = entity_id
        self.domain = split_entity_id(entity_id)[0]
        self.command = command
        self.context_source: Callable[[], Context | None] = lambda: None
        """The context of the power request being served (set by the integration)."""

    @classmethod
    def from_options(cls, hass: HomeAssistant, options: XgimiOptions) -> HaWakeAction | None:
        if options.wake_entity is None:
            return None
        return cls(hass, options.wake_entity, options.wake_command)

    @property
    def available(self) -> bool:
        state = self.hass.states.get(self.entity_id)
        return state is not None and state.state != STATE_UNAVAILABLE

    async def wake(self) -> None:
        """Run the wake once; raises :class:`WakeActionError` (or its unavailable subclass)."""
        state = self.hass.states.get(self.entity_id)
        if state is None:
            raise WakeActionUnavailableError(self.entity_id, "no such entity")
        if state.state == STATE_UNAVAILABLE:
            raise WakeActionUnavailableError(self.entity_id, "unavailable")
        service, data = self._call()
        _LOGGER.debug("Waking with %s.%s %s", self.domain, service, data)
        try:
            async with asyncio.timeout(WAKE_CALL_TIMEOUT_S):
                await self.hass.services.async_call(
                    self.domain, service, data, blocking=True, context=self.context_source()
                )
        except TimeoutError as err:
            raise WakeActionError(
                self.entity_id, f"no answer within {WAKE_CALL_TIMEOUT_S:.0f} s"
            ) from err
        except HomeAssistantError as err:
            raise WakeActionError(self.entity_id, str(err) or type(err).__name__) from err

    def _call(self) -> tuple[str, dict[str, object]]:
        """The service and its data for this entity's domain."""
        data: dict[str, object] = {ATTR_ENTITY_ID: self.entity_id}
        if self.domain == Platform.BUTTON:
            return "press", data
        if self.domain == Platform.REMOTE:
            return "send_command", {**data, "command": [self.command or ""]}
        return SERVICE_TURN_ON, data  # a script: started, not waited for

    @callback
    def async_listen(self, action: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``action`` whenever the entity changes (its availability decides whether the
        projector can be turned on)."""

        @callback
        def _changed(_event: Event[EventStateChangedData]) -> None:
            action()

        return async_track_state_change_event(self.hass, self.entity_id, _changed)


@callback
def async_setup_wake(
    hass: HomeAssistant,
    entry: XgimiConfigEntry,
    coordinator: XgimiCoordinator,
    wake: HaWakeAction | None,
) -> None:
    """Wire a loaded entry's wake action: the request's context, its availability, and the
    repair issue when it fails and the plug takes over."""
    if wake is None:
        async_update_wake_issue(hass, entry, None)
        return
    wake.context_source = lambda: coordinator.power_context
    entry.async_on_unload(wake.async_listen(coordinator.power.changed))
    entry.async_on_unload(
        coordinator.async_add_listener(
            lambda: async_update_wake_issue(hass, entry, coordinator.data)
        )
    )


@callback
def async_update_wake_issue(
    hass: HomeAssistant, entry: XgimiConfigEntry, snapshot: ProjectorSnapshot | None
) -> None:
    """Raise the repair issue while the last wake action failed and the plug was used
    instead; remove it once one works (or the entry has none)."""
    error = snapshot.wake_error if snapshot is not None else None
    set_issue(
        hass,
        entry,
        ISSUE_WAKE_FELL_BACK,
        translation_key=(
            None if error is None else f"{ISSUE_WAKE_FELL_BACK}_{error.translation_key}"
        ),
        placeholders=None if error is None else error.translation_placeholders,
        learn_more_url=README_WAKE_URL,
    )
