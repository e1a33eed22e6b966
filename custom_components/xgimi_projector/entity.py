"""Base entity and the command wrapper that turns library errors into HA errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import XgimiCoordinator
from .projector import (
    AuthorizationError,
    AutoPowerOnError,
    BootTimeoutError,
    InvalidCommandError,
    NoPlugError,
    NotSupportedError,
    PlugSwitchError,
    PlugUnavailableError,
    PowerError,
    PowerOnCancelledError,
    ProjectorUnreachableError,
    RunningUnreachableError,
    SoftOffFailedError,
    StillAsleepError,
    UnknownKeyError,
    UnknownSourceError,
    WirelessDebuggingPortError,
    XgimiError,
)

_POWER_ERROR_KEYS: tuple[tuple[type[PowerError], str], ...] = (
    (NoPlugError, "no_plug"),
    (PlugUnavailableError, "plug_unavailable"),
    (PlugSwitchError, "plug_switch_failed"),
    (BootTimeoutError, "boot_timeout"),
    (AutoPowerOnError, "auto_power_on_off"),
    (RunningUnreachableError, "running_unreachable"),
    (StillAsleepError, "still_asleep"),
    (PowerOnCancelledError, "power_on_cancelled"),
    (SoftOffFailedError, "soft_off_failed"),
)

POWER_ISSUE_KEYS = frozenset(
    {"plug_switch_failed", "boot_timeout", "auto_power_on_off", "running_unreachable"}
)
"""Power-on failures worth a repair issue (the others are answered by the error alone)."""


def power_error_key(err: PowerError) -> str:
    """The stable key (translation and repair issue) of a power error."""
    for cls, key in _POWER_ERROR_KEYS:
        if isinstance(err, cls):
            return key
    return "power_failed"


def translate_error(err: XgimiError, host: str) -> HomeAssistantError:
    """The translated Home Assistant error for a library error."""
    if isinstance(err, PowerError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=power_error_key(err),
            translation_placeholders={"host": host, "error": str(err)},
        )
    if isinstance(err, UnknownKeyError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_key",
            translation_placeholders={"key": err.key},
        )
    if isinstance(err, UnknownSourceError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_source",
            translation_placeholders={"source": err.source},
        )
    if isinstance(err, NotSupportedError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_supported",
            translation_placeholders={"family": err.family},
        )
    if isinstance(err, InvalidCommandError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_command",
            translation_placeholders={"error": str(err)},
        )
    key = "command_failed"
    if isinstance(err, ProjectorUnreachableError):
        key = "unreachable"
    elif isinstance(err, AuthorizationError):
        key = "authorization_required"
    elif isinstance(err, WirelessDebuggingPortError):
        key = "wireless_debugging_port"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"host": host, "error": str(err)},
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
            model=info.model,
            model_id=info.device or None,
            name=entry.title,
            serial_number=info.serial,
            sw_version=info.firmware or info.android_version or None,
        )

    @property
    def available(self) -> bool:
        """ADB-backed entities are available while the projector answers."""
        return super().available and self.coordinator.data.reachable

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
