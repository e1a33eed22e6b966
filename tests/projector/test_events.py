"""The event-log trigger: tags per SDK, the stream and kill commands, and the line parser."""

from __future__ import annotations

import hashlib
from pathlib import Path
import re

import pytest

from custom_components.xgimi_projector.projector.events import (
    EVENT_LINE_MAX,
    DeviceEvent,
    EventKind,
    event_tags,
    kill_command,
    make_marker,
    parse_event_line,
    stream_command,
)

CAPTURES = Path(__file__).resolve().parents[1] / "captures" / "logcat_events"
_EXPECT = re.compile(r"(\w+)=(\d+)")

MARKER = make_marker(b"QAAAAAkey")


# --- the tags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sdk", "present", "absent"),
    [
        (
            26,
            {"am_focused_activity", "am_resume_activity", "am_on_resume_called"},
            {"wm_resume_activity"},
        ),
        (28, {"am_set_resumed_activity", "am_resume_activity"}, {"wm_set_resumed_activity"}),
        (
            29,
            {"wm_set_resumed_activity", "wm_resume_activity", "am_on_resume_called"},
            {"am_resume_activity"},
        ),
        (30, {"wm_on_resume_called", "am_on_resume_called"}, {"am_focused_activity"}),
        (31, {"wm_set_resumed_activity", "wm_on_resume_called"}, {"am_on_resume_called"}),
        (34, {"wm_resume_activity", "wm_on_resume_called"}, {"am_set_resumed_activity"}),
    ],
)
def test_activity_tags_follow_the_android_version(
    sdk: int, present: set[str], absent: set[str]
) -> None:
    tags = set(event_tags(sdk))
    assert present <= tags
    assert not absent & tags


@pytest.mark.parametrize("sdk", [19, 26, 28, 29, 30, 31, 33, 34, 35])
def test_screen_power_and_volume_tags_on_every_version(sdk: int) -> None:
    tags = event_tags(sdk)
    for tag in ("screen_toggled", "power_screen_state", "power_sleep_requested", "volume_changed"):
        assert tag in tags
    assert len(tags) == len(set(tags))


# --- the commands ---------------------------------------------------------------------------


def test_marker_is_short_hex_of_the_key() -> None:
    expected = "xgimi_" + hashlib.sha256(b"QAAAAAkey").hexdigest()[:8]
    assert expected == MARKER
    assert re.fullmatch(r"xgimi_[0-9a-f]{8}", MARKER)
    assert make_marker(b"other key") != MARKER


@pytest.mark.parametrize("sdk", [26, 28, 30, 34])
def test_stream_command_is_one_filtered_logcat_with_the_marker(sdk: int) -> None:
    command = stream_command(sdk, MARKER)
    assert command.startswith("exec logcat -b events -v threadtime -T 1 -s ")
    assert command.endswith(f" {MARKER}:S")
    words = command.split()
    assert words[words.index("-s") + 1 : -1] == list(event_tags(sdk))


@pytest.mark.parametrize(
    "bad", ["", "xgimi_", "xgimi_1234567", "xgimi_ABCDEF12", "x; rm -rf /", "xgimi_12345678'"]
)
def test_commands_refuse_a_malformed_marker(bad: str) -> None:
    with pytest.raises(ValueError, match="marker"):
        stream_command(30, bad)
    with pytest.raises(ValueError, match="marker"):
        kill_command(bad)


def test_kill_pattern_matches_the_stream_but_not_itself() -> None:
    command = kill_command(MARKER)
    assert command.startswith("pkill -f '[x]gimi_")
    assert command.endswith("' || true")
    pattern = re.compile(command.split("'")[1])
    assert pattern.search(stream_command(34, MARKER))
    assert not pattern.search(command)  # the shell running pkill is not a match
    assert not pattern.search(stream_command(34, make_marker(b"another host")))


# --- the parser: real captures --------------------------------------------------------------


