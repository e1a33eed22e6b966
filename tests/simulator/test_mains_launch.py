"""The mains API as the projector's own remote and launcher: app starts, and the shell counter.

``scripts/benchha`` changes the device model through these endpoints (never through ADB) and
counts the ADB shell commands an integration costs with ``shell_commands``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
import pytest

from simulator import DeviceModel, DeviceState
from simulator.mains import MainsServer

Api = tuple[TestClient[Any, Any], DeviceModel]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    device = DeviceModel("gmui_android9", boot_s=5.0, network_drop_s=5.0)
    client: TestClient[Any, Any] = TestClient(TestServer(MainsServer(device).app, host="127.0.0.1"))
    await client.start_server()
    yield client, device
    await client.close()
    await device.aclose()


@pytest.mark.parametrize(
    ("profile", "package"),
    [
        ("gmui_android9", "com.ktcp.videoapp"),
        ("gmui_android12", "com.xiaodianshi.tv.yst"),
        ("androidtv11", "com.netflix.ninja"),
        ("googletv14", "com.google.android.youtube.tv"),
    ],
)
async def test_launch_brings_the_app_to_the_front(profile: str, package: str) -> None:
    device = DeviceModel(profile)
    client: TestClient[Any, Any] = TestClient(TestServer(MainsServer(device).app, host="127.0.0.1"))
    await client.start_server()
    try:
        launcher = device.foreground_package
        resp = await client.post("/api/device", json={"action": "launch", "package": package})
        assert resp.status == 200
        state = await resp.json()
        assert state["foreground_package"] == package
        assert state["back_stack"][0].startswith(f"{launcher}/")
        assert package in state["running"]
        # BACK from the app returns to the launcher, as after a launcher tap.
        await client.post("/api/device", json={"action": "press", "key": "BACK"})
        assert device.foreground_package == launcher
    finally:
        await client.close()
        await device.aclose()


async def test_launch_is_ignored_unless_on(api: Api) -> None:
    client, device = api
    await client.post("/api/device", json={"action": "press", "key": "POWER"})
    assert device.state is DeviceState.STANDBY
    resp = await client.post(
        "/api/device", json={"action": "launch", "package": "com.ktcp.videoapp"}
    )
    assert resp.status == 200
    assert (await resp.json())["state"] == "standby"
    assert device.foreground_package != "com.ktcp.videoapp"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "launch"},
        {"action": "launch", "package": 3},
        {"action": "launch", "package": "com.example.missing"},
        {"action": "launch", "package": "android"},  # installed, but no main activity
        {"package": "com.ktcp.videoapp"},
        {"action": "press", "key": "HOME", "package": "com.ktcp.videoapp"},
    ],
)
async def test_launch_bad_input(api: Api, body: dict[str, Any]) -> None:
    client, device = api
    before = device.foreground
    resp = await client.post("/api/device", json=body)
    assert resp.status == 400
    assert isinstance((await resp.json())["error"], str)
    assert device.foreground == before
    assert device.key_log == []


async def test_state_counts_shell_commands(api: Api) -> None:
    client, device = api
    assert (await (await client.get("/api/state")).json())["shell_commands"] == 0
    await device.run_shell("getprop ro.product.model")
    await device.run_shell("dumpsys power | grep -m 1 mWakefulness; dumpsys audio | head -n 3")
    # Android commands the model runs for the API itself (a key, an app start) are not ADB.
    await client.post("/api/device", json={"action": "press", "key": "HOME"})
    state = await (await client.get("/api/state")).json()
    assert state["shell_commands"] == 2
    assert state["keys"] == 1


@pytest.mark.parametrize(
    ("profile", "package", "tag"),
    [
        ("gmui_android8", "com.ktcp.videoapp", "am_focused_activity"),
        ("gmui_android9", "com.ktcp.videoapp", "am_set_resumed_activity"),
        ("androidtv11", "com.netflix.ninja", "wm_set_resumed_activity"),
    ],
)
async def test_launch_writes_the_event_log(profile: str, package: str, tag: str) -> None:
    """An app opened from the launcher shows in ``logcat -b events`` as a real one does."""
    device = DeviceModel(profile)
    client: TestClient[Any, Any] = TestClient(TestServer(MainsServer(device).app, host="127.0.0.1"))
    await client.start_server()
    try:
        written = device.event_log.written
        await client.post("/api/device", json={"action": "launch", "package": package})
        assert device.event_log.written > written
        new = list(device.event_log.entries)[-(device.event_log.written - written) :]
        assert any(e.tag == tag and f"{package}/" in e.body for e in new), new
    finally:
        await client.close()
        await device.aclose()


async def test_wake_resumes_from_standby_keeping_uptime_and_apps() -> None:
    """The demo's BLE/IR stand-in: from 关机 standby the projector resumes (no boot)."""
    device = DeviceModel("gmui_android12", boot_s=0.2, network_drop_s=0.05)
    client: TestClient[Any, Any] = TestClient(TestServer(MainsServer(device).app, host="127.0.0.1"))
    await client.start_server()
    try:
        boot_time = device.boot_time
        device.standby()
        await asyncio.sleep(0.1)
        assert not device.reachable, "standby: the network is down"
        resp = await client.post("/api/device", json={"action": "wake"})
        assert resp.status == 200
        for _ in range(250):
            if device.state is DeviceState.ON:
                break
            await asyncio.sleep(0.02)
        assert device.reachable
        assert device.boot_time == boot_time, "a resume, not a boot"
        await client.post("/api/device", json={"action": "wake"})  # awake already: ignored
        assert device.state is DeviceState.ON
    finally:
        await client.close()
        await device.aclose()
