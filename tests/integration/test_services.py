"""The admin-only ``xgimi_projector.adb_command`` action."""

from __future__ import annotations

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
import pytest
from pytest_homeassistant_custom_component.common import MockUser

from custom_components.xgimi_projector.const import DOMAIN
from simulator import Fault

from ..conftest import StartSim
from .conftest import add_projector


async def _run(hass: HomeAssistant, entry_id: str, command: str, context: Context | None = None):  # type: ignore[no-untyped-def]
    return await hass.services.async_call(
        DOMAIN,
        "adb_command",
        {"config_entry_id": entry_id, "command": command},
        blocking=True,
        return_response=True,
        context=context,
    )


async def test_adb_command_returns_output(
    hass: HomeAssistant, start_sim: StartSim, hass_admin_user: MockUser
) -> None:
    sim = await start_sim("gmui_android8")
    entry = await add_projector(hass, sim)
    response = await _run(
        hass, entry.entry_id, "getprop ro.product.model", Context(user_id=hass_admin_user.id)
    )
    assert response == {"output": sim.device.profile.props["ro.product.model"] + "\n"}


async def test_adb_command_is_admin_only(
    hass: HomeAssistant, start_sim: StartSim, hass_read_only_user: MockUser
) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    before = list(sim.device.command_log)
    with pytest.raises(Unauthorized):
        await _run(hass, entry.entry_id, "reboot", Context(user_id=hass_read_only_user.id))
    with pytest.raises(Unauthorized):
        await _run(hass, entry.entry_id, "reboot", Context(user_id="no-such-user"))
    assert sim.device.command_log == before


async def test_adb_command_bad_targets(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    with pytest.raises(ServiceValidationError) as err:
        await _run(hass, "nope", "id")
    assert err.value.translation_key == "entry_not_found"
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _run(hass, entry.entry_id, "id")
    assert err.value.translation_key == "entry_not_loaded"


async def test_adb_command_failure(hass: HomeAssistant, start_sim: StartSim) -> None:
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    sim.faults.set(Fault.CLOSE_MID_COMMAND)
    with pytest.raises(HomeAssistantError) as err:
        await _run(hass, entry.entry_id, "id")
    assert err.value.translation_key == "command_failed"


async def test_adb_command_may_be_silent_longer_than_a_read(
    hass: HomeAssistant, start_sim: StartSim, hass_admin_user: MockUser
) -> None:
    """Quiet for more than the transport's per-read timeout (3 s; 1 s in these tests) is fine:
    the advertised 30 s hold, printing or not."""
    sim = await start_sim("gmui_android12")
    entry = await add_projector(hass, sim)
    result = await _run(
        hass, entry.entry_id, "sleep 4; echo done", Context(user_id=hass_admin_user.id)
    )
    assert result["output"].strip() == "done"
