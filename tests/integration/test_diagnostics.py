"""Diagnostics: redacted, with captures the simulator can load as a new profile."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
import json
import os
from pathlib import Path
import re
import sys

from adb_shell.adb_device_async import AdbDeviceTcpAsync
from adb_shell.auth.sign_cryptography import CryptographySigner
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.xgimi_projector.const import DOMAIN
from simulator import Simulator, load_profile

from ..conftest import StartSim
from .conftest import add_projector, power_options, setup_demo_plug

ROOT = Path(__file__).resolve().parents[2]


async def test_diagnostics_are_redacted_and_become_a_profile(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    start_sim: StartSim,
    tmp_path: Path,
) -> None:
    sim = await start_sim("androidtv10")
    entry = await add_projector(hass, sim)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics, ensure_ascii=False)
    serial = sim.device.profile.props["ro.serialno"]
    assert serial not in text
    assert "127.0.0.1" not in text
    assert diagnostics["device"]["family"] == "androidtv"
    assert diagnostics["state"]["power"] == "on"
    assert diagnostics["connection"]["connected"] is True
    capture = diagnostics["simulator_profile"]
    assert capture["format"] == "xgimi-capture/1"
    assert set(capture["captures"]) >= {"getprop", "pm list packages", "dumpsys power"}

    # A user's diagnostics file becomes a simulator profile that behaves like their projector.
    path = tmp_path / "my_projector.json"
    path.write_text(json.dumps(diagnostics, ensure_ascii=False), encoding="utf-8")
    profile = load_profile(path)
    assert profile.props["ro.product.model"] == sim.device.profile.props["ro.product.model"]
    async with Simulator(profile) as twin:
        other = await add_projector(hass, twin, name="Twin")
        assert other.data["device_info"]["family"] == "androidtv"


async def test_diagnostics_when_unreachable(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    sim.device.mains_off()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert "error" in diagnostics["simulator_profile"]


async def test_diagnostics_show_the_power_path(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    start_sim: StartSim,
    fast_power: None,
) -> None:
    sim = await start_sim("gmui_android12", mains_port=0)
    await setup_demo_plug(hass, sim)
    entry = await add_projector(hass, sim, options=power_options())
    power = (await get_diagnostics_for_config_entry(hass, hass_client, entry))["power"]
    assert power["phase"] == "on"
    assert power["plug"] == {
        "available": True,
        "is_on": True,
        "watts": 85.0,
        "draw_level": "active",
    }
    assert power["thresholds_w"] == {"standby_max": 5.25, "on_min": 47.5}
    assert power["last_error"] is None


# --- the file Home Assistant serves, as a user downloads it ----------------------------------


async def _download(hass_client: ClientSessionGenerator, url: str, folder: Path) -> Path:
    """GET a diagnostics download and save it byte for byte under the name HA gives it."""
    client = await hass_client()
    response = await client.get(url)
    assert response.status == HTTPStatus.OK
    disposition = response.headers["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([^"/]+\.json)"', disposition)
    assert match, disposition
    path = folder / match.group(1)
    path.write_bytes(await response.read())
    return path


def _shape(text: str) -> str:
    """Output with its numbers (times, counters) blanked: what must match between twins."""
    return re.sub(r"\d+", "#", text)


async def _run_simulator(path: Path, key: Path) -> tuple[str, str, str]:
    """``python -m simulator --profile FILE``: its ready line, model and ``dumpsys power``."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--profile",
        str(path),
        "--port",
        "0",
        "--prompt-delay",
        "0.05",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        ready = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        port = re.search(r"adb=127\.0\.0\.1:(\d+)", ready)
        assert port, ready
        adb = AdbDeviceTcpAsync("127.0.0.1", int(port.group(1)), default_transport_timeout_s=5)
        assert await adb.connect(rsa_keys=[CryptographySigner(str(key))], auth_timeout_s=5)
        model = await adb.shell("getprop ro.product.model")
        power = await adb.shell("dumpsys power")
        await adb.close()
    finally:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 15)
    assert isinstance(model, str)
    assert isinstance(power, str)
    return ready, model, power


async def test_downloaded_diagnostics_become_a_profile(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    start_sim: StartSim,
    tmp_path: Path,
    adb_key: Path,
) -> None:
    """Config-entry and device diagnostics, saved as HA serves them, run as a simulator."""
    sim = await start_sim("androidtv10")
    entry = await add_projector(hass, sim)
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, entry.unique_id)})
    assert device is not None
    base = f"/api/diagnostics/config_entry/{entry.entry_id}"
    entry_file = await _download(hass_client, base, tmp_path)
    device_file = await _download(hass_client, f"{base}/device/{device.id}", tmp_path)
    assert entry_file.name == f"config_entry-{DOMAIN}-{entry.entry_id}.json"
    assert device_file.name.endswith(f"-{device.id}.json")

    original = sim.device.profile
    real_power = (await sim.device.run_shell("dumpsys power")).stdout.decode()
    for path in (entry_file, device_file):
        served = json.loads(path.read_text(encoding="utf-8"))
        assert {"home_assistant", "integration_manifest", "data"} <= served.keys()
        assert served["integration_manifest"]["domain"] == DOMAIN
        assert served["data"]["simulator_profile"]["format"] == "xgimi-capture/1"
        assert original.serial not in path.read_text(encoding="utf-8")
        profile = load_profile(path)
        assert profile.model == original.model
        assert profile.family == original.family
        assert profile.release == original.release
        assert profile.serial.startswith("CAP")

    # In process: the config-entry file, added to Home Assistant like the real projector.
    async with Simulator(load_profile(entry_file), prompt_delay_s=0.05) as twin:
        twin_power = (await twin.device.run_shell("dumpsys power")).stdout.decode()
        assert _shape(twin_power) == _shape(real_power)
        other = await add_projector(hass, twin, name="Twin")
        assert other.data["device_info"]["family"] == "androidtv"
        assert other.data["device_info"]["model"] == original.model

    # As a user runs it: python -m simulator --profile <the device file>.
    ready, model, power = await _run_simulator(device_file, adb_key)
    assert f"model={original.model!r}" in ready
    assert f"android={original.release}" in ready
    assert model == original.model + "\n"
    assert _shape(power) == _shape(real_power)
    assert "mWakefulness=Awake" in power


async def test_diagnostics_reveal_no_addresses_names_or_unneeded_props_and_reuse_captures(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, start_sim: StartSim
) -> None:
    sim = await start_sim("gmui_android12")
    for key, value in {
        "persist.sys.device_name": "王小明的投影仪",
        "dhcp.wlan0.ipaddress": "192.168.31.57",
        "wifi.interface.mac": "a4:5e:60:c2:11:9b",
        "persist.bluetooth.address": "80:0B:51:12:34:56",
        "net.hostname": "wangxiaoming-z6x",
    }.items():
        sim.device.set_prop(key, value)
    entry = await add_projector(hass, sim)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics, ensure_ascii=False)
    for secret in ("王小明", "192.168.31.57", "a4:5e:60", "80:0B:51", "wangxiaoming", "dhcp."):
        assert secret not in text, secret
    getprop = diagnostics["simulator_profile"]["captures"]["getprop"]
    assert "[ro.build.version.sdk]" in getprop, "what a profile needs stays"
    assert "[xgimi.bt.name]" in getprop
    captures_run = sum("dumpsys activity activities" in line for line in sim.device.shell_log)
    again = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert again["simulator_profile"] == diagnostics["simulator_profile"]
    assert (
        sum("dumpsys activity activities" in line for line in sim.device.shell_log) == captures_run
    ), "a second download within minutes runs nothing on the projector"
