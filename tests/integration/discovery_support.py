"""Helpers for the discovery tests: a UDP responder, service infos, flow shortcuts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from ipaddress import ip_address
import json
import socket
from typing import Any

from homeassistant.components.zeroconf import info_from_service
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from custom_components.xgimi_projector.const import DOMAIN
from custom_components.xgimi_projector.flow_discovery import ZEROCONF_TYPE
from simulator import Simulator
from simulator.mdns import service_info

MAC = "800b51aabbcc"
"""As the dhcp integration hands it over: lower case, no separators, XGIMI's prefix."""


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Answer = Callable[[bytes], list[bytes]]


class Responder(asyncio.DatagramProtocol):
    """A projector's side of XGIMI's UDP search on loopback: answers the probe to the
    prober's reply port with what ``answer`` returns."""

    def __init__(self, reply_port: int, answer: Answer) -> None:
        self.reply_port = reply_port
        self.answer = answer
        self.probes = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.probes += 1
        assert self.transport is not None
        for reply in self.answer(data):
            self.transport.sendto(reply, (addr[0], self.reply_port))


def xgimi_answer(name: str = "客厅投影仪", device_type: str = "z6xpro") -> Answer:
    """What a GMUI projector answers to ``{"action":9998,...}``; anything else is ignored."""

    def answer(probe: bytes) -> list[bytes]:
        if json.loads(probe).get("action") != 9998:
            return []
        info = {"devicename": name, "devicetype": device_type, "versioncode": 100}
        return [json.dumps({"action": 9999, "deviceInfo": info}).encode()]

    return answer


BAD_ANSWERS: list[bytes] = [
    b"not json",
    b'{"action": 9998, "deviceInfo": {"devicename": "echo"}}',
    b'{"action": 9999}',
    b'{"action": 9999, "deviceInfo": "z6x"}',
    b'{"action": 9999, "deviceInfo": {"devicetype": "no name"}}',
    b"[9999]",
    b"\xff\xfe",
]
"""Datagrams that are not an answer to the probe (each must be ignored)."""


def announced(sim: Simulator) -> ZeroconfServiceInfo:
    """What Home Assistant's zeroconf hands over for the simulator's ``_xgimi._tcp``
    announcement (the same conversion it applies to what it hears)."""
    info = info_from_service(service_info(sim))
    assert info is not None
    return info


def dhcp_info(ip: str = "127.0.0.1") -> DhcpServiceInfo:
    return DhcpServiceInfo(ip=ip, hostname="", macaddress=MAC)


def zeroconf_info(
    ip: str = "127.0.0.1", properties: dict[str, Any] | None = None
) -> ZeroconfServiceInfo:
    """Built like a GMUI projector's announcement (XGIMI's app reads these TXT keys)."""
    address = ip_address(ip)
    return ZeroconfServiceInfo(
        ip_address=address,
        ip_addresses=[address],
        port=16735,
        hostname="xgimi-z6x.local.",
        type=ZEROCONF_TYPE,
        name=f"XGIMI Z6X Pro.{ZEROCONF_TYPE}",
        properties={"devname": "书房投影", "deviceType": "z6xpro", "deviceVersion": "100"}
        if properties is None
        else properties,
    )


async def discover(hass: HomeAssistant, source: str, info: Any) -> dict[str, Any]:
    return dict(
        await hass.config_entries.flow.async_init(DOMAIN, context={"source": source}, data=info)
    )


async def confirm(hass: HomeAssistant, result: dict[str, Any]) -> dict[str, Any]:
    """Submit the confirm form; wait through the authorization progress if it is shown."""
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], {}))
    if result["type"] is FlowResultType.SHOW_PROGRESS:
        await hass.async_block_till_done()
        result = dict(await hass.config_entries.flow.async_configure(result["flow_id"]))
    return result


async def unload(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Unload a just-reloaded entry before its simulator stops: stopping the simulator while
    it starts a shell command for the new session can hang its teardown."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def flow_context(hass: HomeAssistant, flow_id: str) -> dict[str, Any]:
    return dict(hass.config_entries.flow.async_get(flow_id)["context"])


async def confirm_user(
    hass: HomeAssistant, result: Any, host: str, port: int, name: str = "Projector"
) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host, CONF_PORT: port, CONF_NAME: name}
    )
    if result["type"] is FlowResultType.SHOW_PROGRESS:
        await hass.async_block_till_done()
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    return dict(result)
