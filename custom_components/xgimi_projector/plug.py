"""The smart plug as Home Assistant entities: a ``switch`` and, optionally, a power sensor.

:class:`HaPlug` gives the library's :class:`~.projector.Plug` protocol to any switch entity (a Mi
plug through ha_xiaomi_home or hass-xiaomi-miot, a Tuya plug, a REST switch…).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
    UnitOfPower,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util.unit_conversion import PowerConverter

from .options import XgimiOptions
from .projector import PlugSwitchError, PlugUnavailableError

_LOGGER = logging.getLogger(__name__)

PLUG_CONFIRM_TIMEOUT_S = 15.0
"""How long a plug may take to report the state it was switched to (cloud plugs lag)."""


def read_watts(state_obj: Any) -> float | None:
    """A power sensor's state in W, or None (unavailable, not numeric, unknown unit)."""
    if state_obj is None:
        return None
    try:
        value = float(state_obj.state)
    except (TypeError, ValueError):
        return None
    unit = state_obj.attributes.get(ATTR_UNIT_OF_MEASUREMENT) or UnitOfPower.WATT
    try:
        return float(PowerConverter.convert(value, unit, UnitOfPower.WATT))
    except HomeAssistantError:
        return None


async def read_power(hass: HomeAssistant, sensor: str) -> float | None:
    """A fresh reading of a power sensor, in W: asks its integration to update first (plugs
    often poll slowly), within :data:`PLUG_CONFIRM_TIMEOUT_S`."""
    try:
        async with asyncio.timeout(PLUG_CONFIRM_TIMEOUT_S):
            await hass.services.async_call(
                "homeassistant", "update_entity", {ATTR_ENTITY_ID: sensor}, blocking=True
            )
    except (HomeAssistantError, TimeoutError) as err:
        _LOGGER.debug("Could not refresh %s: %r", sensor, err)
    return read_watts(hass.states.get(sensor))


class HaPlug:
    """A Home Assistant switch (and optional power sensor) as the library's plug."""

    def __init__(self, hass: HomeAssistant, switch_id: str, power_id: str | None) -> None:
        self.hass = hass
        self.switch_id = switch_id
        self.power_id = power_id
        self.context: Context | None = None
        """The context of the power request being served: the plug's switching is logged as
        caused by it (the logbook's "triggered by")."""

    @classmethod
    def from_options(cls, hass: HomeAssistant, options: XgimiOptions) -> HaPlug | None:
        if options.plug is None:
            return None
        return cls(hass, options.plug, options.power_sensor)

    @property
    def available(self) -> bool:
        state = self.hass.states.get(self.switch_id)
        return state is not None and state.state != STATE_UNAVAILABLE

    @property
    def is_on(self) -> bool | None:
        state = self.hass.states.get(self.switch_id)
        if state is None or state.state not in (STATE_ON, STATE_OFF):
            return None
        return state.state == STATE_ON

    @property
    def has_power_sensor(self) -> bool:
        return self.power_id is not None

    def power_w(self) -> float | None:
        if self.power_id is None:
            return None
        return read_watts(self.hass.states.get(self.power_id))

    async def refresh_power(self) -> float | None:
        """Ask the sensor's integration for a fresh reading (plugs often poll slowly)."""
        if self.power_id is None:
            return None
        return await read_power(self.hass, self.power_id)

    async def turn_on(self) -> None:
        await self._switch(True)

    async def turn_off(self) -> None:
        await self._switch(False)

    async def _switch(self, on: bool) -> None:
        if not self.available:
            raise PlugUnavailableError(f"{self.switch_id} is unavailable")
        wanted = STATE_ON if on else STATE_OFF
        reached = asyncio.Event()

        @callback
        def _changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is not None and new.state == wanted:
                reached.set()

        unsub = async_track_state_change_event(self.hass, self.switch_id, _changed)
        try:
            try:
                # One limit for the call and the confirmation: a hung cloud plug must not
                # hold a power-on (and everyone joined to it) forever.
                async with asyncio.timeout(PLUG_CONFIRM_TIMEOUT_S):
                    await self.hass.services.async_call(
                        Platform.SWITCH,
                        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
                        {ATTR_ENTITY_ID: self.switch_id},
                        blocking=True,
                        context=self.context,
                    )
                    if self.is_on is not on:
                        await reached.wait()
            except (HomeAssistantError, TimeoutError) as err:
                raise PlugSwitchError(on) from err
        finally:
            unsub()

    @callback
    def async_listen(self, action: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``action`` whenever the switch or the power sensor changes."""
        entities = [self.switch_id] + ([self.power_id] if self.power_id else [])

        @callback
        def _changed(_event: Event[EventStateChangedData]) -> None:
            action()

        return async_track_state_change_event(self.hass, entities, _changed)
