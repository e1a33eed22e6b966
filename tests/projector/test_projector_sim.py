"""The library against the simulated projector over loopback: auth, faults, queueing, commands."""

from __future__ import annotations

import asyncio
from pathlib import Path
import stat

import pytest

from custom_components.xgimi_projector.projector import (
    AuthorizationPendingError,
    AuthorizationRejectedError,
    Backoff,
    CommandFailedError,
    Family,
    NotSupportedError,
    Playback,
    PowerState,
    ProjectorUnreachableError,
    SessionClosedError,
    SourceKind,
    UnknownKeyError,
    UnknownSourceError,
    WirelessDebuggingPortError,
    ensure_key,
)
from simulator import Fault, PromptMode
from simulator.loopwatch import measure_stall

from ..conftest import StartSim
from .conftest import MakeProjector

PROFILE_FAMILY = {
    "gmui_android8": Family.GMUI_ANDROID8,
    "gmui_android9": Family.GMUI_ANDROID9,
    "gmui_android12": Family.GMUI_ANDROID12,
    "androidtv10": Family.ANDROID_TV,
    "googletv": Family.GOOGLE_TV,
}
DIRECT_HDMI = ["gmui_android8", "gmui_android12", "androidtv10", "googletv"]


@pytest.mark.parametrize("profile", sorted(PROFILE_FAMILY))
async def test_probe_and_poll_every_profile(
    profile: str, start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim(profile)
    projector = make_projector(sim)
    info = await projector.connect()
    props = sim.device.profile.props
    assert info.family is PROFILE_FAMILY[profile]
    assert info.serial == props["ro.serialno"]
    assert info.adb_secure is (props.get("ro.adb.secure", "1") != "0")
    assert info.sdk == int(props["ro.build.version.sdk"])
    state = await projector.poll()
    assert state.reachable
    assert state.power is PowerState.ON
    assert state.source_kind is SourceKind.LAUNCHER
    assert state.volume == sim.device.volume
    assert state.volume_max == sim.device.profile.volume_max
    assert state.muted is False


# --- authorization -----------------------------------------------------------------------


async def test_prompt_accept_then_trusted(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.ACCEPT)
    prompts: list[bool] = []
    projector = make_projector(sim)
    await projector.connect(auth_timeout_s=5, on_prompt=lambda: prompts.append(True))
    assert prompts == [True]
    await projector.close()
    await projector.connect(auth_timeout_s=5, on_prompt=lambda: prompts.append(True))
    assert prompts == [True], "a trusted key must not prompt again"


async def test_prompt_rejected(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.REJECT)
    with pytest.raises(AuthorizationRejectedError):
        await make_projector(sim).connect(auth_timeout_s=5)


async def test_prompt_never_answered(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android9", prompt=PromptMode.NEVER)
    projector = make_projector(sim)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(AuthorizationPendingError):
        await projector.connect(auth_timeout_s=0.5)
    assert 0.4 < loop.time() - started < 3
    assert not projector.connection.prompt_shown


async def test_no_prompt_profile_never_prompts(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12", prompt=PromptMode.NEVER)
    prompts: list[bool] = []
    info = await make_projector(sim).connect(on_prompt=lambda: prompts.append(True))
    assert prompts == []
    assert info.adb_secure is False


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.PROMPT_REJECT, AuthorizationRejectedError),
        (Fault.PROMPT_NEVER, AuthorizationPendingError),
    ],
)
async def test_prompt_faults_switch_at_runtime(
    fault: Fault, error: type[Exception], start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android8")
    sim.faults.set(fault)
    with pytest.raises(error):
        await make_projector(sim).connect(auth_timeout_s=0.5)


# --- fault modes ----------------------------------------------------------------------


async def test_stls_port(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim(faults=[Fault.STLS])
    with pytest.raises(WirelessDebuggingPortError):
        await make_projector(sim).connect()


async def test_close_after_cnxn_fails_fast_without_blocking_the_loop(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim(faults=[Fault.CLOSE_AFTER_CNXN])
    projector = make_projector(sim)
    stall_ms, result = await measure_stall(projector.connect())
    assert isinstance(result, SessionClosedError)
    assert stall_ms < 20, f"event loop stalled {stall_ms:.1f} ms"


async def test_close_mid_command(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim()
    projector = make_projector(sim)
    await projector.connect()
    sim.faults.set(Fault.CLOSE_MID_COMMAND)
    stall_ms, result = await measure_stall(projector.press("HOME"))
    assert isinstance(result, CommandFailedError)
    assert stall_ms < 20, f"event loop stalled {stall_ms:.1f} ms"
    assert not projector.connection.connected
    # a poll sees an unreachable projector, not an exception
    assert not (await projector.poll()).reachable
    sim.faults.clear()
    assert (await projector.poll()).reachable


async def test_silent_peer_times_out(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim(faults=[Fault.SILENT])
    projector = make_projector(sim)
    stall_ms, result = await measure_stall(projector.connect())
    assert isinstance(result, ProjectorUnreachableError)
    assert stall_ms < 20


async def test_latency_is_waited_for(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim(latency_s=0.3)
    projector = make_projector(sim)
    await projector.connect()
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await projector.poll()).reachable
    assert loop.time() - started >= 0.3


async def test_adb_shell_own_transport_blocks_the_loop_on_eof(start_sim: StartSim) -> None:
    """The bug our transport exists for (docs/adb.md §0.1), shown against the simulator."""
    from adb_shell.adb_device_async import AdbDeviceTcpAsync
    from adb_shell.exceptions import AdbTimeoutError

    sim = await start_sim("gmui_android12", faults=[Fault.CLOSE_AFTER_CNXN])
    device = AdbDeviceTcpAsync("127.0.0.1", sim.port, default_transport_timeout_s=1.0)
    stall_ms, result = await measure_stall(
        device.connect(transport_timeout_s=1.0, read_timeout_s=0.3, auth_timeout_s=0.3)
    )
    await device.close()
    assert isinstance(result, AdbTimeoutError)
    assert stall_ms > 200, "adb-shell's own transport is expected to spin without yielding"


# --- reachability, reconnect, back-off -----------------------------------------------------


async def test_mains_off_is_unreachable_and_recovers(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    sim.device.mains_off()
    state = await projector.poll()
    assert not state.reachable
    assert state.power is PowerState.STANDBY
    with pytest.raises(ProjectorUnreachableError):
        await projector.connect()
    sim.device.mains_on()
    await sim.device.fast_forward()
    assert (await projector.poll()).power is PowerState.ON


async def test_reboot_reconnects(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    sim.device.reboot()
    assert not (await projector.poll()).reachable
    await sim.device.fast_forward()
    assert (await projector.poll()).reachable


async def test_stale_session_is_retried_once_by_poll(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    sim.daemon.kick_all()
    await asyncio.sleep(0.05)
    assert (await projector.poll()).reachable


async def test_backoff_fails_fast_without_network(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim, backoff=Backoff(initial_s=30.0, factor=2.0, max_s=60.0))
    sim.device.mains_off()
    with pytest.raises(ProjectorUnreachableError):
        await projector.shell("true")
    assert projector.connection.failures == 1
    assert projector.connection.retry_in > 25
    sim.device.mains_on()
    await sim.device.fast_forward()
    with pytest.raises(ProjectorUnreachableError, match="next attempt"):
        await projector.shell("true")
    assert projector.connection.failures == 1, "no connect attempt during back-off"
    await projector.connect()  # explicit connect ignores the back-off
    assert projector.connection.failures == 0
    assert projector.connection.retry_in == 0


def test_backoff_is_capped_exponential() -> None:
    backoff = Backoff(initial_s=1.0, factor=2.0, max_s=30.0)
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


# --- queueing -----------------------------------------------------------------------------


async def test_commands_queue_behind_polls_in_order(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    names = ["UP", "DOWN", "LEFT", "RIGHT"]
    wanted = [names[i % 4] for i in range(100)]
    stop = asyncio.Event()

    async def poller() -> int:
        count = 0
        while not stop.is_set():
            assert (await projector.poll()).reachable
            count += 1
        return count

    poll_task = asyncio.create_task(poller())
    await asyncio.sleep(0.02)
    before = len(sim.device.key_log)
    await asyncio.gather(*(projector.press(name) for name in wanted))
    stop.set()
    polls = await poll_task
    codes = {"UP": 19, "DOWN": 20, "LEFT": 21, "RIGHT": 22}
    assert [entry.code for entry in sim.device.key_log[before:]] == [codes[n] for n in wanted]
    assert polls >= 1


# --- commands ------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", DIRECT_HDMI)
@pytest.mark.parametrize("hdmi", ["HDMI1", "HDMI2"])
async def test_select_hdmi(
    profile: str, hdmi: str, start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim(profile)
    projector = make_projector(sim)
    await projector.connect()
    await projector.select_source(hdmi.lower())
    assert sim.device.source == hdmi
    state = await projector.poll()
    assert state.source_kind is SourceKind.HDMI
    assert state.source == hdmi
    await projector.select_source("home")
    assert (await projector.poll()).source == "home"


async def test_gmui9_has_only_the_source_menu(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("gmui_android9")
    projector = make_projector(sim)
    await projector.connect()
    before = list(sim.device.command_log)
    with pytest.raises(NotSupportedError):
        await projector.select_source("HDMI1")
    assert sim.device.command_log == before, "nothing may be sent"
    await projector.select_source("source menu")
    assert (await projector.poll()).source_kind is SourceKind.SOURCE_MENU
    await projector.send_keys(["down", "ok"])
    assert sim.device.source in {"HDMI1", "HDMI2"}


async def test_bad_input_sends_nothing(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    before = list(sim.device.command_log)
    with pytest.raises(UnknownKeyError):
        await projector.send_keys(["home", "nope; reboot"])
    with pytest.raises(UnknownSourceError):
        await projector.select_source("$(reboot)")
    with pytest.raises(UnknownSourceError):
        await projector.select_source("com.not.installed")
    with pytest.raises(ValueError, match="volume"):
        await projector.set_volume(99)
    assert sim.device.command_log == before


async def test_launch_app(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    info = await projector.connect()
    app = next(p for p in sorted(info.packages) if p in sim.device.profile.apps)
    await projector.select_source(app)
    state = await projector.poll()
    assert state.foreground_package == app
    assert state.source_kind is SourceKind.APP


async def test_volume_and_mute(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android9")
    projector = make_projector(sim)
    await projector.connect()
    await projector.poll()
    await projector.set_volume(4)
    assert sim.device.volume == 4
    await projector.volume_up(3)
    assert sim.device.volume == 7
    await projector.volume_down()
    assert (await projector.poll()).volume == 6
    await projector.set_volume_level(1.0)
    assert sim.device.volume == sim.device.profile.volume_max
    for _ in range(2):  # idempotent
        await projector.mute(True)
        assert sim.device.muted is True
    assert (await projector.poll()).muted is True
    for _ in range(2):
        await projector.mute(False)
        assert sim.device.muted is False


@pytest.mark.parametrize("profile", ["gmui_android12", "androidtv10"])
async def test_volume_set_uses_the_right_tool(
    profile: str, start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim(profile)
    projector = make_projector(sim)
    await projector.connect()
    await projector.poll()
    await projector.set_volume(3)
    assert sim.device.volume == 3


async def test_media_keys(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("androidtv10")
    projector = make_projector(sim)
    info = await projector.connect()
    app = next(p for p in sorted(info.packages) if p in sim.device.profile.apps)
    await projector.launch_app(app)
    sim.device.start_media(app, 3)
    assert (await projector.poll()).playback is Playback.PLAYING
    await projector.pause()
    assert (await projector.poll()).playback is Playback.PAUSED
    await projector.play_pause()
    assert (await projector.poll()).playback is Playback.PLAYING
    await projector.stop()
    assert (await projector.poll()).playback is Playback.STOPPED


@pytest.mark.parametrize("profile", sorted(PROFILE_FAMILY))
async def test_turn_off_then_network_drops(
    profile: str, start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim(profile)
    projector = make_projector(sim)
    await projector.connect()
    await projector.turn_off()
    state = await projector.poll()
    assert state.reachable
    assert state.power is PowerState.STANDBY
    await projector.turn_off()  # no toggle back on: only pressed while awake
    await sim.device.fast_forward()
    assert not (await projector.poll()).reachable


async def test_wake_from_screen_off(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android12")
    projector = make_projector(sim)
    await projector.connect()
    sim.device.screen_off()
    assert sim.device.state.value == "screen_off"
    assert (await projector.poll()).reachable
    await projector.wake()
    assert sim.device.state.value == "on"
    await projector.wake()  # already on: nothing changes
    assert sim.device.state.value == "on"


async def test_xgimi_keys(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("androidtv10")
    projector = make_projector(sim)
    await projector.connect()
    await projector.send_keys(["autofocus", "gear"], repeats=2, delay_s=0.01)
    assert [e.code for e in sim.device.key_log[-4:]] == [2099, 2101, 2099, 2101]


async def test_capture_has_every_profile_command(
    start_sim: StartSim, make_projector: MakeProjector
) -> None:
    sim = await start_sim("googletv")
    projector = make_projector(sim)
    await projector.connect()
    captures = await projector.capture()
    assert "mWakefulness=Awake" in captures["dumpsys power"]
    assert "package:com.google.android.apps.tv.launcherx" in captures["pm list packages"]
    assert "STREAM_MUSIC" in captures["dumpsys audio"]


async def test_raw_shell(start_sim: StartSim, make_projector: MakeProjector) -> None:
    sim = await start_sim("gmui_android8")
    projector = make_projector(sim)
    await projector.connect()
    model = sim.device.profile.props["ro.product.model"]
    assert (await projector.shell("getprop ro.product.model")).strip() == model


# --- the key file ----------------------------------------------------------------------


def test_key_created_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "adbkey"
    assert ensure_key(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_bytes()
    pub = Path(f"{path}.pub").read_bytes()
    assert ensure_key(path) is False
    assert path.read_bytes() == content
    Path(f"{path}.pub").unlink()
    assert ensure_key(path) is False
    assert Path(f"{path}.pub").read_bytes() == pub, "the .pub is rebuilt from the same key"


def test_signer_matches_adb_shell(shared_key: Path) -> None:
    """Our signer signs exactly like adb-shell's CryptographySigner, without the slow key check."""
    from adb_shell.auth.sign_cryptography import CryptographySigner

    from custom_components.xgimi_projector.projector.adbkey import load_signer

    ours = load_signer(shared_key)
    theirs = CryptographySigner(str(shared_key))
    token = bytes(range(20))
    assert ours.Sign(token) == theirs.Sign(token)
    assert ours.GetPublicKey() == theirs.GetPublicKey()
