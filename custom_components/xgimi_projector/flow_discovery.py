"""What the config flow learns about a projector it did not type in: who answered and what to
call it.

Three ways find a projector (docs/discovery.md): DHCP (XGIMI's MAC prefix), mDNS
(``_xgimi._tcp``) and XGIMI's own UDP search (the phone app's probe). Each gives only an address;
who the projector *is* comes from network ADB, read without ever showing "Allow USB debugging?"
on its screen (nobody asked for it yet), and from the UDP answer where ADB does not tell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
import logging
from pathlib import Path
from typing import Any, Final

from homeassistant.components import network
from homeassistant.core import HomeAssistant
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.util.hass_dict import HassKey

from .const import DEFAULT_PORT, DOMAIN
from .projector import DeviceInfo, Projector, Timeouts, XgimiError
from .projector.discovery import (
    DISCOVERY_PORT,
    DISCOVERY_REPLY_PORT,
    DiscoveredProjector,
    discover,
)

_LOGGER = logging.getLogger(__name__)

ZEROCONF_TYPE: Final = "_xgimi._tcp.local."


@dataclass(frozen=True, slots=True)
class DiscoverySettings:
    """Where discovery looks. Tests point it at loopback (one object to replace)."""

    adb_port: int = DEFAULT_PORT
    """The network ADB port tried at a discovered address (discovery gives no port; XGIMI
    firmware listens on 5555)."""
    search_s: float = 3.0
    """How long the "search the network" step listens for answers."""
    confirm_s: float = 1.5
    """How long a discovered address that ADB did not identify is asked for its UDP answer."""
    probe_port: int = DISCOVERY_PORT
    reply_port: int = DISCOVERY_REPLY_PORT
    bind_host: str = "0.0.0.0"  # noqa: S104 - answers come back on whichever interface


SETTINGS = DiscoverySettings()

_UDP_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_udp_probe")
"""Answers come back to one fixed port: one probe at a time."""

IDENTIFY_TIMEOUTS: Final = Timeouts(transport_s=3.0, read_s=5.0, command_s=10.0, auth_s=5.0)
"""A discovered address that does not answer quickly is offered without its identity."""

_NAME_KEYS: Final = ("devname", "devicename", "name")
"""TXT keys that carry the projector's name (XGIMI's app reads ``devname``)."""


class _PromptRefused(Exception):
    """Raised from the prompt hook: the public key is never sent, so no dialog appears."""


@dataclass(frozen=True, slots=True)
class Identity:
    """What network ADB said about a discovered address."""

    info: DeviceInfo | None = None
    """Read without a prompt: our key is trusted there, or the projector does not ask."""
    needs_authorization: bool = False
    """ADB answered but wants our key allowed on screen: the person does that on confirm."""
    error: str | None = None
    """Why ADB could not be used (a ``config.error`` key), e.g. ``port_closed``."""


async def async_identify(host: str, port: int, key_path: Path) -> Identity:
    """Connect and probe, but give up rather than make the projector show its dialog.

    adb-shell calls the prompt hook just before it sends our public key (the only message that
    makes Android show "Allow USB debugging?"); raising there closes the connection first.
    """

    def refuse() -> None:
        raise _PromptRefused

    projector = Projector(host, port, key_path=key_path, timeouts=IDENTIFY_TIMEOUTS)
    try:
        return Identity(info=await projector.connect(on_prompt=refuse))
    except _PromptRefused:
        return Identity(needs_authorization=True)
    except XgimiError as err:
        return Identity(error=err.connect_error_key)
    finally:
        await projector.close()


def zeroconf_name(discovery_info: ZeroconfServiceInfo) -> str:
    """The name in the TXT record (``devname``), else the service's instance name."""
    properties: Mapping[str, Any] = discovery_info.properties
    lowered = {str(key).lower(): value for key, value in properties.items()}
    for key in _NAME_KEYS:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    instance = discovery_info.name.removesuffix(ZEROCONF_TYPE).removesuffix(".")
    return instance.strip()


async def _async_probe(
    hass: HomeAssistant, target: str, timeout_s: float
) -> list[DiscoveredProjector]:
    """One UDP probe to ``target`` (a broadcast or a unicast address); errors are logged."""
    settings = SETTINGS
    lock = hass.data.setdefault(_UDP_LOCK, asyncio.Lock())
    async with lock:
        try:
            found = await discover(
                timeout_s,
                broadcast_addr=target,
                port=settings.probe_port,
                reply_port=settings.reply_port,
                bind_host=settings.bind_host,
            )
        except XgimiError as err:
            _LOGGER.debug("UDP probe to %s failed: %s", target, err)
            return []
    return list(found)


async def async_search(hass: HomeAssistant) -> list[DiscoveredProjector]:
    """Every projector that answers XGIMI's probe on the networks Home Assistant uses (the
    broadcast address of each adapter enabled in its network settings)."""
    addresses = await network.async_get_ipv4_broadcast_addresses(hass)
    targets = sorted(str(address) for address in addresses)
    found: dict[str, DiscoveredProjector] = {}
    for target in targets:
        for projector in await _async_probe(hass, target, SETTINGS.search_s / len(targets)):
            found.setdefault(projector.host, projector)
    return sorted(found.values(), key=lambda projector: projector.host)


async def async_udp_answer(hass: HomeAssistant, host: str) -> DiscoveredProjector | None:
    """``host``'s answer to the probe, if it answers (GMUI firmware: it takes LAN keys)."""
    answers = {found.host: found for found in await _async_probe(hass, host, SETTINGS.confirm_s)}
    return answers.get(host)


def udp_name(projector: DiscoveredProjector | None) -> str | None:
    """The name a projector gives in its answer to the probe (None: no answer, or no name)."""
    if projector is None:
        return None
    return projector.name or projector.device_type or None


async def async_udp_name(hass: HomeAssistant, host: str) -> str | None:
    """The name ``host`` gives in its answer to the probe, if it answers (GMUI firmware)."""
    return udp_name(await async_udp_answer(hass, host))