def _payload(path: Path) -> tuple[dict[str, int], list[str]]:
    head, payload = path.read_text(encoding="utf-8").split("# ---\n", 1)
    expect_line = next(line for line in head.splitlines() if line.startswith("# expect: "))
    expected = {key: int(value) for key, value in _EXPECT.findall(expect_line)}
    digest = next(line for line in head.splitlines() if line.startswith("# sha256: "))
    assert digest.split()[-1] == hashlib.sha256(payload.encode()).hexdigest()
    return expected, payload.splitlines()


CAPTURE_FILES = sorted(CAPTURES.glob("*.txt"))


def test_there_are_captures_of_each_era() -> None:
    names = " ".join(p.name for p in CAPTURE_FILES)
    for era in ("android6", "android8", "android14"):
        assert era in names


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=lambda p: p.name)
def test_capture_lines_parse_to_their_kinds(path: Path) -> None:
    expected, lines = _payload(path)
    found = dict.fromkeys([*(k.value for k in EventKind), "ignored"], 0)
    for line in lines:
        event = parse_event_line(line.encode())
        found[event.kind.value if event else "ignored"] += 1
        # the same line with the CRLF a PTY would add parses the same
        assert parse_event_line(line.encode() + b"\r\n") == event
    assert {key: found[key] for key in expected} == expected


# --- the parser: table ----------------------------------------------------------------------

_PREFIX = "12-01 11:50:58.123   612  1840 I "

GOOD = [
    ("am_focused_activity: [0,com.xgimi.home/.MainActivity,appDied]", EventKind.ACTIVITY),
    (
        "am_set_resumed_activity: [0,com.xgimi.home/.MainActivity,resumeTopActivityInnerLocked]",
        EventKind.ACTIVITY,
    ),
    ("am_resume_activity: [0,118020323,66,com.android.mms/.ui.MmsTabActivity]", EventKind.ACTIVITY),
    ("am_on_resume_called: [0,com.xgimi.home.MainActivity,RESUME_ACTIVITY]", EventKind.ACTIVITY),
    (
        "wm_set_resumed_activity: [0,com.google.android.tvlauncher/.MainActivity,"
        "minimalResumeActivityLocked]",
        EventKind.ACTIVITY,
    ),
    ("wm_resume_activity: [0,15352134,5,com.android.launcher/.Launcher]", EventKind.ACTIVITY),
    (
        "wm_on_resume_called: [15352134,com.android.launcher.Launcher,RESUME_ACTIVITY,0]",
        EventKind.ACTIVITY,
    ),
    ("screen_toggled: 0", EventKind.SCREEN),
    ("screen_toggled: 1", EventKind.SCREEN),
    ("power_screen_state: [0,2,0,0,0]", EventKind.SCREEN),
    ("power_screen_state: [1,0,0,0,182]", EventKind.SCREEN),
    ("power_sleep_requested: 0", EventKind.POWER),
    ("volume_changed: [3,7,8,15,android]", EventKind.VOLUME),
    ("volume_changed: [3,8,7,15,com.android.shell]", EventKind.VOLUME),
]


@pytest.mark.parametrize(("text", "kind"), GOOD)
def test_our_tags_parse(text: str, kind: EventKind) -> None:
    event = parse_event_line((_PREFIX + text).encode())
    tag, _, body = text.partition(": ")
    assert event == DeviceEvent(kind, tag, body)


@pytest.mark.parametrize(
    "prefix",
    [
        "12-01 11:50:58.123   612  1840 I ",
        "12-01 11:50:58.123  1000   612  1840 I ",  # -v uid
        "12-01 11:50:58.123 system   612  1840 I ",  # -v uid with a name
        "1712966473.301   612   612 I ",  # -v epoch
    ],
)
def test_prefix_variants(prefix: str) -> None:
    assert parse_event_line((prefix + "screen_toggled: 1").encode()) == DeviceEvent(
        EventKind.SCREEN, "screen_toggled", "1"
    )


