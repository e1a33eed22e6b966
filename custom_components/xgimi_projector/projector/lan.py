"""XGIMI's LAN key protocol: remote-control keys as UDP datagrams, without ADB (docs/lan.md).

GMUI (China firmware) projectors accept ``KEYPRESSES:<n>`` datagrams on UDP port 16735 with
no set-up; Android TV / Google TV firmware ignore them. The protocol is one-way: nothing is
acknowledged, so this module can only promise that a datagram left this host.

API for a "LAN keys only" entry (no Home Assistant import; every error is an
:class:`~.errors.XgimiError` with a ``translation_key``)::

    keys = LanKeys("192.168.1.20")                   # UDP 16735
    await keys.press("home")                         # the ADB path's key names
    await keys.send_keys(["down", "down", "ok"], delay_s=0.3)
    await keys.volume_up(3)                          # three datagrams, spaced
    await keys.autofocus()
    await keys.turn_off()                            # KEYPRESSES:30 (关机), sent once
    found = await discover(timeout_s=2.0)            # .discovery: the UDP 16752 probe

What is refused before anything is sent (:class:`~.errors.InvalidCommandError` subclasses):
a name outside the whitelist (:class:`~.errors.UnknownKeyError`), a whitelisted key with no
code in this protocol (:class:`~.errors.LanKeyNotSupportedError`, e.g. ``PLAY``), a bad
``repeats``/``delay_s``, more than :data:`MAX_KEYS_PER_CALL` presses.

What surfaces as :class:`~.errors.ProjectorUnreachableError` subclasses: a host name that
does not resolve (:class:`~.errors.UnknownHostError`), a host that answers "port unreachable"
(:class:`~.errors.LanPortClosedError`: nothing listens, e.g. Android TV firmware; only
reported when the host sends that answer), no route (:class:`~.errors.NoRouteError`), any
other failure to send (:class:`~.errors.LanSendError`). Silence proves nothing: a projector in
standby drops datagrams without a word.

Repeats: none. A lost datagram is a lost key, and the keys that matter are not idempotent
(volume steps add up, POWER/MUTE toggle, OK selects): resending "in case" could press twice.
Even the power-off code is sent once: what a second one does on a projector that is already
going to sleep, or in 关屏, is not documented. Callers that can observe the result (ADB, a
plug's power reading) retry themselves. Datagrams are spaced by at least
:data:`MIN_KEY_GAP_S`, so the projector's input queue sees a remote's pace.

The JSON command port (16750) is not used: every key-level command here exists as a
``KEYPRESSES`` code (docs/lan.md §3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import errno
import logging
import socket
from typing import TYPE_CHECKING, Any

from .errors import (
    InvalidCommandError,
    LanPortClosedError,
    LanSendError,
    NoPlugError,
    NoRouteError,
    PlugUnavailableError,
    ProjectorUnreachableError,
    UnknownHostError,
)
from .families import Family, traits_for
from .keycodes import LAN_POWER_OFF, lan_keycode
from .probe import DeviceInfo

if TYPE_CHECKING:
    from .power.plug import Plug

_LOGGER = logging.getLogger(__name__)

LAN_KEY_PORT = 16735
"""UDP port of the key protocol."""
KEY_PREFIX = "KEYPRESSES:"
MAX_LAN_CODE = 99_999
"""No code in the protocol has more than four digits; five leave room and bound the size."""
MAX_DATAGRAM_BYTES = len(KEY_PREFIX) + len(str(MAX_LAN_CODE))
MAX_KEYS_PER_CALL = 500
"""The same bound as the ADB path's :meth:`Projector.send_keys`."""
MAX_KEY_DELAY_S = 60.0
MIN_KEY_GAP_S = 0.05
"""Least time between two datagrams of one call (a quick thumb on a remote)."""
SETTLE_S = 0.05
"""After the last datagram, how long to wait for the host's "port unreachable" answer."""


def encode_key(code: int) -> bytes:
    """The datagram for one key: ``KEYPRESSES:<code>`` in ASCII, no terminator."""
    if isinstance(code, bool) or not isinstance(code, int) or not 0 < code <= MAX_LAN_CODE:
        raise InvalidCommandError(f"LAN key code {code!r} outside 1…{MAX_LAN_CODE}")
    return f"{KEY_PREFIX}{code}".encode("ascii")


def decode_key(data: bytes) -> int | None:
    """The code in a ``KEYPRESSES:<n>`` datagram, or ``None`` for anything else."""
    if len(data) > MAX_DATAGRAM_BYTES + 2:
        return None
    try:
        text = data.decode("ascii").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    digits = text.removeprefix(KEY_PREFIX)
    if digits == text or not digits.isdigit() or not digits.isascii():
        return None
    code = int(digits)
    return code if 0 < code <= MAX_LAN_CODE else None


