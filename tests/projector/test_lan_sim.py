"""``LanKeys`` and ``discover()`` against the simulated projector over loopback UDP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import errno
import socket
from typing import Any

import pytest

from custom_components.xgimi_projector.projector import (
    DiscoveredProjector,
    InvalidCommandError,
    LanKeyNotSupportedError,
    LanKeys,
    LanPortClosedError,
    LanSendError,
    UnknownHostError,
    UnknownKeyError,
    discover,
)
from custom_components.xgimi_projector.projector.discovery import PROBE
from simulator import DeviceState, Simulator

from ..conftest import StartSim


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def lan_sim(start_sim: StartSim, profile: str = "gmui_android9", **kwargs: Any) -> Simulator:
    sim = await start_sim(profile, **kwargs)
    assert sim.lan is not None
    return sim


def keys_for(sim: Simulator) -> LanKeys:
    assert sim.lan_port is not None
    return LanKeys("127.0.0.1", sim.lan_port, key_gap_s=0.0)


async def test_volume_steps_act_on_the_device(start_sim: StartSim) -> None:
    sim = await lan_sim(start_sim)
    keys = keys_for(sim)
    before = sim.device.volume
    await keys.volume_up(3)
    await wait_for(lambda: len(sim.device.key_log) == 3)
    assert sim.device.volume == before + 3
    await keys.volume_down()
    await wait_for(lambda: len(sim.device.key_log) == 4)
    assert sim.device.volume == before + 2
    assert sim.lan is not None
    assert sim.lan.keys_applied == [115, 115, 115, 114]
    assert keys.datagrams_sent == 4


async def test_navigation_opens_and_picks_from_the_source_menu(start_sim: StartSim) -> None:
    sim = await lan_sim(start_sim)
    keys = keys_for(sim)
    await keys.source_menu()
    await wait_for(lambda: sim.device.source_menu_open)
    await keys.send_keys(["down", "ok"], delay_s=0.01)
    await wait_for(lambda: sim.device.hdmi_input == "HDMI2")
    assert sim.device.key_codes == [2102, 20, 23]


async def test_autofocus_mute_and_turn_off(start_sim: StartSim) -> None:
    sim = await lan_sim(start_sim, "gmui_android12")
    keys = keys_for(sim)
    await keys.autofocus()
    await wait_for(lambda: sim.device.autofocus_count == 1)
    await keys.toggle_mute()
    await wait_for(lambda: sim.device.muted)
    await keys.turn_off()
    await wait_for(lambda: sim.device.state is DeviceState.STANDBY)
    assert sim.device.key_codes == [2099, 164, 26]
    await keys.close()


async def test_unknown_and_unsupported_keys_send_nothing(start_sim: StartSim) -> None:
    sim = await lan_sim(start_sim)
    keys = keys_for(sim)
    with pytest.raises(UnknownKeyError):
        await keys.send_keys(["home", "self_destruct"])
    with pytest.raises(LanKeyNotSupportedError):
        await keys.send_keys(["home", "play"])
    with pytest.raises(InvalidCommandError):
        await keys.send_keys(["home"], repeats=0)
    with pytest.raises(InvalidCommandError):
        await keys.send_codes([])
    with pytest.raises(InvalidCommandError):
        await keys.send_codes([0])
    with pytest.raises(InvalidCommandError):
        LanKeys("127.0.0.1", 0)
    await keys.press("home")  # the one datagram that may go
    assert sim.lan is not None
    await wait_for(lambda: len(sim.lan.datagrams) == 1)  # type: ignore[union-attr]
    assert sim.lan.datagrams == [b"KEYPRESSES:35"]
    assert keys.datagrams_sent == 1


async def test_unknown_host_is_an_error() -> None:
    keys = LanKeys("no-such-projector.invalid")
    with pytest.raises(UnknownHostError):
        await keys.press("home")
    with pytest.raises(UnknownHostError):
        await LanKeys("a" * 300 + ".example").press("home")
    assert keys.datagrams_sent == 0


async def test_a_closed_port_is_reported() -> None:
    keys = LanKeys("127.0.0.1", free_udp_port(), key_gap_s=0.0)
    with pytest.raises(LanPortClosedError) as exc:
        await keys.send_keys(["volume_up"], repeats=5)
    assert exc.value.translation_key == "lan_port_closed"
    assert keys.datagrams_sent < 5  # stops at the first "port unreachable"


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("send", OSError(errno.EMSGSIZE, "Message too long")),
        ("connect", PermissionError(errno.EACCES, "Permission denied")),
    ],
)
async def test_a_send_error_is_reported(
    monkeypatch: pytest.MonkeyPatch, method: str, error: OSError
) -> None:
    """The kernel refuses the datagram (tests may only reach 127.0.0.1, so the socket layer
    is told to fail, as it does for a broadcast address or an over-long datagram)."""

    original = getattr(socket.socket, method)

    def refuse(sock: socket.socket, *args: object) -> object:
        if sock.type == socket.SOCK_DGRAM:  # not the event loop's own wake-up socket
            raise error
        return original(sock, *args)

    keys = LanKeys("127.0.0.1", free_udp_port())
    monkeypatch.setattr(socket.socket, method, refuse)
    with pytest.raises(LanSendError) as exc:
        await keys.press("home")
    assert exc.value.translation_key == "lan_send_failed"
    assert keys.datagrams_sent == 0


@pytest.mark.parametrize("profile", ["androidtv10", "androidtv11", "googletv", "googletv14"])
async def test_android_tv_profiles_ignore_the_protocol(start_sim: StartSim, profile: str) -> None:
    sim = await start_sim(profile, lan_port=0, discovery_port=0)
    assert sim.lan is None
    assert sim.lan_port is None
    assert sim.discovery_port is None


async def test_keys_are_ignored_while_the_network_is_down(start_sim: StartSim) -> None:
    sim = await lan_sim(start_sim)
    keys = keys_for(sim)
    sim.device.standby()
    await wait_for(lambda: not sim.device.reachable)
    volume = sim.device.volume
    await keys.volume_up()
    await keys.press("ok")
    assert sim.lan is not None
    await wait_for(lambda: sim.lan.ignored == 2)  # type: ignore[union-attr]
    assert sim.device.volume == volume
    assert sim.lan.keys_applied == []


# --- discovery ------------------------------------------------------------------------------


async def test_discover_finds_the_simulator(start_sim: StartSim) -> None:
    reply_port = free_udp_port()
    sim = await lan_sim(start_sim, discovery_port=0, discovery_reply_port=reply_port)
    assert sim.discovery_port is not None
    found = await discover(
        0.5, broadcast_addr="127.0.0.1", port=sim.discovery_port, reply_port=reply_port
    )
    assert found == (DiscoveredProjector("127.0.0.1", "XGIMI Z7X", "z7x", 61100),)
    assert sim.lan is not None
    assert sim.lan.probes_answered == 3  # the probe is the one thing sent three times


async def test_discover_ignores_garbage_answers(start_sim: StartSim) -> None:
    """A hostile responder answers the probe with garbage, then hands it to the simulator."""
    reply_port = free_udp_port()
    sim = await lan_sim(
        start_sim, "gmui_android8", discovery_port=0, discovery_reply_port=reply_port
    )
    assert sim.discovery_port is not None
    garbage = [
        b"\x00" * 3000,
        b"not json",
        b'{"action":9999}',
        b'{"action":9999,"deviceInfo":{"devicetype":"x"}}',
        b"[1,2,3]",
        PROBE,
    ]
    loop = asyncio.get_running_loop()

    class Hostile(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.DatagramTransport)
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
            for junk in garbage:
                self.transport.sendto(junk, (addr[0], reply_port))
            self.transport.sendto(data, ("127.0.0.1", sim.discovery_port))

    transport, _ = await loop.create_datagram_endpoint(Hostile, local_addr=("127.0.0.1", 0))
    try:
        hostile_port = transport.get_extra_info("sockname")[1]
        found = await discover(
            0.5, broadcast_addr="127.0.0.1", port=hostile_port, reply_port=reply_port, copies=1
        )
    finally:
        transport.close()
    assert found == (DiscoveredProjector("127.0.0.1", "XGIMI TV", "xk03u", 0),)


async def test_discover_gets_no_answer_in_standby(start_sim: StartSim) -> None:
    reply_port = free_udp_port()
    sim = await lan_sim(start_sim, discovery_port=0, discovery_reply_port=reply_port)
    assert sim.discovery_port is not None
    sim.device.standby()
    found = await discover(
        0.2, broadcast_addr="127.0.0.1", port=sim.discovery_port, reply_port=reply_port
    )
    assert found == ()


async def test_discover_argument_and_socket_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidCommandError):
        await discover(0)
    with pytest.raises(InvalidCommandError):
        await discover(1.0, copies=4)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(LanSendError):
            await discover(0.1, bind_host="127.0.0.1", reply_port=port)
    # Every copy of the probe refused by the kernel (e.g. broadcast not permitted).

    original = socket.socket.sendto

    def refuse(sock: socket.socket, *args: Any) -> int:
        if sock.type == socket.SOCK_DGRAM:
            raise PermissionError(errno.EACCES, "Permission denied")
        return original(sock, *args)  # pragma: no cover - the loop's wake-up uses send()

    monkeypatch.setattr(socket.socket, "sendto", refuse)
    with pytest.raises(LanSendError):
        await discover(0.1, broadcast_addr="127.0.0.1", bind_host="127.0.0.1", reply_port=0)
