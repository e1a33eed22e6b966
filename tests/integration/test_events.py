"""Event-driven state in Home Assistant: a change made on the projector itself (its own remote, an
app it starts, its volume keys, its power key) reaches ``hass.states`` through the event stream
and the poll it triggers, long before the background poll; the background poll slows to 60 s
while the stream is healthy and falls back to the configured interval when it is not; a poll
that finds nothing new writes no state; a projector without the stream works as before."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from homeassistant.components.media_player.const import ATTR_APP_ID, ATTR_MEDIA_VOLUME_LEVEL
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.xgimi_projector.const import CONF_SCAN_INTERVAL
from custom_components.xgimi_projector.coordinator import STREAM_POLL_INTERVAL, XgimiCoordinator
from custom_components.xgimi_projector.projector import Backoff
from custom_components.xgimi_projector.projector.stream import StreamState
from simulator import Fault, Simulator

from ..projector.conftest import until

MP = "media_player.projector"
CONFIGURED = timedelta(seconds=10)
"""The default scan interval."""

Projector = Callable[..., Awaitable[tuple[Simulator, MockConfigEntry]]]


@pytest.fixture(autouse=True)
def fast_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short back-offs and retries, so the fault tests take a second, not minutes."""
    module = "custom_components.xgimi_projector.projector.stream"
    monkeypatch.setattr(f"{module}.STREAM_BACKOFF", Backoff(0.05, 2.0, 0.4))
    monkeypatch.setattr(f"{module}.UNSUPPORTED_RETRY_S", 600.0)
    monkeypatch.setattr(f"{module}.MISSED_GRACE_S", 0.05)


def coordinator_of(entry: MockConfigEntry) -> XgimiCoordinator:
    coordinator = entry.runtime_data
    assert isinstance(coordinator, XgimiCoordinator)
    return coordinator


async def streaming(hass: HomeAssistant, entry: MockConfigEntry) -> XgimiCoordinator:
    """Wait until the entry's stream is healthy (it starts after the first poll)."""
    coordinator = coordinator_of(entry)
    stream = coordinator.stream
    assert stream is not None
    await until(lambda: stream.health.healthy and coordinator.event_refresh.idle)
    await hass.async_block_till_done()
    return coordinator


async def attribute_reaches(hass: HomeAssistant, name: str, expected: Any) -> None:
    """Wait (real time, a few seconds at most) for the media player's attribute: with a 60 s
    background poll, only the event-triggered poll can bring it that soon."""
    await until(
        lambda: (state := hass.states.get(MP)) is not None
        and state.attributes.get(name) == expected
    )


def ours(sim: Simulator, coordinator: XgimiCoordinator) -> list[int]:
    stream = coordinator.stream
    assert stream is not None
    return [
        pid
        for pid, process in sim.device.event_log.processes.items()
        if stream.marker in process.cmdline
    ]


@pytest.mark.parametrize("profile", ["gmui_android8", "gmui_android12", "androidtv11"])
async def test_changes_on_the_projector_show_without_waiting_for_the_poll(
    hass: HomeAssistant, projector: Projector, profile: str
) -> None:
    sim, entry = await projector(profile)
    coordinator = await streaming(hass, entry)
    assert coordinator.update_interval == STREAM_POLL_INTERVAL
    assert len(ours(sim, coordinator)) == 1
    device = sim.device

    # The volume keys of the projector's own remote.
    device.step_volume(1)
    await attribute_reaches(
        hass, ATTR_MEDIA_VOLUME_LEVEL, pytest.approx(device.volume / device.volume_max)
    )
    # An app started on the projector.
    app = sorted(device.profile.apps)[0]
    device.execute(["monkey", "-p", app, "-c", "android.intent.category.LAUNCHER", "1"])
    await attribute_reaches(hass, ATTR_APP_ID, app)
    # Playback in an app logs no event: the configured interval stays while one is in front.
    assert coordinator.update_interval == coordinator.scan_interval
    # HOME on its remote.
    device.press("HOME")
    home = device.foreground_package
    assert home != app
    await attribute_reaches(hass, ATTR_APP_ID, home)
    assert coordinator.update_interval == STREAM_POLL_INTERVAL
    # Its power key: 关机 (standby).
    device.standby()
    await until(
        lambda: (state := hass.states.get(MP)) is not None
        and state.state in ("off", STATE_UNAVAILABLE)
    )
    assert coordinator.event_refresh.polls >= 4


