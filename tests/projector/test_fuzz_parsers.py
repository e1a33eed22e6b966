"""Every parser of what the projector prints (and of names people type), fed random bytes and
shuffled fragments of real output (issue #12): only the documented error may come out, and
nothing takes long (no regex that backtracks without bound)."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import time
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.xgimi_projector.projector.errors import UnknownKeyError, UnknownSourceError
from custom_components.xgimi_projector.projector.families import Family, traits_for
from custom_components.xgimi_projector.projector.keycodes import normalize_key_name
from custom_components.xgimi_projector.projector.probe import (
    parse_getprop,
    parse_packages,
    parse_probe,
)
from custom_components.xgimi_projector.projector.projector import normalize_source
from custom_components.xgimi_projector.projector.state import (
    PollContext,
    PollParseError,
    music_block,
    parse_audio,
    parse_display,
    parse_foreground,
    parse_media_sessions,
    parse_poll,
    parse_power,
    split_sections,
)

SLOW_S = 0.25
"""Longest any parser may take on one input (inputs here are at most 16 KiB: enough for a
quadratic parser to take seconds, while a linear one takes about a millisecond)."""
LARGE = 16 * 1024

FRAGMENTS = [
    "@@xg:4242 power",
    "@@xg:4242 window",
    "@@xg:4242 audio",
    "@@xg:4242 media",
    "@@xg:4242 end",
    "@@xg:17 end",
    "@@xg:4242 getprop",
    "@@xg:4242 pm list packages",
    "  mWakefulness=Awake",
    "  mWakefulness=Asleep",
    "mWakefulness=Dreaming",
    "Display Power: state=ON",
    "Display Power: state=OFF",
    "Display Power: com.android.server.power.PowerManagerService$1@a8a75e6",
    "mHoldingDisplaySuspendBlocker=true",
    "  mCurrentFocus=Window{c52eaa8 u0 com.xgimi.home/com.xgimi.home.MainActivity}",
    "  mFocusedApp=AppWindowToken{5d7 token=Token{8c ActivityRecord{1f u0 a.b/.C t5}}}",
    "mCurrentFocus=Window{c52eaa8 u0 com.sony.dtv.sonysystemservice}",
    "- STREAM_MUSIC:",
    "- STREAM_ALARM:",
    "   Muted: true",
    "   Muted: false",
    "   Min: 0",
    "   Max: 15",
    "   streamVolume:7",
    "   Current: 2 (speaker): 11, 400 (hdmi): 5, 40000000 (default): 9",
    "   Devices: speaker",
    "   Devices: hmdi_arc",
    "    package=com.google.android.youtube.tv",
    "    active=false",
    "    active=true",
    "      state=PlaybackState {state=3, position=0}",
    "      state=PlaybackState {state=PLAYING(3), position=12}",
    "[ro.product.model]: [XGIMI TV]",
    "[ro.build.version.sdk]: [28]",
    "[ro.build.version.release]: [9]",
    "[ro.serialno]: [ABC123]",
    "[ro.adb.secure]: [1]",
    "package:com.xgimi.home",
    "package:com.xgimi.vcontrol installer=null",
    "",
    "(((((((((((((((((((((((((((((((((((((",
    "=" * 300,
    "state=" * 200,
    "\x00\xff\ufffd\\x81",
]

text_from_bytes = st.binary(max_size=4096).map(lambda b: b.decode("utf-8", "backslashreplace"))
"""Random bytes decoded the way the connection decodes output."""
shuffled_output = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=80)), max_size=200
).map("\n".join)
"""Lines of real output in random order and amount, mixed with random text."""
any_output = st.one_of(text_from_bytes, shuffled_output)

CONTEXT = PollContext(traits_for(Family.GMUI_ANDROID9, frozenset()), "HDMI1")

PARSERS: dict[str, tuple[Callable[[str], Any], tuple[type[Exception], ...]]] = {
    "split_sections": (split_sections, (PollParseError,)),
    "parse_poll": (lambda text: parse_poll(text, CONTEXT), (PollParseError,)),
    "parse_probe": (parse_probe, (PollParseError,)),
    "parse_power": (parse_power, (PollParseError,)),
    "parse_display": (parse_display, ()),
    "parse_foreground": (parse_foreground, ()),
    "music_block": (music_block, ()),
    "parse_audio": (parse_audio, ()),
    "parse_media_sessions": (parse_media_sessions, ()),
    "parse_getprop": (parse_getprop, ()),
    "parse_packages": (parse_packages, ()),
    "normalize_key_name": (normalize_key_name, (UnknownKeyError,)),
    "normalize_source": (normalize_source, (UnknownSourceError,)),
}


def _run(name: str, text: str) -> None:
    parser, allowed = PARSERS[name]
    started = time.perf_counter()
    with contextlib.suppress(*allowed):
        parser(text)
    elapsed = time.perf_counter() - started
    assert elapsed < SLOW_S, f"{name} took {elapsed * 1000:.0f} ms on {len(text)} chars"


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_output)
def test_parser_takes_anything(name: str, text: str) -> None:
    _run(name, text)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parser_on_a_large_hostile_input(name: str) -> None:
    """The nastiest shapes: one huge line, many empty or tiny ones, near-misses of every
    pattern (a ``^\\s*`` under MULTILINE, for one, is quadratic on a run of newlines)."""
    for text in (
        "=" * LARGE,
        "(" * LARGE,
        "\n" * LARGE,
        " \n" * LARGE,
        "@@xg:1 power\n" * 1500,
        "state=PlaybackState {state=" * 700,
        "mCurrentFocus=Window{" * 800,
        "[" * 8000 + "]: [" * 2000,
        "\n".join(FRAGMENTS) * 12,
        # A well-formed poll whose sections are padded with blank lines.
        "@@xg:9 power\n"
        + "\n" * 2000
        + "mWakefulness=Awake\n@@xg:9 audio\n"
        + "\n" * 12000
        + "@@xg:9 end\n",
    ):
        _run(name, text[:LARGE])
