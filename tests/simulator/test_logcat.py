"""The simulated event log: what each change writes per profile, logcat's options, pkill and ps."""

from __future__ import annotations

from pathlib import Path
import re
import signal

import pytest

from custom_components.xgimi_projector.projector.events import (
    EventKind,
    event_tags,
    kill_command,
    make_marker,
    parse_event_line,
)
from simulator import DeviceModel
from simulator.faults import Fault, FaultState
from simulator.logcat import (
    REFUSED_MESSAGE,
    Entry,
    EventLog,
    LogcatUsageError,
    format_line,
    parse_logcat_args,
)
from simulator.power import DeviceState

from .conftest import ALL, Make, sh

MARKER = make_marker(b"test key")


def sdk_of(device: DeviceModel) -> int:
    return int(device.profile.props["ro.build.version.sdk"])


def app_component(device: DeviceModel) -> str:
    """An exported launcher activity of an app other than the one in front."""
    for name in sorted(device.profile.apps):
        spec = device.profile.packages[name]
        main = spec.main_activity()
        if main is not None and main.exported and name != device.foreground_package:
            return main.component
    raise AssertionError("no launchable app in this profile")


def new_events(device: DeviceModel, since: int) -> list[tuple[EventKind, str]]:
    """Every entry written after ``since``, through the library's parser."""
    found = []
    for entry in list(device.event_log.entries)[since:]:
        event = parse_event_line(format_line(entry))
        assert event is not None, f"the simulator wrote a line the library cannot read: {entry}"
        found.append((event.kind, event.tag))
    return found


# --- what each change writes ------------------------------------------------------------------


@pytest.mark.parametrize("profile", ALL)
async def test_every_change_writes_lines_the_library_follows(make: Make, profile: str) -> None:
    device = make(profile)
    tags = set(event_tags(sdk_of(device)))
    boot = new_events(device, 0)
    assert EventKind.ACTIVITY in {k for k, _ in boot}
    assert all(t in tags for _, t in boot)

    mark = len(device.event_log.entries)
    device.execute(["am", "start", "-n", app_component(device)])
    launched = new_events(device, mark)
    assert launched, "an app start writes its resume"
    assert {k for k, _ in launched} == {EventKind.ACTIVITY}

    mark = len(device.event_log.entries)
    device.press("HOME")
    home = new_events(device, mark)
    assert {k for k, _ in home} == {EventKind.ACTIVITY}
    assert any("resume_activity" in t for _, t in home), "an existing activity resumed again"

    mark = len(device.event_log.entries)
    device.press("VOLUME_UP")
    device.press("VOLUME_DOWN")
    assert new_events(device, mark) == [(EventKind.VOLUME, "volume_changed")] * 2

    mark = len(device.event_log.entries)
    device.press("MUTE")  # a mute leaves the volume index alone: AudioService logs nothing
    device.press("HOME")  # already home: nothing changes
    assert new_events(device, mark) == []

    mark = len(device.event_log.entries)
    device.press("POWER")
    assert device.state == DeviceState.STANDBY
    assert new_events(device, mark) == [
        (EventKind.POWER, "power_sleep_requested"),
        (EventKind.SCREEN, "power_screen_state"),
        (EventKind.SCREEN, "screen_toggled"),
    ]
    for _, tag in launched + home:
        assert tag in tags


@pytest.mark.parametrize(
    ("profile", "tag"),
    [
        ("gmui_android8", "am_focused_activity"),
        ("gmui_android9", "am_set_resumed_activity"),
        ("androidtv10", "wm_set_resumed_activity"),
    ],
)
async def test_the_system_side_tag_follows_the_android_version(
    make: Make, profile: str, tag: str
) -> None:
    device = make(profile)
    mark = len(device.event_log.entries)
    device.execute(["am", "start", "-n", app_component(device)])
    assert new_events(device, mark)[0] == (EventKind.ACTIVITY, tag)


@pytest.mark.parametrize(
    ("profile", "app_tag", "fields"),
    [
        ("gmui_android9", "am_on_resume_called", 3),  # [user,class,reason]
        ("androidtv10", "am_on_resume_called", 3),
        ("androidtv11", "wm_on_resume_called", 3),  # [token,class,reason]
        ("googletv14", "wm_on_resume_called", 4),  # + time, as the Android 14 captures show
    ],
)
async def test_the_app_side_line_has_the_captured_shape(
    make: Make, profile: str, app_tag: str, fields: int
) -> None:
    device = make(profile)
    mark = len(device.event_log.entries)
    device.execute(["am", "start", "-n", app_component(device)])
    entry = list(device.event_log.entries)[mark:][-1]
    assert entry.tag == app_tag
    assert entry.body.count(",") + 1 == fields
    assert entry.pid == entry.tid != 612, "logged by the app's main thread"


