"""``Projector.lan_only`` (no ADB at all) and the LAN helpers an entry without ADB uses,
against the simulator with its ADB port closed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from custom_components.xgimi_projector.projector import (
    UNREACHABLE,
    Family,
    LanKeyNotSupportedError,
    LanKeys,
    LanPortClosedError,
    NoPlugError,
    NotSupportedError,
    PlugUnavailableError,
    Projector,
    UnknownKeyError,
)
from custom_components.xgimi_projector.projector.errors import AdbRequiredError
from custom_components.xgimi_projector.projector.lan import (
    LAN_MODEL,
    lan_device_info,
    power_on_by_plug,
)
from custom_components.xgimi_projector.projector.lan_power import LanPowerManager
from custom_components.xgimi_projector.projector.power import PowerOffResult, PowerOnResult
from simulator import DeviceState, Simulator

from ..conftest import StartSim
from .conftest import FAST_POWER, SimPlug, until
from .test_lan_sim import free_udp_port


async def lan_only(start_sim: StartSim, **kwargs: Any) -> tuple[Simulator, Projector]:
    kwargs.setdefault("lan_port", 0)
    sim = await start_sim("gmui_android12", adb_enabled=False, **kwargs)
    assert sim.lan_port is not None
    keys = LanKeys("127.0.0.1", sim.lan_port, key_gap_s=0.0)
    return sim, Projector.lan_only(keys, lan_device_info())


def test_lan_device_info() -> None:
    info = lan_device_info()
    assert (info.serial, info.model, info.display_name) == (None, LAN_MODEL, LAN_MODEL)
    assert info.family is Family.GMUI_ANDROID9
    assert not info.traits.direct_hdmi  # inputs are picked in the source menu, with keys
    named = lan_device_info(" Z6X ", "z6x")
    assert (named.model, named.device) == ("Z6X", "z6x")
    assert type(info).from_dict(info.as_dict()) == info


async def test_poll_reports_unreachable_without_the_network(start_sim: StartSim) -> None:
    sim, projector = await lan_only(start_sim)
    projector.connection.name = "客厅"
    assert await projector.poll() is UNREACHABLE
    assert projector.label == f"客厅 (127.0.0.1:{sim.lan_port} (LAN keys))"
    projector.connection.name = None
    assert projector.label == f"127.0.0.1:{sim.lan_port} (LAN keys)"
    assert sim.lan is not None
    assert sim.lan.datagrams == []
    assert projector.assumed_on is None


async def test_keys_and_power_off_go_over_udp(start_sim: StartSim) -> None:
    sim, projector = await lan_only(start_sim)
    volume = sim.device.volume
    await projector.volume_up(2)
    await until(lambda: sim.device.volume == volume + 2)
    assumed = [projector.assumed_on]
    await projector.select_source("source_menu")
    await until(lambda: sim.device.source_menu_open)
    await projector.press("back")
    await projector.select_source("home")
    await projector.turn_off()
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    assumed.append(projector.assumed_on)
    assert assumed == [True, False]  # on after a key, off after the power-off
    assert sim.lan is not None
    assert sim.lan.keys_applied == [115, 115, 2102, 48, 35, 30]
    await projector.close()


async def test_refused_keys_send_nothing(start_sim: StartSim) -> None:
    sim, projector = await lan_only(start_sim)
    with pytest.raises(UnknownKeyError):
        await projector.send_keys(["home", "self_destruct"])
    with pytest.raises(NotSupportedError):
        await projector.select_source("HDMI1")
    assert sim.lan is not None
    assert sim.lan.datagrams == []
    assert projector.assumed_on is None


ADB_ONLY: list[tuple[str, Callable[[Projector], Awaitable[object]]]] = [
    ("connect", lambda p: p.connect()),
    ("probe", lambda p: p.probe()),
    ("capture", lambda p: p.capture()),
    ("wake", lambda p: p.wake()),
    ("set_volume", lambda p: p.set_volume(3)),
    ("set_volume_level", lambda p: p.set_volume_level(0.5)),
    ("mute", lambda p: p.mute(True)),
    ("play", lambda p: p.play()),  # no code in the protocol
    ("launch_app", lambda p: p.launch_app("com.xgimi.video")),
    ("shell", lambda p: p.shell("ls")),
]


@pytest.mark.parametrize(("name", "call"), ADB_ONLY, ids=[name for name, _ in ADB_ONLY])
async def test_what_needs_adb_is_refused_before_sending(
    start_sim: StartSim, name: str, call: Callable[[Projector], Awaitable[object]]
) -> None:
    sim, projector = await lan_only(start_sim)
    with pytest.raises((AdbRequiredError, NotSupportedError, LanKeyNotSupportedError)) as exc:
        await call(projector)
    assert exc.value.invalid_input
    if isinstance(exc.value, AdbRequiredError):
        assert exc.value.translation_key == "lan_needs_adb"
        assert exc.value.translation_placeholders == {"what": exc.value.what}
    assert sim.lan is not None
    assert sim.lan.datagrams == []
    assert not projector.connection.connected


async def test_check_port(start_sim: StartSim) -> None:
    sim, _projector = await lan_only(start_sim)
    assert sim.lan_port is not None
    keys = LanKeys("127.0.0.1", sim.lan_port)
    await keys.check_port()  # listening: silence
    assert sim.lan is not None
    await until(lambda: sim.lan is not None and sim.lan.datagrams == [b""])
    assert sim.lan.keys_applied == []
    assert keys.datagrams_sent == 0  # not a key
    with pytest.raises(LanPortClosedError):
        await LanKeys("127.0.0.1", free_udp_port()).check_port()


async def test_power_on_by_plug(start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12", adb_enabled=False, mains_on=True)
    plug = SimPlug(sim)
    await power_on_by_plug(plug, 0.01)
    assert plug.calls == ["off", "on"]
    sim.device.mains_off()
    plug.calls.clear()
    await power_on_by_plug(plug, 0.01)
    assert plug.calls == ["on"]  # mains was off: no cut first
    plug.available = False
    with pytest.raises(PlugUnavailableError):
        await power_on_by_plug(plug, 0.01)
    with pytest.raises(NoPlugError):
        await power_on_by_plug(None, 0.01)


async def test_the_connection_refuses_adb(start_sim: StartSim) -> None:
    """Code that reaches past the projector for its connection (a power sequence) is refused."""
    _sim, projector = await lan_only(start_sim)
    with pytest.raises(AdbRequiredError):
        await projector.connection.connect()
    with pytest.raises(AdbRequiredError):
        await projector.connection.shell("getprop")
    assert projector.connection.failures == 0


async def test_lan_power_manager(start_sim: StartSim) -> None:
    """On through the plug (already on by the draw: nothing switched), off by the protocol."""
    sim, projector = await lan_only(start_sim, mains_port=None, mains_on=True)
    plug = SimPlug(sim)
    manager = LanPowerManager(projector, plug, FAST_POWER)
    changes: list[bool | None] = []
    manager.on_change = lambda: changes.append(projector.assumed_on)
    await manager.refresh()
    assert await manager.turn_on() is PowerOnResult.ALREADY_ON
    assert plug.calls == []
    assert await manager.turn_off() is PowerOffResult.SENT
    await until(lambda: sim.device.state is DeviceState.STANDBY)
    await manager.refresh()
    assert not manager.is_on
    assert await manager.start_turn_on() is PowerOnResult.BOOTED
    assert plug.calls == ["off", "on"]
    assert list(dict.fromkeys(changes)) == [None, False, True]
    assert sim.lan is not None
    assert sim.lan.keys_applied == [30]