async def test_a_burst_of_events_gives_one_poll(hass: HomeAssistant, projector: Projector) -> None:
    sim, entry = await projector("gmui_android12")
    coordinator = await streaming(hass, entry)
    stream = coordinator.stream
    assert stream is not None
    polls, events = coordinator.event_refresh.polls, stream.health.events
    app = sorted(sim.device.profile.apps)[0]
    sim.device.execute(["monkey", "-p", app, "-c", "android.intent.category.LAUNCHER", "1"])
    await attribute_reaches(hass, ATTR_APP_ID, app)
    await until(lambda: coordinator.event_refresh.idle)
    assert stream.health.events - events >= 2, "an app start logs several lines"
    assert coordinator.event_refresh.polls - polls == 1


async def test_no_state_is_written_when_nothing_changed(
    hass: HomeAssistant, projector: Projector
) -> None:
    _sim, entry = await projector("gmui_android12")
    coordinator = await streaming(hass, entry)
    before = hass.states.get(MP)
    assert before is not None
    await coordinator.async_refresh()  # as the background poll does
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    after = hass.states.get(MP)
    assert after is not None
    assert after.last_reported == before.last_reported, "no write, not even an unchanged one"
    assert after.last_updated == before.last_updated


@pytest.mark.parametrize(
    "fault", [Fault.EVENTS_REFUSED, Fault.EVENTS_STALL, Fault.EVENTS_CLOSE], ids=str
)
async def test_without_a_healthy_stream_it_polls_at_the_configured_interval(
    hass: HomeAssistant, projector: Projector, fault: Fault
) -> None:
    # A firmware that refuses the stream, one that logs none of the tags (a stream that
    # stays silent), one whose stream closes at once.
    sim, entry = await projector("gmui_android12", faults=[fault], options={CONF_SCAN_INTERVAL: 30})
    sim.faults.events_close_after = 0
    coordinator = coordinator_of(entry)
    stream = coordinator.stream
    assert stream is not None
    await until(lambda: stream.health.sessions >= 1)
    await hass.async_block_till_done()
    assert not stream.health.healthy
    assert coordinator.update_interval == timedelta(seconds=30)

    # And it works as it always has: the timed poll shows a change.
    sim.device.step_volume(1)
    level = sim.device.volume / sim.device.volume_max
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await attribute_reaches(hass, ATTR_MEDIA_VOLUME_LEVEL, pytest.approx(level))


async def test_the_configured_interval_returns_as_soon_as_the_stream_drops(
    hass: HomeAssistant, projector: Projector
) -> None:
    sim, entry = await projector("gmui_android12")
    coordinator = await streaming(hass, entry)
    stream = coordinator.stream
    assert stream is not None
    polls = coordinator.event_refresh.polls
    sim.faults.events_close_after = 0
    sim.faults.set(Fault.EVENTS_CLOSE)
    stream.connection.drop()  # the stream's connection dies; new streams close at once
    await until(lambda: coordinator.update_interval == CONFIGURED)
    assert stream.health.state is not StreamState.STREAMING or not stream.health.healthy
    # A change may have gone unannounced while it failed: it polled at once.
    await until(lambda: coordinator.event_refresh.polls > polls)

    sim.faults.clear(Fault.EVENTS_CLOSE)
    await until(lambda: stream.health.healthy)
    assert coordinator.update_interval == STREAM_POLL_INTERVAL
    assert len(ours(sim, coordinator)) == 1


