"""Announcing the simulated projector as ``_xgimi._tcp`` over mDNS (python-zeroconf).

XGIMI's 2017 phone app browses ``_xgimi._tcp`` and reads the TXT keys ``devname``,
``deviceType`` and ``deviceVersion`` (docs/lan.md §4); whether current firmware still
announces it is unverified. The simulator announces it only when asked
(``python -m simulator --announce``, ``Simulator(announce=True)``), with its profile's LAN
name/type/version and the ADB port as the service port, on the simulator's listening address
(every interface when it listens on 0.0.0.0).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING

from zeroconf import InterfaceChoice, IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

if TYPE_CHECKING:
    from .simulated_projector import Simulator

__all__ = ["SERVICE_TYPE", "Announcer", "service_info", "start_announcer"]

_LOGGER = logging.getLogger(__name__)

SERVICE_TYPE = "_xgimi._tcp.local."


def service_info(sim: Simulator) -> AsyncServiceInfo:
    """The ``_xgimi._tcp`` record of a simulator (its profile must answer the LAN protocol)."""
    spec = sim.lan_spec
    if spec is None:
        raise ValueError(f"profile {sim.profile.name} does not speak XGIMI's LAN protocol")
    host = ipaddress.ip_address(sim.host)
    address = ipaddress.ip_address("127.0.0.1") if host.is_unspecified else host
    serial = sim.profile.serial or sim.profile.name
    return AsyncServiceInfo(
        SERVICE_TYPE,
        f"{spec.device_name} {serial[-4:]}.{SERVICE_TYPE}",
        addresses=[address.packed],
        port=sim.port,
        properties={
            "devname": spec.device_name,
            "deviceType": spec.device_type,
            "deviceVersion": str(spec.version_code),
        },
        server=f"{socket.gethostname().split('.')[0]}-{serial[-4:]}.local.",
    )


class Announcer:
    """One registered ``_xgimi._tcp`` service; :meth:`close` withdraws it."""

    def __init__(self, zeroconf: AsyncZeroconf, info: AsyncServiceInfo) -> None:
        self.zeroconf = zeroconf
        self.info = info

    async def close(self) -> None:
        try:
            # The call returns the task that broadcasts the goodbye: wait for it.
            await (await self.zeroconf.async_unregister_service(self.info))
        finally:
            await self.zeroconf.async_close()


async def start_announcer(sim: Simulator) -> Announcer:
    """Register the simulator's ``_xgimi._tcp`` service on the host's interfaces."""
    info = service_info(sim)
    # On the simulator's own address only (loopback in tests); every interface for 0.0.0.0.
    unspecified = ipaddress.ip_address(sim.host).is_unspecified
    interfaces = InterfaceChoice.All if unspecified else [sim.host]
    zeroconf = AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
    try:
        # The call returns the task that broadcasts the announcement: wait for it.
        await (await zeroconf.async_register_service(info))
    except BaseException:
        await zeroconf.async_close()
        raise
    _LOGGER.info("Announced %s on mDNS", info.name)
    return Announcer(zeroconf, info)