def lan_codes(names: Sequence[str], *, repeats: int = 1, delay_s: float = 0.0) -> list[int]:
    """Check a key sequence like :meth:`Projector.send_keys` does and return its LAN codes.

    Raises before anything is sent: see the module docstring.
    """
    if isinstance(names, str):
        raise InvalidCommandError("names must be a sequence of key names, not one string")
    if repeats < 1:
        raise InvalidCommandError("repeats must be at least 1")
    if len(names) * repeats > MAX_KEYS_PER_CALL:
        raise InvalidCommandError(f"at most {MAX_KEYS_PER_CALL} key presses per call")
    if not 0 <= delay_s <= MAX_KEY_DELAY_S:
        raise InvalidCommandError(f"the delay must be 0 to {MAX_KEY_DELAY_S:.0f} seconds")
    codes = [lan_keycode(name) for name in names]
    if not codes:
        raise InvalidCommandError("no keys")
    return codes * repeats


def lan_error(err: OSError, where: str) -> ProjectorUnreachableError:
    """The library error for a socket error met while sending to ``where``."""
    if isinstance(err, ConnectionRefusedError):
        return LanPortClosedError(f"{where}: port unreachable (nothing listens): {err}")
    if err.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return NoRouteError(f"{where}: no route: {err}")
    return LanSendError(f"{where}: cannot send: {err}")


