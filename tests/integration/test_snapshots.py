"""Snapshot of every entity platform: registry entries and states, against the simulator.

One test per platform, the way Home Assistant core does it: only that platform is set up, every
entity is enabled, and ``snapshot_platform`` compares each registry entry and state with
``snapshots/test_snapshots.ambr``. Regenerate after an intended change with
``pytest tests/integration/test_snapshots.py --snapshot-update`` and review the diff.

Nothing in them varies between runs: the simulator's profile is data (serial, volume, launcher)
and nothing changes the simulated projector during the test, so a timed poll would read the same
values; registry ids, config-entry ids and timestamps are masked by Home Assistant's snapshot
extension; no button has been pressed, so no state holds a time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from unittest.mock import PropertyMock, patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from simulator import Simulator

PROFILE = "gmui_android12"
"""Direct HDMI switching, so the input-source ``select`` exists."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy's fixture with Home Assistant's serializer, stored under ``snapshots/``.

    The plugin defines the same fixture, but syrupy registers after it and would win.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Enable entities that are disabled by default, so the snapshot covers them too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BUTTON,
        Platform.MEDIA_PLAYER,
        Platform.REMOTE,
        Platform.SELECT,
        Platform.SENSOR,
        Platform.SWITCH,
    ],
)
async def test_platform_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    projector: Callable[..., Awaitable[tuple[Simulator, MockConfigEntry]]],
    platform: Platform,
) -> None:
    with patch("custom_components.xgimi_projector.PLATFORMS", [platform]):
        _sim, entry = await projector(PROFILE)
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