async def test_a_deaf_stream_is_noticed_by_the_background_poll(
    hass: HomeAssistant, projector: Projector
) -> None:
    sim, entry = await projector("gmui_android12")
    coordinator = await streaming(hass, entry)
    stream = coordinator.stream
    assert stream is not None
    sim.faults.set(Fault.EVENTS_STALL)  # the stream stays open and stops printing
    app = sorted(sim.device.profile.apps)[0]
    sim.device.execute(["monkey", "-p", app, "-c", "android.intent.category.LAUNCHER", "1"])
    async_fire_time_changed(hass, dt_util.utcnow() + STREAM_POLL_INTERVAL + timedelta(seconds=1))
    await attribute_reaches(hass, ATTR_APP_ID, app)  # the background poll saw it...
    await until(lambda: stream.health.sessions >= 2)  # ...so the stream was reopened
    await until(lambda: coordinator.update_interval == CONFIGURED)
    assert not stream.health.healthy, "still silent: not trusted again"
    sim.faults.clear(Fault.EVENTS_STALL)
    sim.device.press("HOME")  # the next change is announced again: the stream is trusted
    await until(lambda: stream.health.healthy or stream.health.sessions >= 3)
    await until(lambda: coordinator.update_interval == STREAM_POLL_INTERVAL)  # at the launcher


async def test_the_stream_follows_the_entry_and_leaves_nothing_behind(
    hass: HomeAssistant, projector: Projector
) -> None:
    sim, entry = await projector("gmui_android12")
    coordinator = await streaming(hass, entry)
    assert len(ours(sim, coordinator)) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert ours(sim, coordinator) == []
    stream = coordinator.stream
    assert stream is not None
    assert stream.health.state is StreamState.STOPPED
    await until(lambda: sim.daemon.connection_count == 0)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = await streaming(hass, entry)
    assert len(ours(sim, coordinator)) == 1
    await hass.async_stop()
    assert ours(sim, coordinator) == [], "stopping Home Assistant kills it too"


async def test_the_stream_stops_while_the_projector_is_unreachable(
    hass: HomeAssistant, projector: Projector
) -> None:
    sim, entry = await projector("gmui_android12")
    coordinator = await streaming(hass, entry)
    stream = coordinator.stream
    assert stream is not None
    sim.device.mains_off()
    async_fire_time_changed(hass, dt_util.utcnow() + STREAM_POLL_INTERVAL + timedelta(seconds=1))
    await until(lambda: not stream.running)
    await hass.async_block_till_done()
    assert stream.health.state is StreamState.STOPPED
    assert coordinator.update_interval == CONFIGURED
    sim.device.mains_on()
    await until(lambda: sim.device.reachable)
    # The command connection backs off too: timed polls go on until one gets through. (No
    # asyncio.timeout around this: firing the time changed would fire its timer as well.)
    for _ in range(300):  # its back-off runs in real time: up to 1 + 2 + 4 + 8 s
        if stream.health.healthy:
            break
        async_fire_time_changed(hass, dt_util.utcnow() + CONFIGURED + timedelta(seconds=1))
        await asyncio.sleep(0.1)
    assert stream.health.healthy
    assert coordinator.update_interval == STREAM_POLL_INTERVAL


async def test_diagnostics_show_the_stream(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, projector: Projector
) -> None:
    sim, entry = await projector("gmui_android12")
    await streaming(hass, entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    stream = diagnostics["event_stream"]
    assert stream["state"] == "streaming"
    assert stream["healthy"] is True
    assert stream["poll_interval_s"] == STREAM_POLL_INTERVAL.total_seconds()
    assert stream["events"] >= 1
    assert dt_util.parse_datetime(stream["streaming_since"]) is not None

    sim.faults.events_close_after = 0
    sim.faults.set(Fault.EVENTS_CLOSE)
    coordinator_of(entry).stream.connection.drop()  # type: ignore[union-attr]
    await until(lambda: coordinator_of(entry).update_interval == CONFIGURED)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    stream = diagnostics["event_stream"]
    assert stream["healthy"] is False
    assert stream["poll_interval_s"] == CONFIGURED.total_seconds()
    assert stream["last_error"]