async def resolve(host: str, port: int) -> tuple[int, tuple[Any, ...]]:
    """``(family, sockaddr)`` of ``host`` for UDP, without blocking the loop."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as err:
        raise UnknownHostError(f"{host} does not resolve: {err}") from err
    except UnicodeError as err:  # an over-long or malformed label
        raise UnknownHostError(f"{host} is not a valid host name: {err}") from err
    if not infos:
        raise UnknownHostError(f"{host} does not resolve")
    family, _kind, _proto, _name, sockaddr = infos[0]
    return int(family), tuple(sockaddr)


class _SendProtocol(asyncio.DatagramProtocol):
    """Keeps the first error the socket reports (ICMP answers arrive as errors)."""

    def __init__(self) -> None:
        self.error: OSError | None = None

    def error_received(self, exc: Exception) -> None:
        if self.error is None and isinstance(exc, OSError):
            self.error = exc

    def connection_lost(self, exc: Exception | None) -> None:
        if self.error is None and isinstance(exc, OSError):
            self.error = exc


class LanKeys:
    """Remote-control keys for one projector over XGIMI's LAN key protocol.

    Calls are serialised (one at a time), each on its own short-lived UDP socket, so an error
    the host reports belongs to the call that provoked it.
    """

    def __init__(
        self,
        host: str,
        port: int = LAN_KEY_PORT,
        *,
        key_gap_s: float = MIN_KEY_GAP_S,
        settle_s: float = SETTLE_S,
    ) -> None:
        if not 0 < port < 65536:
            raise InvalidCommandError(f"UDP port {port} outside 1…65535")
        self.host = host
        self.port = port
        self.key_gap_s = max(0.0, key_gap_s)
        self.settle_s = max(0.0, settle_s)
        self.datagrams_sent = 0
        """How many datagrams left this host (for diagnostics and tests)."""
        self._lock = asyncio.Lock()

    @property
    def label(self) -> str:
        """``host:port (LAN keys)``: how log lines and errors name this transport."""
        return f"{self.host}:{self.port} (LAN keys)"

    # --- the key-level API (mirrors Projector's) ------------------------------------------

    async def press(self, name: str) -> None:
        """Press one key (the ADB path's names; see :data:`~.keycodes.LAN_KEYCODES`)."""
        await self.send_keys([name])

    async def send_keys(
        self, names: Sequence[str], *, repeats: int = 1, delay_s: float = 0.0
    ) -> None:
        """Press ``names`` in order, ``repeats`` times, at least ``delay_s`` apart."""
        await self.send_codes(lan_codes(names, repeats=repeats, delay_s=delay_s), delay_s)

    async def volume_up(self, steps: int = 1) -> None:
        await self.send_keys(["VOLUME_UP"], repeats=max(1, steps))

    async def volume_down(self, steps: int = 1) -> None:
        await self.send_keys(["VOLUME_DOWN"], repeats=max(1, steps))

    async def toggle_mute(self) -> None:
        """The mute key: a toggle (the protocol cannot tell whether sound is muted)."""
        await self.press("MUTE")

    async def autofocus(self) -> None:
        await self.press("AUTOFOCUS")

    async def source_menu(self) -> None:
        """Open the source menu (picking an input then takes UP/DOWN and OK)."""
        await self.press("SOURCE_MENU")

    async def turn_off(self) -> None:
        """Soft power-off (关机): the protocol's dedicated off code, sent once."""
        await self.send_codes([LAN_POWER_OFF], 0.0)

    async def close(self) -> None:
        """Nothing stays open between calls; here for symmetry with :class:`Projector`."""

    async def check_port(self) -> None:
        """Send one empty datagram (no key: the projector's parser finds no ``KEYPRESSES:``)
        and wait for a "port unreachable" answer.

        Raises :class:`~.errors.LanPortClosedError` when the host says nothing listens (e.g.
        Android TV firmware, a PC), the other send errors as :meth:`send_codes` does. Silence
        proves nothing (a GMUI projector listens silently, one in standby drops everything, a
        firewall may drop the answer).
        """
        async with self._lock:
            await self._send_payloads([b""], 0.0, count=False)

    # --- sending ----------------------------------------------------------------------------

    async def send_codes(self, codes: Sequence[int], delay_s: float = 0.0) -> None:
        """Send raw protocol codes in order (checked, but not against the whitelist)."""
        if not 0 < len(codes) <= MAX_KEYS_PER_CALL:
            raise InvalidCommandError(f"1 to {MAX_KEYS_PER_CALL} codes per call")
        payloads = [encode_key(code) for code in codes]
        gap = max(min(delay_s, MAX_KEY_DELAY_S), self.key_gap_s)
        async with self._lock:
            await self._send_payloads(payloads, gap)
        _LOGGER.debug("Sent %d LAN key datagram(s) to %s", len(payloads), self.label)

    async def _send_payloads(
        self, payloads: Sequence[bytes], gap: float, *, count: bool = True
    ) -> None:
        """Send ``payloads`` from one short-lived socket, ``gap`` apart (the lock is held)."""
        family, sockaddr = await resolve(self.host, self.port)
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await loop.create_datagram_endpoint(
                _SendProtocol, remote_addr=sockaddr[:2], family=family
            )
        except OSError as err:
            raise lan_error(err, self.label) from err
        try:
            for index, payload in enumerate(payloads):
                if index:
                    await asyncio.sleep(gap)
                self._check(protocol)
                transport.sendto(payload)
                self._check(protocol)
                self.datagrams_sent += int(count)
            if self.settle_s:
                await asyncio.sleep(self.settle_s)
            self._check(protocol)
        finally:
            transport.close()

    def _check(self, protocol: _SendProtocol) -> None:
        if protocol.error is not None:
            raise lan_error(protocol.error, self.label) from protocol.error


# --- a "LAN keys only" projector -------------------------------------------------------------


LAN_MODEL = "XGIMI (LAN keys)"
"""The model shown for a projector known only through the LAN protocol."""
LAN_FAMILY = Family.GMUI_ANDROID9
"""The family a "LAN keys only" projector is treated as: only GMUI answers the protocol, and
which GMUI version it runs cannot be read over UDP. GMUI 9's traits (no direct HDMI, the
source menu instead) are the ones that hold without ADB: inputs are picked in the source
menu with keys."""


def lan_device_info(model: str = "", device_type: str = "") -> DeviceInfo:
    """The stand-in for a probe when only the LAN protocol is available: no serial, no
    versions, no packages; ``model`` and ``device_type`` from the discovery answer if any."""
    return DeviceInfo(
        serial=None,
        model=model.strip() or LAN_MODEL,
        manufacturer="XGIMI",
        device=device_type.strip(),
        android_version="",
        sdk=0,
        firmware="",
        family=LAN_FAMILY,
        traits=traits_for(LAN_FAMILY, frozenset()),
        adb_secure=True,
        packages=frozenset(),
        props={},
        captures={},
    )


async def power_on_by_plug(plug: Plug | None, off_s: float) -> None:
    """Turn a projector with 上电自动开机 on through its plug, without ADB to watch it boot:
    mains off (when on), ``off_s`` seconds, mains on. Nothing confirms the boot; the plug's
    power reading shows it where there is one."""
    if plug is None:
        raise NoPlugError("LAN keys only, and no plug is configured")
    if not plug.available:
        raise PlugUnavailableError("the plug is unavailable")
    if plug.is_on is not False:
        await plug.turn_off()
        await asyncio.sleep(off_s)
    await plug.turn_on()
