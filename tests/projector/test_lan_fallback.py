"""``Projector(lan=...)``: keys go over XGIMI's LAN protocol only while ADB is unreachable on a
GMUI projector; everything else is unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from custom_components.xgimi_projector.projector import (
    LanKeys,
    PortClosedError,
    ProjectorUnreachableError,
)
from simulator import Simulator

from ..conftest import StartSim
from .conftest import MakeProjector


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def lan_for(sim: Simulator) -> LanKeys:
    # Android TV profiles do not listen: aim at the port a GMUI projector would use.
    return LanKeys("127.0.0.1", sim.lan_port or 9, key_gap_s=0.0)


async def test_keys_use_adb_while_it_answers(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android9")
    lan = lan_for(sim)
    projector = make_projector(sim, lan=lan)
    await projector.connect()
    await projector.volume_up(2)
    assert lan.datagrams_sent == 0
    assert sim.lan is not None
    assert sim.lan.datagrams == []
    assert sim.device.key_codes == [24, 24]


async def test_keys_fall_back_to_udp_when_adb_is_down(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    lan = lan_for(sim)
    projector = make_projector(sim, lan=lan)
    await projector.connect()
    await sim.set_adb_enabled(False)
    # The coordinator's next poll notices (a session that breaks mid-command is never
    # retried over UDP: the key may have arrived).
    assert not (await projector.poll()).reachable
    volume = sim.device.volume
    await projector.volume_up(2)
    await projector.press("autofocus")
    await wait_for(lambda: len(sim.device.key_log) == 3)
    assert sim.device.volume == volume + 2
    assert sim.device.autofocus_count == 1
    assert lan.datagrams_sent == 3
    # Back on ADB as soon as it answers again.
    await sim.set_adb_enabled(True)
    await projector.press("home")
    assert lan.datagrams_sent == 3
    assert sim.device.key_codes[-1] == 3


async def test_no_fallback_for_keys_without_a_lan_code(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android9")
    lan = lan_for(sim)
    projector = make_projector(sim, lan=lan)
    await projector.connect()
    await sim.set_adb_enabled(False)
    await projector.poll()
    with pytest.raises(PortClosedError):
        await projector.send_keys(["volume_up", "play"])
    assert lan.datagrams_sent == 0


@pytest.mark.parametrize("profile", ["androidtv10", "googletv"])
async def test_no_fallback_on_android_tv(
    start_sim: StartSim, make_projector: MakeProjector, profile: str
) -> None:
    sim = await start_sim(profile)
    lan = lan_for(sim)
    projector = make_projector(sim, lan=lan)
    await projector.connect()
    await sim.set_adb_enabled(False)
    await projector.poll()
    with pytest.raises(ProjectorUnreachableError):
        await projector.press("volume_up")
    assert lan.datagrams_sent == 0


async def test_no_fallback_before_the_family_is_known(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android9", adb_enabled=False)
    lan = lan_for(sim)
    projector = make_projector(sim, lan=lan)
    with pytest.raises(PortClosedError):
        await projector.press("volume_up")
    assert lan.datagrams_sent == 0


async def test_without_lan_nothing_changes(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android9")
    projector = make_projector(sim)
    await projector.connect()
    await sim.set_adb_enabled(False)
    await projector.poll()
    with pytest.raises(PortClosedError):
        await projector.press("volume_up")
    assert projector.lan is None
    assert sim.lan is not None
    assert sim.lan.datagrams == []


async def test_only_the_keys_adb_did_not_send_go_over_udp(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    """Three presses 2 s apart go over ADB in two steps; ADB drops between them (the
    coordinator's poll notices during the wait), so only the third press goes over UDP."""
    sim = await start_sim("gmui_android9")
    lan = lan_for(sim)
    projector = make_projector(sim, lan=lan)
    await projector.connect()
    volume = sim.device.volume
    task = asyncio.create_task(projector.send_keys(["volume_up"], repeats=3, delay_s=2.0))
    await wait_for(lambda: len(sim.device.key_log) == 2)
    await wait_for(lambda: sim.device.shell_running == 0)  # the first step's command returned
    await sim.set_adb_enabled(False)
    assert not (await projector.poll()).reachable
    await task
    await wait_for(lambda: len(sim.device.key_log) == 3)
    assert sim.device.volume == volume + 3
    assert lan.datagrams_sent == 1
    assert sim.lan is not None
    assert sim.lan.keys_applied == [115]
