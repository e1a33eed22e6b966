"""The Home Assistant side of the plug: any switch entity, and a power sensor in any unit."""

from __future__ import annotations

from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.xgimi_projector import plug as plug_module
from custom_components.xgimi_projector.plug import HaPlug, read_watts
from custom_components.xgimi_projector.projector import PlugSwitchError, PlugUnavailableError


@pytest.mark.parametrize(
    ("state", "attributes", "watts"),
    [
        ("65.5", {"unit_of_measurement": "W"}, 65.5),
        ("0.085", {"unit_of_measurement": "kW"}, 85.0),
        ("12", {}, 12.0),
        ("unavailable", {"unit_of_measurement": "W"}, None),
        ("unknown", {}, None),
        ("12", {"unit_of_measurement": "furlongs"}, None),
    ],
)
async def test_read_watts(
    hass: HomeAssistant, state: str, attributes: dict[str, Any], watts: float | None
) -> None:
    hass.states.async_set("sensor.plug_power", state, attributes)
    assert read_watts(hass.states.get("sensor.plug_power")) == watts
    assert read_watts(None) is None


async def test_switch_states(hass: HomeAssistant) -> None:
    plug = HaPlug(hass, "switch.plug", None)
    assert not plug.available, "no such entity yet"
    assert plug.is_on is None
    for state, available, is_on in (
        ("on", True, True),
        ("off", True, False),
        (STATE_UNKNOWN, True, None),
        (STATE_UNAVAILABLE, False, None),
    ):
        hass.states.async_set("switch.plug", state)
        assert (plug.available, plug.is_on) == (available, is_on), state
    assert not plug.has_power_sensor
    assert plug.power_w() is None
    assert await plug.refresh_power() is None
    with pytest.raises(PlugUnavailableError):
        await plug.turn_on()


async def test_refresh_of_a_missing_sensor_is_harmless(hass: HomeAssistant) -> None:
    plug = HaPlug(hass, "switch.plug", "sensor.gone")
    assert plug.has_power_sensor
    assert await plug.refresh_power() is None


async def test_a_plug_that_does_not_follow(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template switch whose state never changes: the switch is reported, not assumed."""
    monkeypatch.setattr(plug_module, "PLUG_CONFIRM_TIMEOUT_S", 0.2)
    assert await async_setup_component(
        hass,
        "switch",
        {
            "switch": {
                "platform": "template",
                "switches": {
                    "stuck": {
                        "value_template": "{{ false }}",
                        "turn_on": [],
                        "turn_off": [],
                    }
                },
            }
        },
    )
    await hass.async_block_till_done()
    plug = HaPlug(hass, "switch.stuck", None)
    assert plug.is_on is False
    with pytest.raises(PlugSwitchError) as err:
        await plug.turn_on()
    assert err.value.wanted_on is True
    await plug.turn_off()  # already off: confirmed at once


async def test_listen_reports_both_entities(hass: HomeAssistant) -> None:
    plug = HaPlug(hass, "switch.plug", "sensor.plug_power")
    calls: list[None] = []
    unsub = plug.async_listen(lambda: calls.append(None))
    hass.states.async_set("switch.plug", "on")
    hass.states.async_set("sensor.plug_power", "3")
    await hass.async_block_till_done()
    assert len(calls) == 2
    unsub()
    hass.states.async_set("switch.plug", "off")
    await hass.async_block_till_done()
    assert len(calls) == 2
