"""Our replies are never commands: whatever :func:`reply` can say, :func:`parse` refuses.

A speaker may log its own spoken answer as a conversation record (and Xiaomi Miot Auto has some
speakers say a text as "跟我说 <text>"). If a reply parsed as a command, every answer would
trigger the next command: "好的，投影仪音量调到百分之三十" used to parse as a volume command.
"""

from __future__ import annotations

from itertools import product

import pytest

from custom_components.xgimi_projector.projector import Playback, PowerPhase
from custom_components.xgimi_projector.voice import (
    Facts,
    Intent,
    Outcome,
    ParseResult,
    Refusal,
    VoiceCommand,
    parse,
    reply,
)

NAMES = ["投影仪", "客厅投影", "书房的机器", "Living room"]
"""Spoken names: a generic one, a known alias, and names the parser does not know."""

COMMANDS = [
    VoiceCommand(Intent.VOLUME_SET, percent=30),
    VoiceCommand(Intent.VOLUME_SET, steps=5),
    VoiceCommand(Intent.VOLUME_SET),
    VoiceCommand(Intent.VOLUME_UP, percent=10),
    VoiceCommand(Intent.VOLUME_DOWN, steps=2),
    VoiceCommand(Intent.SOURCE, source="HDMI1"),
    VoiceCommand(Intent.SOURCE, source="电视盒子"),
    *(VoiceCommand(i) for i in Intent if i not in (Intent.VOLUME_SET, Intent.SOURCE)),
]


def every_reply() -> set[str]:
    """Every sentence the reply builder can say (with the default name 投影仪)."""
    said = {reply(ParseResult("x", None, refusal)) for refusal in Refusal}
    for command, outcome in product(COMMANDS, (None, *Outcome)):
        for phase, playback, is_on, volume, source in product(
            (None, *PowerPhase), (None, *Playback), (None, False, True), (None, 45), (None, "极光")
        ):
            facts = Facts(
                phase=phase, playback=playback, is_on=is_on, volume_percent=volume, source=source
            )
            said.add(reply(ParseResult("x", command, None), outcome, facts=facts))
    said.discard("")  # OWN_REPLY's own answer is silence
    return said


REPLIES = sorted(every_reply())


def test_the_reply_set_is_complete_enough() -> None:
    assert len(REPLIES) > 100
    assert "好的，投影仪音量调到百分之三十" in REPLIES
    assert "投影仪开着，正在播放，信号源是极光，音量百分之四十五" in REPLIES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("require_name", [True, False])
def test_no_reply_parses_as_a_command(name: str, require_name: bool) -> None:
    targets = {"living": ["客厅投影"]}
    for text in REPLIES:
        said = text.replace("投影仪", name)
        result = parse(said, targets=targets, require_name=require_name)
        assert result.refusal is Refusal.OWN_REPLY, (said, result)


def test_the_issue_example() -> None:
    """The example of issue #10: our volume reply was a volume command."""
    assert parse("好的，投影仪音量调到百分之三十").refusal is Refusal.OWN_REPLY
    assert parse("投影仪音量调到百分之三十").command == VoiceCommand(Intent.VOLUME_SET, percent=30)
