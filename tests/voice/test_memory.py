"""The voice action's memory, on a fake clock."""

from __future__ import annotations

from custom_components.xgimi_projector.voice import VoiceMemory
from custom_components.xgimi_projector.voice.memory import (
    REPLY_MEMORY_S,
    REQUEST_MEMORY_S,
    REQUEST_MEMORY_SIZE,
    SOURCE_MEMORY_SIZE,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_request_ids_are_remembered_for_an_hour_and_bounded() -> None:
    clock = Clock()
    memory = VoiceMemory(clock)
    assert memory.first_time("a")
    assert not memory.first_time("a")
    clock.now += REQUEST_MEMORY_S + 1
    assert memory.first_time("a")
    for i in range(REQUEST_MEMORY_SIZE):
        memory.first_time(f"id{i}")
    assert memory.first_time("a"), "the oldest ids make room for new ones"


def test_our_reply_coming_back_is_an_echo_for_ten_minutes() -> None:
    clock = Clock()
    memory = VoiceMemory(clock)
    memory.remember_reply("living", "好的，投影仪音量调到百分之三十")
    memory.remember_reply("", "")
    assert memory.is_echo("好的，投影仪音量调到百分之三十。")
    assert memory.is_echo("小爱同学 好的 投影仪音量调到百分之三十")
    assert not memory.is_echo("投影仪音量调到百分之三十"), "the user's own command is no echo"
    assert not memory.is_echo("")
    memory.remember_reply("living", "好的，投影仪已静音")
    assert not memory.is_echo("好的，投影仪音量调到百分之三十"), "only the last reply per projector"
    memory.remember_reply("bedroom", "好的，卧室投影已暂停")
    assert memory.is_echo("好的，投影仪已静音")
    assert memory.is_echo("好的，卧室投影已暂停")
    clock.now += REPLY_MEMORY_S + 1
    assert not memory.is_echo("好的，投影仪已静音")


def test_records_of_a_source() -> None:
    memory = VoiceMemory(Clock())
    assert not memory.is_old("sensor.a", 10.0)
    assert memory.window("sensor.a") == ()
    memory.handled("sensor.a", 10.0, ["B", "A"])
    assert memory.is_old("sensor.a", 10.0)
    assert memory.is_old("sensor.a", 9.0)
    assert not memory.is_old("sensor.a", 10.5)
    assert not memory.is_old("sensor.b", 1.0)
    assert memory.window("sensor.a") == ("B", "A")
    memory.handled("sensor.a", None, ["C"])
    assert memory.is_old("sensor.a", 10.0), "no time given: the last one known stays"
    assert memory.window("sensor.a") == ("C",)


def test_a_replay_is_expected_once_within_its_window() -> None:
    clock = Clock()
    memory = VoiceMemory(clock)
    assert not memory.is_replay("event.hub", "关闭投影仪")
    memory.expect_replay("event.hub", "关闭投影仪", 300)
    assert not memory.is_replay("event.hub", "打开投影仪"), "another sentence runs"
    assert not memory.is_replay("event.other", "关闭投影仪"), "another source"
    clock.now += 299
    assert memory.is_replay("event.hub", "关闭投影仪")
    assert not memory.is_replay("event.hub", "关闭投影仪"), "once: then it is the user again"
    memory.expect_replay("event.hub", "关闭投影仪", 300)
    clock.now += 301
    assert not memory.is_replay("event.hub", "关闭投影仪"), "after the window"
    assert not memory.is_replay("event.hub", "关闭投影仪")


def test_sources_are_bounded() -> None:
    memory = VoiceMemory(Clock())
    memory.handled("first", 1.0, ["x"])
    for i in range(SOURCE_MEMORY_SIZE):
        memory.handled(f"s{i}", 1.0, ["x"])
    assert memory.window("first") == ()
    assert memory.window(f"s{SOURCE_MEMORY_SIZE - 1}") == ("x",)
