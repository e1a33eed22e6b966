"""Diagnostics: redacted, with captures the simulator can load as a new profile."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import Simulator, load_profile

from ..conftest import StartSim
from .conftest import add_projector, power_options, setup_demo_plug


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