async def test_shell_volume_changes_name_the_shell_and_hdmi_relaunch(make: Make) -> None:
    device = make("gmui_android9")
    await sh(device, "media volume --stream 3 --set 3")
    assert list(device.event_log.entries)[-1].body.endswith(",com.android.shell]")
    device.press("VOLUME_UP")
    assert list(device.event_log.entries)[-1].body.endswith(",android]")


async def test_screen_off_and_sleep_reasons(make: Make) -> None:
    device = make("androidtv11")
    mark = len(device.event_log.entries)
    device.screen_off()  # 关屏: Android still thinks the display is on
    assert device.state == DeviceState.SCREEN_OFF
    assert new_events(device, mark) == []
    device.standby("sleep_button")
    bodies = [e.body for e in list(device.event_log.entries)[mark:]]
    assert bodies == ["0", "[0,6,0,0,0]", "0"]


async def test_boot_writes_screen_on_and_the_launcher(make: Make) -> None:
    device = make("googletv")
    device.mains_off()
    assert not device.event_log.entries, "the buffer is RAM: gone with the power"
    device.mains_on()
    await device.advance(1.0)
    assert device.state == DeviceState.ON
    kinds = [k for k, _ in new_events(device, 0)]
    assert kinds[:2] == [EventKind.SCREEN, EventKind.SCREEN]
    assert EventKind.ACTIVITY in kinds


# --- logcat ------------------------------------------------------------------------------------


def test_threadtime_line_shape() -> None:
    line = format_line(Entry(0.25, 612, 1840, "screen_toggled", "1"))
    assert re.fullmatch(rb"\d\d-\d\d \d\d:\d\d:\d\d\.250   612  1840 I screen_toggled: 1\n", line)
    assert format_line(Entry(0.0, 1, 2, "am_anr", "x")).endswith(b" I am_anr  : x\n")


@pytest.mark.parametrize(
    ("argv", "dump", "tail", "wants", "silenced"),
    [
        (["-b", "events", "-d"], True, None, "anything", None),
        (["-b", "events", "-t", "5"], True, 5, "anything", None),
        (
            ["-b", "events", "-T", "1", "-s", "screen_toggled", "xgimi_0:S"],
            False,
            1,
            "screen_toggled",
            "xgimi_0",
        ),
        (["-b", "events", "screen_toggled:I", "*:S"], False, None, "screen_toggled", "other"),
        (["-bevents", "-v", "threadtime", "-s", "a:W"], False, None, None, "a"),
    ],
)
def test_logcat_options(
    argv: list[str], dump: bool, tail: int | None, wants: str | None, silenced: str | None
) -> None:
    args = parse_logcat_args(argv)
    assert (args.dump, args.tail) == (dump, tail)
    if wants is not None:
        assert args.wants(wants)
    if silenced is not None:
        assert not args.wants(silenced)


@pytest.mark.parametrize(
    "argv", [["-b"], ["-T", "x"], ["-t", "-1"], ["--bogus"], ["tag:Q"], ["-X"]]
)
def test_logcat_refuses_bad_options(argv: list[str]) -> None:
    with pytest.raises(LogcatUsageError):
        parse_logcat_args(argv)


def test_tail_counts_the_buffer_then_filters() -> None:
    log = EventLog()
    log.write("screen_toggled", "1", pid=612, tid=700)
    log.write("wm_task_moved", "[6,1,1]", pid=612, tid=700)
    filtered = parse_logcat_args(["-b", "events", "-t", "1", "-s", "screen_toggled"])
    assert log.lines(filtered) == [], "the newest entry is not ours: -t 1 prints nothing"
    assert (
        len(log.lines(parse_logcat_args(["-b", "events", "-t", "2", "-s", "screen_toggled"]))) == 1
    )
    assert log.lines(parse_logcat_args(["-b", "events", "-t", "0"])) == []


def test_buffer_is_bounded() -> None:
    log = EventLog(capacity=8)
    for n in range(100):
        log.write("screen_toggled", str(n % 2), pid=1, tid=1)
    assert len(log.entries) == 8
    assert log.written == 100


async def test_logcat_dump_clear_and_errors_in_the_shell(make: Make) -> None:
    device = make("gmui_android9")
    device.press("VOLUME_UP")
    out = await sh(device, "logcat -b events -d -s volume_changed")
    assert out.startswith("--------- beginning of events\n")
    assert "volume_changed: [3," in out
    assert await sh(device, "logcat -b main -d") == ""
    assert (await device.run_shell("logcat -c -b events")).exit_code == 0
    assert await sh(device, "logcat -b events -d") == ""
    bad = await device.run_shell("logcat -b events -T nope")
    assert bad.exit_code == 1
    assert bad.stderr.startswith(b"logcat: ")


async def test_refused_fault(make: Make) -> None:
    device = make("gmui_android9")
    device.faults = FaultState(active={Fault.EVENTS_REFUSED})
    result = await device.run_shell("exec logcat -b events -d")
    assert (result.exit_code, result.stderr) == (1, REFUSED_MESSAGE)


