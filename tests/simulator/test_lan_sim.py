"""The simulated projector's side of XGIMI's LAN protocol: UDP keys, the discovery probe, the
ADB switch, the mDNS announcement and the command line (docs/lan.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import dataclasses
import json
import os
from pathlib import Path
import re
import socket
import sys
from typing import Any

import pytest

from simulator import DeviceModel, DeviceState, Simulator, list_profiles, load_profile
from simulator.__main__ import _udp_port
from simulator.lan import LanResponder, LanSpec, is_probe, parse_key_datagram
from simulator.mdns import SERVICE_TYPE, service_info
from simulator.profiles import ProfileError
from simulator.profiles.spec import TEMPLATES_DIR, read_json

ROOT = Path(__file__).resolve().parents[2]
LAN_KEYS = {
    int(code): int(key) for code, key in read_json(TEMPLATES_DIR / "lan.json")["keys"].items()
}
GMUI = ["gmui_android8", "gmui_android9", "gmui_android12"]


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def send_udp(port: int, *datagrams: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in datagrams:
            sock.sendto(datagram, ("127.0.0.1", port))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def responder() -> AsyncIterator[Callable[..., Any]]:
    started: list[tuple[LanResponder, DeviceModel]] = []

    async def _start(profile: str = "gmui_android9", **kwargs: Any) -> LanResponder:
        device = DeviceModel(profile, boot_s=0.05, network_drop_s=0.05)
        spec = LanSpec.from_profile(device.profile)
        assert spec is not None
        kwargs.setdefault("key_port", 0)
        lan = LanResponder(device, spec, **kwargs)
        await lan.start()
        started.append((lan, device))
        return lan

    yield _start
    for lan, device in started:
        await lan.stop()
        await device.aclose()


def visible(device: DeviceModel) -> dict[str, Any]:
    """What a key can change, without clocks and logs."""
    return {
        "state": device.state,
        "volume": device.volume,
        "muted": device.muted,
        "foreground": device.foreground,
        "source": device.source,
        "menu": (device.source_menu_open, device.source_menu_highlight),
        "quick_settings": device.quick_settings_open,
        "autofocus": device.autofocus_count,
        "focus_motor": list(device.focus_motor_log),
        "keys": device.key_codes,
    }


@pytest.mark.parametrize(("code", "android"), sorted(LAN_KEYS.items()))
async def test_a_udp_key_acts_like_the_same_key_over_adb(
    responder: Callable[..., Any], code: int, android: int
) -> None:
    lan = await responder()
    over_adb = DeviceModel("gmui_android9", boot_s=0.05, network_drop_s=0.05)
    try:
        for device in (lan.device, over_adb):
            device.press(2102)  # open the source menu, so navigation keys show
        over_adb.execute(f"input keyevent {android}")
        send_udp(lan.key_port, f"KEYPRESSES:{code}".encode())
        await wait_for(lambda: len(lan.keys_applied) == 1)
        assert visible(lan.device) == visible(over_adb)
    finally:
        await over_adb.aclose()


@pytest.mark.parametrize(
    "datagram",
    [
        b"",
        b"KEYPRESSES:",
        b"KEYPRESSES:abc",
        b"KEYPRESSES:99999",  # no such code
        b"KEYPRESSES:-1",
        b"KEYSSTATUS:35+1",
        b"\xff\xfe\x00",
        b"KEYPRESSES:" + b"1" * 2000,
        b'{"action":20000,"controlCmd":{"mode":5,"type":0},"msgid":"2"}',
    ],
)
async def test_malformed_datagrams_are_ignored(
    responder: Callable[..., Any], datagram: bytes
) -> None:
    lan = await responder()
    send_udp(lan.key_port, datagram, b"KEYPRESSES:115")
    await wait_for(lambda: len(lan.datagrams) == 2)
    assert lan.ignored == 1
    assert lan.keys_applied == [115]
    assert lan.device.key_codes == [24]


@pytest.mark.parametrize(
    ("datagram", "code"),
    [
        (b"KEYPRESSES:30", 30),
        (b"KEYPRESSES:2099\n", 2099),
        (b"KEYPRESSES:2099\r\n", 2099),
        (b"KEYPRESSES:123456", None),
        (b"KEYPRESSES: 30", None),
        (b"KEYPRESSES:3O", None),
        (b"keypresses:30", None),
    ],
)
def test_parse_key_datagram(datagram: bytes, code: int | None) -> None:
    assert parse_key_datagram(datagram) == code


@pytest.mark.parametrize(
    ("datagram", "probe"),
    [
        (b'{"action":9998,"msgid":"1","appid":"1"}', True),
        (b'{"action":9999}', False),
        (b'{"action":"9998"}', False),
        (b"[9998]", False),
        (b"\xff", False),
        (b" " * 2000, False),
    ],
)
def test_is_probe(datagram: bytes, probe: bool) -> None:
    assert is_probe(datagram) is probe


@pytest.mark.parametrize("profile", list_profiles())
def test_only_gmui_profiles_speak_the_protocol(profile: str) -> None:
    loaded = load_profile(profile)
    spec = LanSpec.from_profile(loaded)
    if loaded.family == "gmui":
        assert spec is not None
        assert spec.device_name
        assert spec.keys == LAN_KEYS
    else:
        assert spec is None


def test_profile_lan_section_defaults_and_errors() -> None:
    profile = load_profile("gmui_android9")
    raw = {key: value for key, value in profile.raw.items() if key != "lan"}
    spec = LanSpec.from_profile(dataclasses.replace(profile, raw=raw))
    assert spec is not None
    assert spec.device_name == "XGIMI Z7X"  # the settings' device name
    assert spec.device_type == "z7x"
    assert spec.version_code == 0
    overridden = {**raw, "lan": {"keys": {"35": 4}}}
    spec = LanSpec.from_profile(dataclasses.replace(profile, raw=overridden))
    assert spec is not None
    assert spec.keys[35] == 4
    with pytest.raises(ProfileError):
        LanSpec.from_profile(dataclasses.replace(profile, raw={**raw, "lan": "yes"}))


async def test_keys_are_ignored_unless_the_network_is_up(responder: Callable[..., Any]) -> None:
    lan = await responder()
    lan.device.mains_off()
    send_udp(lan.key_port, b"KEYPRESSES:115")
    await wait_for(lambda: len(lan.datagrams) == 1)
    assert lan.ignored == 1
    assert lan.device.key_codes == []


# --- discovery ------------------------------------------------------------------------------


async def probe_and_read(discovery_port: int, reply_port: int, probe: bytes) -> list[bytes]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", reply_port))
        sock.setblocking(False)
        sock.sendto(probe, ("127.0.0.1", discovery_port))
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(0.5):
                return [await loop.sock_recv(sock, 4096)]
        except TimeoutError:
            return []


async def test_the_probe_is_answered_on_the_reply_port(responder: Callable[..., Any]) -> None:
    reply_port = free_udp_port()
    lan = await responder("gmui_android12", key_port=None, discovery_port=0, reply_port=reply_port)
    assert lan.key_port is None
    answers = await probe_and_read(lan.discovery_port, reply_port, b'{"action":9998,"msgid":"1"}')
    assert [json.loads(answer) for answer in answers] == [
        {
            "action": 9999,
            "deviceInfo": {"devicename": "XGIMI Z6X Pro", "devicetype": "z6xpro", "versioncode": 0},
            "msgid": "1",
        }
    ]
    assert await probe_and_read(lan.discovery_port, reply_port, b"hello?") == []
    lan.device.standby()  # Android asleep: nothing answers, even before the network drops
    assert await probe_and_read(lan.discovery_port, reply_port, b'{"action":9998}') == []
    assert lan.probes_answered == 1
    assert lan.ignored == 2


# --- the ADB switch -------------------------------------------------------------------------


async def adb_answers(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_adb_can_be_switched_off_while_udp_answers() -> None:
    async with Simulator("gmui_android9", adb_enabled=False, boot_s=0.1) as sim:
        assert not sim.adb_enabled
        assert not await adb_answers(sim.port)
        assert sim.lan_port is not None
        send_udp(sim.lan_port, b"KEYPRESSES:30")
        await wait_for(lambda: sim.device.state is DeviceState.STANDBY)
        sim.device.mains_off()
        sim.device.mains_on()
        await wait_for(lambda: sim.device.state is DeviceState.ON)
        port = sim.port
        await sim.set_adb_enabled(True)
        await sim.set_adb_enabled(True)  # no change
        assert await adb_answers(port)
        await sim.set_adb_enabled(False)
        assert not await adb_answers(port)
        assert sim.port == port


async def test_adb_switch_before_start() -> None:
    sim = Simulator("gmui_android8", lan_port=None, adb_enabled=False)
    with pytest.raises(RuntimeError):
        await sim.set_adb_enabled(True)
    await sim.start()
    try:
        assert sim.lan is None  # no UDP port asked for
        assert sim.port != 0
        assert not await adb_answers(sim.port)
        await sim.set_adb_enabled(True)
        assert await adb_answers(sim.port)
    finally:
        await sim.stop()


# --- mDNS -----------------------------------------------------------------------------------


async def test_service_info_carries_the_profile() -> None:
    sim = Simulator("gmui_android9", lan_port=None)
    info = service_info(sim)
    assert info.type == SERVICE_TYPE == "_xgimi._tcp.local."
    assert info.properties == {
        b"devname": b"XGIMI Z7X",
        b"deviceType": b"z7x",
        b"deviceVersion": b"61100",
    }
    assert info.parsed_addresses() == ["127.0.0.1"]
    with pytest.raises(ValueError, match="does not speak"):
        service_info(Simulator("googletv", lan_port=None))


async def test_announce_over_mdns() -> None:
    """Needs multicast on this host; skipped with the reason when it is not available."""
    from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

    try:
        sim = Simulator("gmui_android12", lan_port=None, announce=True)
        await sim.start()
    except OSError as err:
        pytest.skip(f"multicast (mDNS) unavailable here: {err}")
    try:
        browser = AsyncZeroconf(interfaces=["127.0.0.1"])
        try:
            assert sim._announcer is not None
            name = sim._announcer.info.name
            info = AsyncServiceInfo(SERVICE_TYPE, name)
            if not await info.async_request(browser.zeroconf, 3000):
                pytest.skip("multicast (mDNS) packets are not delivered on this host")
            assert info.properties[b"devname"] == b"XGIMI Z6X Pro"
            assert info.port == sim.port
        finally:
            await browser.async_close()
    finally:
        await sim.stop()


# --- command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "adb_port", "expected"),
    [(None, 5555, 16735), (None, 0, 0), (4000, 0, 4000), (0, 5555, 0)],
)
def test_udp_port_defaults(asked: int | None, adb_port: int, expected: int) -> None:
    assert _udp_port(asked, adb_port, 16735) == expected


async def test_cli_lan_keys_only() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--no-adb",
        "--profile",
        "gmui_android9",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        match = re.search(r"adb=127\.0\.0\.1:(\d+)\(off\) lan=udp:(\d+) discovery=udp:(\d+)", line)
        assert match, line
        assert not await adb_answers(int(match[1]))
        send_udp(int(match[2]), b"KEYPRESSES:30")
        state = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert state.startswith("state: standby"), state
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 20)
