"""The smart-plug / demo HTTP API, through aiohttp's test client and over real loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
import pytest
import yaml

from simulator import DeviceModel, DeviceState, Fault, FaultState, PromptMode
from simulator.mains import PLUG_YAML, MainsServer


class Prompt:
    def __init__(self) -> None:
        self.mode = PromptMode.ACCEPT

    def set(self, mode: PromptMode) -> None:
        self.mode = mode

    def get(self) -> PromptMode:
        return self.mode


@pytest.fixture
async def api() -> AsyncIterator[tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt]]:
    device = DeviceModel("gmui_android9", boot_s=5.0, network_drop_s=5.0)
    faults = FaultState()
    prompt = Prompt()
    server = MainsServer(device, faults=faults, set_prompt=prompt.set, get_prompt=prompt.get)
    client: TestClient[Any, Any] = TestClient(TestServer(server.app, host="127.0.0.1"))
    await client.start_server()
    yield client, device, faults, prompt
    await client.close()
    await device.aclose()


async def test_mains_get_and_switch(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt],
) -> None:
    client, device, _, _ = api
    resp = await client.get("/api/mains")
    assert resp.status == 200
    assert await resp.json() == {"on": True, "power_w": 90.0, "state": "on", "auto_power_on": True}

    resp = await client.post("/api/mains", json={"on": False})
    assert (await resp.json())["on"] is False
    assert device.state is DeviceState.MAINS_OFF
    assert device.power_w == 0

    resp = await client.post("/api/mains/on")
    body = await resp.json()
    assert body == {"on": True, "power_w": 35.0, "state": "booting", "auto_power_on": True}
    await device.fast_forward()
    assert (await (await client.get("/api/mains")).json())["state"] == "on"

    await client.post("/api/mains/off")
    assert device.state is DeviceState.MAINS_OFF
    await client.post(
        "/api/mains", data='{"on": true}', headers={"Content-Type": "application/json"}
    )
    assert device.state is DeviceState.BOOTING


async def test_re_arm_problem_via_the_plug(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt],
) -> None:
    client, device, _, _ = api
    await client.post("/api/device", json={"action": "standby"})
    assert device.state is DeviceState.STANDBY
    await client.post("/api/mains/on")  # plug already on: nothing happens
    assert device.state is DeviceState.STANDBY
    await client.post("/api/mains/off")
    await client.post("/api/mains/on")
    assert device.state is DeviceState.BOOTING
    resp = await client.post("/api/device", json={"auto_power_on": False, "action": "mains_off"})
    assert (await resp.json())["auto_power_on"] is False
    await client.post("/api/mains/on")
    assert device.state is DeviceState.STANDBY
    assert not device.reachable


@pytest.mark.parametrize(
    "body",
    [
        {"on": "yes"},
        {"on": 1},
        {},
        [True],
    ],
)
async def test_mains_bad_input(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt], body: Any
) -> None:
    client, device, _, _ = api
    resp = await client.post("/api/mains", json=body)
    assert resp.status == 400
    assert "error" in await resp.json()
    assert device.state is DeviceState.ON
    resp = await client.post(
        "/api/mains", data="{nope", headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400


async def test_device_actions(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt],
) -> None:
    client, device, _, _ = api
    resp = await client.post("/api/device", json={"action": "screen_off"})
    state = await resp.json()
    assert state["state"] == "screen_off"
    assert state["power_w"] == device.profile.power_w["screen_off"]
    await client.post("/api/device", json={"action": "press", "key": 2100})
    assert device.state is DeviceState.ON
    await client.post("/api/device", json={"action": "press", "key": "KEYCODE_VOLUME_UP"})
    assert device.key_log[-1].code == 24
    await client.post("/api/device", json={"action": "press", "key": 2102})
    state = await (await client.get("/api/state")).json()
    assert state["source_menu"]["open"] is True
    assert state["source_menu"]["highlight"] == "HDMI1"
    await client.post(
        "/api/device", json={"volume": 3, "media": {"package": "com.ktcp.videoapp", "state": 2}}
    )
    assert device.volume == 3
    assert device.sessions["com.ktcp.videoapp"].state == 2
    await client.post("/api/device", json={"action": "reboot"})
    assert device.state is DeviceState.BOOTING
    resp = await client.post("/api/device", json={"action": "fast_forward"})
    assert (await resp.json())["state"] == "on"


async def test_prompt_and_faults(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt],
) -> None:
    client, _, faults, prompt = api
    resp = await client.post("/api/device", json={"prompt": "never"})
    assert (await resp.json())["prompt_mode"] == "never"
    assert prompt.mode is PromptMode.NEVER
    resp = await client.post("/api/device", json={"faults": ["silent", "stls"], "latency_s": 0.2})
    state = await resp.json()
    assert state["faults"] == ["silent", "stls"]
    assert state["latency_s"] == 0.2
    assert faults.active == {Fault.SILENT, Fault.STLS}
    assert faults.latency_s == 0.2
    await client.post("/api/device", json={"faults": []})
    assert faults.active == set()


@pytest.mark.parametrize(
    "body",
    [
        {"action": "explode"},
        {"action": "press"},
        {"action": "press", "key": "NOT_A_KEY"},
        {"key": 3},
        {"prompt": "maybe"},
        {"faults": ["nope"]},
        {"faults": "silent"},
        {"latency_s": -1},
        {"latency_s": True},
        {"auto_power_on": "no"},
        {"volume": 99},
        {"media": {"state": 3}},
        {"colour": "red"},
        {},
        {"action": "standby", "faults": ["nope"]},  # nothing applies when any field is bad
    ],
)
async def test_device_bad_input(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt], body: dict[str, Any]
) -> None:
    client, device, faults, _ = api
    resp = await client.post("/api/device", json=body)
    assert resp.status == 400
    assert isinstance((await resp.json())["error"], str)
    assert device.state is DeviceState.ON
    assert faults.active == set()


async def test_state_snapshot(
    api: tuple[TestClient[Any, Any], DeviceModel, FaultState, Prompt],
) -> None:
    client, device, _, _ = api
    device.show_prompt("ab:cd")
    state = await (await client.get("/api/state")).json()
    assert state["profile"] == "gmui_android9"
    assert state["prompt"] == {"visible": True, "fingerprint": "ab:cd", "shown": 1}
    assert state["source"] == "launcher"
    assert state["foreground"] == "com.xgimi.home/.ui.MainActivity"
    assert state["volume"] == device.volume
    assert state["reachable"] is True
    assert state["faults"] == []


async def test_real_http_on_loopback() -> None:
    device = DeviceModel("gmui_android12")
    server = MainsServer(device, port=0)
    await server.start()
    try:
        assert server.port > 0
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{server.port}/api/mains"
            async with session.post(url, json={"on": False}) as resp:
                assert resp.status == 200
            async with session.get(url) as resp:
                assert (await resp.json())["on"] is False
            async with session.post(
                f"http://127.0.0.1:{server.port}/api/device", json={"prompt": "accept"}
            ) as resp:
                assert resp.status == 400, "no daemon to set the prompt on"
    finally:
        await server.stop()
        await device.aclose()


def test_plug_yaml_points_the_rest_entities_at_the_api() -> None:
    config = yaml.safe_load(PLUG_YAML.format(mains_port=8099))
    (switch,) = config["switch"]
    (sensor,) = config["sensor"]
    assert switch["platform"] == sensor["platform"] == "rest"
    assert switch["resource"] == sensor["resource"] == "http://127.0.0.1:8099/api/mains"
    assert switch["body_on"] == '{"on": true}'
    assert switch["is_on_template"] == "{{ value_json.on }}"
    assert sensor["value_template"] == "{{ value_json.power_w }}"