# --- pkill, pgrep, ps --------------------------------------------------------------------------


async def test_pkill_and_pgrep_without_processes(make: Make) -> None:
    device = make("androidtv10")
    result = await device.run_shell("pkill -f '[x]gimi_'; echo rc=$?")
    assert result.stdout == b"rc=1\n"
    assert (await device.run_shell(kill_command(MARKER))).exit_code == 0
    assert (await device.run_shell("pgrep -f logcat")).exit_code == 1


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("pkill", "Need 1 argument"),
        ("pkill -f '('", "bad regex"),
        ("pkill -Q x", "Unknown option"),
        ("pkill -s NOPE x", "Unknown signal"),
        ("pgrep -9 x", "Unknown option"),
    ],
)
async def test_pkill_usage_errors(make: Make, command: str, message: str) -> None:
    device = make("androidtv10")
    result = await device.run_shell(command)
    assert result.exit_code == 1
    assert message in result.stderr.decode()


async def test_an_unguarded_pattern_kills_the_shell_that_runs_it(make: Make) -> None:
    device = make("androidtv10")
    # The shell's own command line holds the pattern: pkill -f finds it and kills it (real
    # toybox does the same); the [x] guard of kill_command() is what prevents this.
    result = await device.run_shell("pkill -f xgimi_deadbeef; echo survived")
    assert result.exit_code == 128 + signal.SIGTERM
    assert b"survived" not in result.stdout
    guarded = await device.run_shell(kill_command(make_marker(b"k")) + "; echo survived")
    assert guarded.stdout == b"survived\n"


async def test_ps_lists_no_logcat_when_none_runs(make: Make) -> None:
    device = make("gmui_android12")
    out = await sh(device, "ps -A")
    assert "system_server" in out
    assert " logcat" not in out


async def test_hdmi_switch_in_the_same_player_logs_an_app_side_resume(make: Make) -> None:
    from simulator.intents import Intent

    device = make("gmui_android9")
    device.apps.switch_hdmi("HDMI1", Intent())
    device.events.sync()
    mark = len(device.event_log.entries)
    device.apps.switch_hdmi("HDMI2", Intent())
    device.events.sync()
    entries = list(device.event_log.entries)[mark:]
    if device.apps.top is not None and entries and entries[0].tag == "am_on_resume_called":
        assert entries[0].body.endswith(",LIFECYCLER_RESUME_ACTIVITY]")
        assert len(entries) == 1
    else:  # this firmware's second input is another activity: a normal resume
        assert entries
        assert entries[0].tag == "am_set_resumed_activity"


def test_kill_by_pid_and_a_fifo_that_never_opens(tmp_path: object) -> None:
    log = EventLog()
    assert not log.kill(1234)
    result = log.run(["logcat", "-b", "events"], exec_=False, faults=None)
    process = result.stream
    assert process is not None
    assert log.kill(process.pid)  # type: ignore[attr-defined]
    assert log.processes == {}
    assert process.exit_status == 128 + signal.SIGTERM  # type: ignore[attr-defined]


async def test_a_reader_that_never_opens_its_fifo_dies(tmp_path: pytest.TempPathFactory) -> None:
    log = EventLog()
    result = log.run(["logcat", "-b", "events"], exec_=True, faults=None)
    process = result.stream
    assert process is not None
    process.attach(Path(str(tmp_path)) / "missing.f")  # ENOENT: not a FIFO that will open
    assert log.processes == {}
    process.shell_gone()  # already dead: nothing happens
    log.write("screen_toggled", "1", pid=612, tid=612)


@pytest.mark.parametrize(
    ("kill", "status"),
    [(["pkill", "-9", "-f"], 137), (["pkill", "-s", "KILL", "-f"], 137), (["pkill", "-f"], 143)],
)
async def test_pgrep_pkill_and_ps_see_a_live_logcat(
    make: Make, kill: list[str], status: int
) -> None:
    device = make("googletv")
    argv = ["logcat", "-b", "events", "-s", "screen_toggled", f"{MARKER}:S"]
    process = device.event_log.run(argv, exec_=True, faults=None).stream
    assert process is not None
    pid = process.pid  # type: ignore[attr-defined]
    found = device.execute(["pgrep", "-f", "[x]gimi_"])
    assert found.stdout == f"{pid}\n".encode()
    assert device.execute(["pgrep", "logcat"]).stdout == f"{pid}\n".encode()
    assert f"{pid}   301" in device.execute(["ps", "-A"]).stdout.decode()
    assert f"{pid}   301" in device.execute(["ps"]).stdout.decode()
    assert device.execute([*kill, "[x]gimi_"]).exit_code == 0
    assert process.exit_status == status  # type: ignore[attr-defined]
    assert device.execute(["pgrep", "-f", "[x]gimi_"]).exit_code == 1
