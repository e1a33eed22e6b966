"""XGIMI's LAN protocol on the simulated projector: UDP keys and the discovery probe.

GMUI profiles (their ``lan`` section, or family ``gmui`` without one) listen on UDP for
``KEYPRESSES:<n>`` (real port 16735) and press the Android key the protocol code stands for
(``templates/lan.json``) on the device model, exactly as ``input keyevent`` over ADB would.
They answer the discovery probe ``{"action":9998,...}`` (real port 16752) with
``{"action":9999,"deviceInfo":{...}}`` sent to the prober's address on the reply port (real
16751). Android TV / Google TV profiles (``"lan": false``) open no socket, like the real
firmware. Malformed datagrams are counted and dropped. Nothing is answered while the device's
network is down (standby after the drop, booting, mains off); keys that arrive while Android
sleeps are logged and ignored by :meth:`DeviceModel.press`. See docs/lan.md.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import logging
from typing import Any

from .device import DeviceModel
from .power import AWAKE
from .profiles import Profile
from .profiles.spec import TEMPLATES_DIR, ProfileError, read_json

__all__ = ["LanResponder", "LanSpec", "parse_key_datagram"]

_LOGGER = logging.getLogger(__name__)

KEY_PREFIX = b"KEYPRESSES:"
MAX_KEY_DATAGRAM = 32
MAX_PROBE_DATAGRAM = 1024
PROBE_ACTION = 9998
REPLY_ACTION = 9999


@dataclass(frozen=True, slots=True)
class LanSpec:
    """What a profile says about the LAN protocol."""

    device_name: str
    device_type: str
    version_code: int
    keys: dict[int, int] = field(default_factory=dict)
    """Protocol code → Android key code."""

    @classmethod
    def from_profile(cls, profile: Profile) -> LanSpec | None:
        """The profile's spec, or ``None`` when its firmware ignores the protocol."""
        raw = profile.raw.get("lan")
        if raw is None:
            if profile.family != "gmui":
                return None
            raw = {}
        if raw is False:
            return None
        if not isinstance(raw, dict):
            raise ProfileError(f"{profile.name}: 'lan' must be an object or false")
        keymap = read_json(TEMPLATES_DIR / f"{raw.get('keymap', 'lan')}.json")
        keys = {int(code): int(android) for code, android in keymap.get("keys", {}).items()}
        keys.update({int(code): int(android) for code, android in raw.get("keys", {}).items()})
        settings_name = profile.settings.get("global", {}).get("device_name")
        return cls(
            device_name=str(raw.get("device_name", settings_name or profile.model)),
            device_type=str(raw.get("device_type", profile.props.get("ro.product.device", ""))),
            version_code=int(raw.get("version_code", 0)),
            keys=keys,
        )


def parse_key_datagram(data: bytes) -> int | None:
    """The protocol code of ``KEYPRESSES:<digits>`` (a trailing CR/LF allowed), else ``None``."""
    if len(data) > MAX_KEY_DATAGRAM or not data.startswith(KEY_PREFIX):
        return None
    digits = data[len(KEY_PREFIX) :].rstrip(b"\r\n")
    if not digits or len(digits) > 5 or not digits.isdigit():
        return None
    return int(digits)


def is_probe(data: bytes) -> bool:
    """Whether a datagram is the discovery probe (JSON with ``action`` 9998)."""
    if len(data) > MAX_PROBE_DATAGRAM:
        return False
    try:
        message: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(message, dict) and message.get("action") == PROBE_ACTION


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, handler: Any) -> None:
        self._handler = handler
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self._handler(data, addr)


class LanResponder:
    """The UDP side of one simulated GMUI projector.

    ``key_port``/``discovery_port``: ``0`` picks a free port, ``None`` does not listen;
    ``reply_port`` is where discovery answers go (the prober's address, that port).
    """

    def __init__(
        self,
        device: DeviceModel,
        spec: LanSpec,
        *,
        host: str = "127.0.0.1",
        key_port: int | None = 16735,
        discovery_port: int | None = None,
        reply_port: int = 16751,
    ) -> None:
        self.device = device
        self.spec = spec
        self.host = host
        self._key_port = key_port
        self._discovery_port = discovery_port
        self.reply_port = reply_port
        self._keys: _Endpoint | None = None
        self._discovery: _Endpoint | None = None
        self.datagrams: list[bytes] = []
        """Every datagram received on the key port, in order (valid or not)."""
        self.keys_applied: list[int] = []
        """Protocol codes that reached the device model."""
        self.ignored = 0
        """Datagrams dropped: malformed, unknown code, or the network was down."""
        self.probes_answered = 0

    @property
    def key_port(self) -> int | None:
        return self._key_port

    @property
    def discovery_port(self) -> int | None:
        return self._discovery_port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            if self._key_port is not None:
                self._keys = await self._open(loop, self._key_port, self._on_key)
                self._key_port = self._port_of(self._keys)
            if self._discovery_port is not None:
                self._discovery = await self._open(loop, self._discovery_port, self._on_probe)
                self._discovery_port = self._port_of(self._discovery)
        except BaseException:
            await self.stop()
            raise
        _LOGGER.debug(
            "LAN protocol on %s: keys %s, discovery %s",
            self.host,
            self._key_port,
            self._discovery_port,
        )

    async def stop(self) -> None:
        for endpoint in (self._keys, self._discovery):
            if endpoint is not None and endpoint.transport is not None:
                endpoint.transport.close()
        self._keys = self._discovery = None

    async def _open(self, loop: asyncio.AbstractEventLoop, port: int, handler: Any) -> _Endpoint:
        _transport, endpoint = await loop.create_datagram_endpoint(
            lambda: _Endpoint(handler), local_addr=(self.host, port), allow_broadcast=True
        )
        return endpoint

    @staticmethod
    def _port_of(endpoint: _Endpoint) -> int:
        assert endpoint.transport is not None
        return int(endpoint.transport.get_extra_info("sockname")[1])

    # ------------------------------------------------------------------ handlers

    def _on_key(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.datagrams.append(bytes(data[: MAX_KEY_DATAGRAM * 2]))
        if not self.device.reachable:
            self.ignored += 1
            return
        code = parse_key_datagram(data)
        android = self.spec.keys.get(code) if code is not None else None
        if code is None or android is None:
            self.ignored += 1
            _LOGGER.debug("LAN: ignored datagram %r from %s", data[:40], addr[0])
            return
        self.keys_applied.append(code)
        _LOGGER.debug("LAN: KEYPRESSES:%d from %s -> key %d", code, addr[0], android)
        self.device.press(android)

    def _on_probe(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self.device.state not in AWAKE or not is_probe(data):
            self.ignored += 1
            return
        endpoint = self._discovery
        if endpoint is None or endpoint.transport is None:  # pragma: no cover - closing
            return
        reply = {
            "action": REPLY_ACTION,
            "deviceInfo": {
                "devicename": self.spec.device_name,
                "devicetype": self.spec.device_type,
                "versioncode": self.spec.version_code,
            },
            "msgid": "1",
        }
        payload = json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode()
        endpoint.transport.sendto(payload, (addr[0], self.reply_port))
        self.probes_answered += 1
