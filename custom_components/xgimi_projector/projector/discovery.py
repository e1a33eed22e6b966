"""Finding GMUI projectors on the LAN with XGIMI's UDP probe (docs/lan.md §4).

XGIMI's phone app broadcasts ``{"action":9998,"msgid":"1","appid":"1"}`` to UDP port 16752
and listens on UDP 16751, where GMUI projectors answer with their name, type and version::

    found = await discover(timeout_s=2.0)
    for projector in found:                    # frozen DiscoveredProjector, sorted by host
        print(projector.host, projector.name, projector.device_type, projector.version)

Answers are untrusted input: each is parsed by :func:`parse_reply` (size-capped, JSON only,
fields type-checked and cleaned), anything else is dropped; the host is the datagram's source
address, never a field of the answer. The number of datagrams read and of results kept is
bounded. Ports and the broadcast address are parameters so tests can run on loopback.
Android TV / Google TV firmware do not answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import logging
from typing import Any

from .errors import InvalidCommandError
from .lan import lan_error

_LOGGER = logging.getLogger(__name__)

DISCOVERY_PORT = 16752
"""Where the probe goes."""
DISCOVERY_REPLY_PORT = 16751
"""Where projectors send their answer (to the prober's address)."""
PROBE = b'{"action":9998,"msgid":"1","appid":"1"}'
PROBE_ACTION = 9998
REPLY_ACTION = 9999
PROBE_COPIES = 3
"""The probe is a question, safe to repeat: XGIMI's app sends it three times."""
PROBE_GAP_S = 0.1
MAX_REPLY_BYTES = 2048
MAX_DATAGRAMS = 1024
"""Datagrams read per call at most; the rest of a flood is ignored."""
MAX_RESULTS = 64
MAX_TIMEOUT_S = 30.0
MAX_TEXT = 64
"""Longest name or type kept (characters)."""


@dataclass(frozen=True, slots=True)
class DiscoveredProjector:
    """One answer to the probe."""

    host: str
    """The address the answer came from."""
    name: str
    """The name set on the projector (``devicename``); may be empty."""
    device_type: str
    """XGIMI's device type code (``devicetype``, e.g. a board/model codename)."""
    version: int | None
    """``versioncode`` (an integer in the app's parser), ``None`` when missing or malformed."""


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    printable = "".join(ch for ch in value if ch.isprintable())
    return printable.strip()[:MAX_TEXT]


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
        return int(value.strip())
    return None


def parse_reply(data: bytes, host: str) -> DiscoveredProjector | None:
    """A :class:`DiscoveredProjector` from one answer datagram, or ``None`` if it is not one."""
    if len(data) > MAX_REPLY_BYTES:
        return None
    try:
        message: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or _as_int(message.get("action")) != REPLY_ACTION:
        return None
    info = message.get("deviceInfo")
    if not isinstance(info, dict):
        return None
    name = _clean(info.get("devicename"))
    if name is None:
        return None
    device_type = _clean(info.get("devicetype")) or ""
    return DiscoveredProjector(host, name, device_type, _as_int(info.get("versioncode")))


class _Collector(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.found: dict[str, DiscoveredProjector] = {}
        self.datagrams = 0
        self.error: OSError | None = None

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.datagrams += 1
        if self.datagrams > MAX_DATAGRAMS or len(self.found) >= MAX_RESULTS:
            return
        host = str(addr[0])
        result = parse_reply(data, host)
        if result is None:
            _LOGGER.debug("Ignored a %d-byte datagram from %s", len(data), host)
            return
        self.found.setdefault(host, result)

    def take_error(self) -> OSError | None:
        """The error reported since the last call, if any."""
        error, self.error = self.error, None
        return error

    def error_received(self, exc: Exception) -> None:
        # An ICMP answer to one probe copy says nothing about the other hosts: keep listening.
        if isinstance(exc, OSError):
            self.error = exc


async def discover(
    timeout_s: float = 2.0,
    *,
    broadcast_addr: str = "255.255.255.255",
    port: int = DISCOVERY_PORT,
    reply_port: int = DISCOVERY_REPLY_PORT,
    bind_host: str = "0.0.0.0",  # noqa: S104 - answers come from any projector on the LAN
    copies: int = PROBE_COPIES,
) -> tuple[DiscoveredProjector, ...]:
    """Probe for GMUI projectors for ``timeout_s`` seconds; answers sorted by host.

    The probe goes from a socket bound to ``bind_host:reply_port`` (answers come back to that
    port), ``copies`` times (1–3). Raises :class:`~.errors.InvalidCommandError` for bad
    arguments, a :class:`~.errors.ProjectorUnreachableError` subclass (usually
    :class:`~.errors.LanSendError`) when the socket cannot be opened (port in use)
    or the probe cannot be sent at all.
    """
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise InvalidCommandError(f"the discovery time must be 0 to {MAX_TIMEOUT_S:.0f} s")
    if not 1 <= copies <= PROBE_COPIES:
        raise InvalidCommandError(f"1 to {PROBE_COPIES} probe copies")
    loop = asyncio.get_running_loop()
    where = f"{broadcast_addr}:{port} (discovery)"
    try:
        transport, collector = await loop.create_datagram_endpoint(
            _Collector, local_addr=(bind_host, reply_port), allow_broadcast=True
        )
    except OSError as err:
        raise lan_error(err, where) from err
    try:
        sent = 0
        last_error: OSError | None = None
        deadline = loop.time() + timeout_s
        for index in range(copies):
            if index:
                await asyncio.sleep(min(PROBE_GAP_S, max(0.0, deadline - loop.time())))
            # A send error is reported synchronously, inside sendto(): no await in between.
            collector.take_error()
            transport.sendto(PROBE, (broadcast_addr, port))
            error = collector.take_error()
            if error is None:
                sent += 1
            else:
                last_error = error
        if not sent:
            assert last_error is not None  # every copy failed, each with its error
            raise lan_error(last_error, where) from last_error
        await asyncio.sleep(max(0.0, deadline - loop.time()))
    finally:
        transport.close()
    results = tuple(sorted(collector.found.values(), key=lambda found: found.host))
    _LOGGER.debug("Discovery on %s: %d answer(s)", where, len(results))
    return results