BAD = [
    b"",
    b"\n",
    b"--------- beginning of events",
    b"--------- switch to main",
    _PREFIX.encode() + b"wm_task_moved: [6,1,1]",  # not ours
    _PREFIX.encode() + b"am_proc_start: [0,1,2,com.x,activity,com.x/.A]",
    _PREFIX.encode() + b"screen_toggled: on",  # not a number
    _PREFIX.encode() + b"screen_toggled:",
    _PREFIX.encode() + b"power_sleep_requested: [0]",
    _PREFIX.encode() + b"power_screen_state: 1",
    _PREFIX.encode() + b"power_screen_state: [1]",
    _PREFIX.encode() + b"power_screen_state: [a,b]",
    _PREFIX.encode() + b"volume_changed: [3,7,8]",
    _PREFIX.encode() + b"volume_changed: [3,x,8,15,android]",
    _PREFIX.encode() + b"wm_on_resume_called: [1,RESUME_ACTIVITY,0]",  # no component
    _PREFIX.encode() + b"wm_on_resume_called: 1",
    _PREFIX.encode() + b"wm_on_resume_called: [1,[com.a.B],x]",  # nested bracket
    _PREFIX.encode() + b"am_focused_activity: [0,com.a/.B",  # unterminated
    b"11:50:58.123   612  1840 I screen_toggled: 1",  # no date
    b"12-01 11:50:58.123 I screen_toggled: 1",  # no pid/tid
    b"12-01 11:50:58.123   612  1840 X screen_toggled: 1",  # no such level
    b"12-01 11:50:58.123   612  1840 I Screen_Toggled: 1",  # tags are lower case
    b"I screen_toggled: 1",
    b"screen_toggled: 1",
    _PREFIX.encode() + b"screen_toggled: 1\x00",  # NUL
    _PREFIX.encode() + b"screen_toggled: \x001",
    _PREFIX.encode() + b"screen_toggled: 1\x1b[0m",  # terminal escape
    _PREFIX.encode() + b"wm_on_resume_called: [1,com.\xc3\xa9.A,RESUME_ACTIVITY]",  # not ASCII
    _PREFIX.encode() + b"wm_on_resume_called: [1,com.\xff\xfe.A,RESUME_ACTIVITY]",  # not text
    b"\xff\xfe\x00\x01" * 64,  # binary
    _PREFIX.encode() + b"screen_toggled: 1\n\n",  # two line endings: two lines
    _PREFIX.encode() + b"screen_toggled: 1\rscreen_toggled: 0",
]


@pytest.mark.parametrize("line", BAD, ids=lambda b: repr(b[:48]))
def test_malformed_or_foreign_lines_are_none(line: bytes) -> None:
    assert parse_event_line(line) is None


def test_length_limit_is_exact() -> None:
    head = (_PREFIX + "wm_on_resume_called: [1,com.a.").encode()
    tail = b"B,RESUME_ACTIVITY]"
    fill = EVENT_LINE_MAX - len(head) - len(tail)
    longest = head + b"x" * fill + tail
    assert len(longest) == EVENT_LINE_MAX
    assert parse_event_line(longest) is not None
    assert parse_event_line(longest + b"\r\n") is not None
    assert parse_event_line(head + b"x" * (fill + 1) + tail) is None


@pytest.mark.parametrize("size", [EVENT_LINE_MAX * 4, 1 << 20, 16 << 20])
def test_overlong_lines_are_dropped(size: int) -> None:
    line = (_PREFIX + "screen_toggled: 1").encode() + b" " * size
    assert parse_event_line(line) is None
    assert parse_event_line(b"x" * size) is None


@pytest.mark.parametrize(
    "thing", [bytearray(b"12-01 11:50:58.123 1 2 I screen_toggled: 1"), memoryview(b"x")]
)
def test_bytes_like_input(thing: bytes) -> None:
    event = parse_event_line(thing)
    assert event is None or event.kind is EventKind.SCREEN


def test_not_bytes_is_none() -> None:
    assert parse_event_line("12-01 11:50:58.123 1 2 I screen_toggled: 1") is None  # type: ignore[arg-type]
    assert parse_event_line(None) is None  # type: ignore[arg-type]
