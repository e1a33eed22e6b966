"""Base entity and the command wrapper that turns library errors into HA errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import XgimiCoordinator
from .projector import PowerPhase, XgimiError


def translate_error(err: XgimiError, host: str) -> HomeAssistantError:
    """The translated Home Assistant error for a library error: its own key and placeholders.
    Input the caller got wrong is a validation error (about the input, not the projector);
    anything else names the projector's address."""
    if err.invalid_input:
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=err.translation_key,
            translation_placeholders=err.translation_placeholders,
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=err.translation_key,
        translation_placeholders={"host": host, **err.translation_placeholders},
    )


class XgimiEntity(CoordinatorEntity[XgimiCoordinator]):
    """An entity of one projector."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: XgimiCoordinator, key: str | None) -> None:
        super().__init__(coordinator)
        entry = coordinator.config_entry
        assert entry.unique_id is not None
        info = coordinator.info
        self._attr_unique_id = entry.unique_id if key is None else f"{entry.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.unique_id)},
            manufacturer=MANUFACTURER,
            model=info.display_name,
            model_id=info.model_code or info.device or None,
            name=entry.title,
            serial_number=info.serial,
            sw_version=info.firmware or info.android_version or None,
        )

    @property
    def available(self) -> bool:
        """ADB-backed entities are available while the projector answers."""
        return super().available and self.coordinator.data.reachable

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the new state, logged as caused by the power request under way, if any."""
        if (context := self.coordinator.power_context) is not None:
            self.async_set_context(context)
        super()._handle_coordinator_update()

    async def async_run_power(self, awaitable: Awaitable[object]) -> None:
        """A power request (turn on/off): its effects, now and later, carry its context."""
        coordinator = self.coordinator
        coordinator.set_power_context(self._context)
        try:
            await self.async_run_command(awaitable)
        finally:
            snapshot = coordinator.data
            if not (snapshot.powering_on or snapshot.phase is PowerPhase.SHUTTING_DOWN):
                coordinator.set_power_context(None)

    @property
    def projector_host(self) -> str:
        return self.coordinator.projector.host

    async def async_run_command(self, awaitable: Awaitable[object]) -> None:
        """Await a projector command: translate library errors, then refresh the state soon."""
        try:
            await awaitable
        except XgimiError as err:
            raise translate_error(err, self.projector_host) from err
        await self.coordinator.async_request_refresh()


def command[_EntityT: XgimiEntity, **_P](
    func: Callable[Concatenate[_EntityT, _P], Awaitable[None]],
) -> Callable[Concatenate[_EntityT, _P], Coroutine[Any, Any, None]]:
    """Run a projector command: translate library errors, then refresh the state soon."""

    async def wrapper(self: _EntityT, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        await self.async_run_command(func(self, *args, **kwargs))

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper
