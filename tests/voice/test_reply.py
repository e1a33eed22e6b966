"""The reply builder: every refusal, intent, outcome, power phase and playback state is spoken."""

from __future__ import annotations

import re
from typing import cast

import pytest

from custom_components.xgimi_projector.projector import Playback, PowerPhase
from custom_components.xgimi_projector.voice import (
    ACTIONS,
    PHASE_TEXT,
    PLAYBACK_TEXT,
    REFUSAL_REPLIES,
    Facts,
    Intent,
    Outcome,
    ParseResult,
    Refusal,
    VoiceCommand,
    parse,
    reply,
)

_CJK = re.compile(r"[\u4e00-\u9fff]")

ON = VoiceCommand(Intent.TURN_ON)
OFF = VoiceCommand(Intent.TURN_OFF)
UP = VoiceCommand(Intent.VOLUME_UP)
DOWN = VoiceCommand(Intent.VOLUME_DOWN)
MUTE = VoiceCommand(Intent.MUTE)
QUERY = VoiceCommand(Intent.QUERY)
HDMI1 = VoiceCommand(Intent.SOURCE, source="HDMI1")
APP = VoiceCommand(Intent.SOURCE, source="com.ktcp.video")


def vol(percent: int | None = None, steps: int | None = None) -> VoiceCommand:
    return VoiceCommand(Intent.VOLUME_SET, percent=percent, steps=steps)


def up(percent: int | None = None, steps: int | None = None) -> VoiceCommand:
    return VoiceCommand(Intent.VOLUME_UP, percent=percent, steps=steps)


def _ok(command: VoiceCommand) -> ParseResult:
    return ParseResult("x", command, None)


def _no(refusal: Refusal) -> ParseResult:
    return ParseResult("x", None, refusal)


ALL_COMMANDS = [
    VoiceCommand(Intent.VOLUME_SET, percent=30)
    if intent is Intent.VOLUME_SET
    else VoiceCommand(Intent.SOURCE, source="HDMI1")
    if intent is Intent.SOURCE
    else VoiceCommand(intent)
    for intent in Intent
]


@pytest.mark.parametrize("refusal", list(Refusal), ids=str)
def test_reply_refusals(refusal: Refusal) -> None:
    text = reply(_no(refusal))
    if refusal is Refusal.OWN_REPLY:
        assert text == "", "our own reply coming back is answered with silence"
        return
    assert _CJK.search(text)
    if refusal is Refusal.NEGATION:
        assert text == "好的，不操作"
    else:
        assert text.startswith("抱歉")


@pytest.mark.parametrize("outcome", [None, *Outcome], ids=str)
@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: c.intent.value)
def test_reply_every_intent_and_outcome(command: VoiceCommand, outcome: Outcome | None) -> None:
    text = reply(_ok(command), outcome)
    assert text
    assert _CJK.search(text)


@pytest.mark.parametrize(
    ("outcome", "fragment"),
    [
        (Outcome.POWERING_ON, "正在开机，大约一分钟"),
        (Outcome.ALREADY, "已经开着了"),
        (Outcome.DONE, "已开机"),
        (Outcome.UNAVAILABLE, "连不上，请检查网络"),
        (Outcome.NO_PLUG, "没有配置智能插座"),
        (Outcome.FAILED, "失败"),
        (Outcome.NOT_SUPPORTED, "不支持"),
    ],
    ids=str,
)
def test_reply_turn_on(outcome: Outcome, fragment: str) -> None:
    assert fragment in reply(_ok(ON), outcome)


def test_reply_specific_sentences() -> None:
    assert reply(_ok(ON), Outcome.POWERING_ON) == "好的，投影仪正在开机，大约一分钟"
    assert reply(_ok(OFF), Outcome.ALREADY) == "投影仪已经关了"
    assert reply(_ok(vol(30))) == "好的，投影仪音量调到百分之三十"
    assert reply(_ok(vol(30)), facts=Facts(volume_percent=31)) == "好的，投影仪音量调到百分之三十一"
    assert reply(_ok(vol(steps=5))) == "好的，投影仪音量调到五格"
    assert (
        reply(_ok(up(steps=3)), facts=Facts(volume_percent=45))
        == "好的，投影仪音量调高了，现在是百分之四十五"
    )
    assert reply(_ok(UP), Outcome.ALREADY) == "投影仪音量已经最大了"
    assert reply(_ok(DOWN), Outcome.ALREADY) == "投影仪音量已经最小了"
    assert reply(_ok(HDMI1)) == "好的，已切换到HDMI1"
    assert reply(_ok(APP), facts=Facts(source="云视听极光")) == "好的，已切换到云视听极光"
    assert reply(_ok(MUTE), name="客厅投影") == "好的，客厅投影已静音"
    assert reply(_ok(ON), Outcome.UNAVAILABLE) == "投影仪现在连不上，请检查网络"
    assert reply(_ok(ON), Outcome.NO_PLUG) == "没有配置智能插座，投影仪待机时无法开机"
    assert reply(_ok(ON), facts=Facts(phase=PowerPhase.BOOTING)) == "好的，投影仪正在开机"
    assert reply(_ok(ON), name="   ") == "好的，投影仪已开机"


@pytest.mark.parametrize("phase", list(PowerPhase), ids=str)
def test_reply_query_every_phase(phase: PowerPhase) -> None:
    text = reply(_ok(QUERY), facts=Facts(phase=phase, is_on=True))
    assert text.startswith("投影仪")
    assert _CJK.search(text)
    assert PHASE_TEXT[phase] in text


@pytest.mark.parametrize("playback", list(Playback), ids=str)
def test_reply_query_every_playback(playback: Playback) -> None:
    text = reply(_ok(QUERY), facts=Facts(phase=PowerPhase.ON, playback=playback, is_on=True))
    assert text.startswith("投影仪开着")
    spoken = PLAYBACK_TEXT[playback]
    assert spoken is None or spoken in text


def test_every_enum_member_has_a_table_entry() -> None:
    """A new phase, playback state, intent or refusal must get its Chinese before it ships."""
    assert set(PHASE_TEXT) == set(PowerPhase)
    assert set(PLAYBACK_TEXT) == set(Playback)
    assert set(ACTIONS) == set(Intent)
    assert set(REFUSAL_REPLIES) == set(Refusal)
    assert all(_CJK.search(text) for text in PHASE_TEXT.values())
    assert {p for p, text in PLAYBACK_TEXT.items() if text} == {Playback.PLAYING, Playback.PAUSED}


def test_every_phase_playback_and_outcome_is_spoken() -> None:
    """Every combination the glue can pass gives a non-empty Chinese sentence."""
    for command in ALL_COMMANDS:
        for outcome in (None, *Outcome):
            for phase in (None, *PowerPhase):
                for playback in (None, *Playback):
                    for is_on in (None, False, True):
                        facts = Facts(phase=phase, playback=playback, is_on=is_on)
                        text = reply(_ok(command), outcome, facts=facts)
                        assert _CJK.search(text), (command, outcome, facts, text)


def test_reply_query() -> None:
    assert reply(_ok(QUERY), facts=Facts(is_on=False)) == "投影仪现在是关着的"
    # PowerPhase has no "off": off is is_on=False without a phase.
    assert reply(_ok(QUERY), facts=Facts(is_on=False, phase=None)) == "投影仪现在是关着的"
    playing = Facts(is_on=True, phase=PowerPhase.ON, playback=Playback.PLAYING)
    assert reply(_ok(QUERY), facts=playing) == "投影仪开着，正在播放"
    assert reply(_ok(QUERY), facts=Facts(phase=PowerPhase.BOOTING)) == "投影仪正在开机，请稍等"
    assert reply(_ok(QUERY), facts=Facts(phase=PowerPhase.STANDBY)) == "投影仪在待机"
    assert "开机失败" in reply(_ok(QUERY), facts=Facts(phase=PowerPhase.FAILED))
    full = reply(_ok(QUERY), facts=Facts(is_on=True, volume_percent=30, source="HDMI1"))
    assert full == "投影仪开着，信号源是HDMI1，音量百分之三十"
    assert "屏幕关了" in reply(_ok(QUERY), facts=Facts(phase=PowerPhase.SCREEN_OFF))
    assert (
        reply(_ok(QUERY), facts=Facts(phase=PowerPhase.MAINS_OFF)) == "投影仪已断电，现在是关着的"
    )
    assert reply(_ok(QUERY), facts=Facts(phase=PowerPhase.SHUTTING_DOWN)) == "投影仪正在关机"
    assert (
        reply(_ok(QUERY), facts=Facts(phase=PowerPhase.UNREACHABLE))
        == "投影仪现在连不上，请检查网络"
    )
    assert "智能插座" in reply(_ok(QUERY), facts=Facts(phase=PowerPhase.PLUG_UNAVAILABLE))
    assert "不知道" in reply(_ok(QUERY))
    assert reply(_ok(QUERY), Outcome.UNAVAILABLE) == "投影仪现在连不上，请检查网络"


def test_reply_query_playback_without_a_phase() -> None:
    """Playback alone says the projector runs; is_on=False still wins."""
    paused = Facts(playback=Playback.PAUSED)
    assert reply(_ok(QUERY), facts=paused) == "投影仪开着，已暂停"
    off = Facts(is_on=False, playback=Playback.PLAYING)
    assert reply(_ok(QUERY), facts=off) == "投影仪现在是关着的"
    idle = Facts(playback=Playback.IDLE)
    assert "不知道" in reply(_ok(QUERY), facts=idle)
    screen_off = Facts(phase=PowerPhase.SCREEN_OFF, playback=Playback.PLAYING)
    assert reply(_ok(QUERY), facts=screen_off) == "投影仪开着，但是屏幕关了，正在播放"


def test_reply_ignores_unknown_phase() -> None:
    unknown = cast("PowerPhase", "$(reboot)")
    text = reply(_ok(QUERY), facts=Facts(is_on=True, phase=unknown))
    assert "reboot" not in text
    assert text == "投影仪开着"
    text = reply(_ok(QUERY), facts=Facts(is_on=True, playback=cast("Playback", "$(reboot)")))
    assert text == "投影仪开着"


def test_a_source_it_cannot_switch_to_names_what_is_possible() -> None:
    """GMUI 9 cannot select HDMI1 directly: the reply offers the source menu (and the rest)."""
    result = parse("投影仪切换到HDMI1", sources={"HDMI1": ["HDMI1"]})
    assert result.command is not None
    spoken = reply(
        result,
        Outcome.NOT_SUPPORTED,
        facts=Facts(source="HDMI1", possible_sources=("主页", "信号源菜单", "腾讯视频")),
    )
    assert spoken == "抱歉，投影仪不能直接切换到HDMI1，可以切换到主页、信号源菜单、腾讯视频"
    assert parse(spoken).command is None, "our reply is never a command"
    assert reply(result, Outcome.NOT_SUPPORTED) == "抱歉，投影仪不支持切换信号源"
