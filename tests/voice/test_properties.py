"""Property test: no sentence, alias map or fact makes the parser or the reply fail."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from custom_components.xgimi_projector.projector import Playback, PowerPhase
from custom_components.xgimi_projector.voice import (
    GENERIC_NAMES,
    Facts,
    Intent,
    Outcome,
    Refusal,
    parse,
    reply,
)

FRAGMENTS = [
    *("小爱同学", "小爱", "请", "帮我", "一下", "吧", "吗", "了", "的", "呢"),
    *GENERIC_NAMES,
    *("客厅投影", "大屏", "卧室投影", "盒子", "电视盒子", "极光", "电视", "空调", "灯"),
    *("打开", "关闭", "开", "关", "开机", "关机", "音量", "声音", "调到", "调高", "调低"),
    *("大", "小", "一点", "点", "格", "级", "%", "百分之", "百分", "一半", "最大", "最小"),
    *("零", "一", "二", "两", "三", "十", "百", "千", "0", "1", "2", "5", "30", "100", "999999"),
    *("静音", "取消", "暂停", "播放", "继续", "停止", "切换到", "信号源", "hdmi", "ＨＤＭＩ"),
    *("主页", "返回", "对焦", "不", "别", "不要", "没", "是不是", "开着", "状态", "多少"),
    *("好的", "抱歉", "已", "已经", "正在", "没有", "跟我说"),
    *(";", "|", "&", "$", "`", "'", '"', "\n", "\\", " ", "，", "。", "！", "😀", "\ue001"),
]

fragment_text = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)
mixed_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=10).map(
    "".join
)
texts = st.one_of(st.text(max_size=60), fragment_text, mixed_text)
aliases = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=3)
alias_maps = st.dictionaries(st.text(min_size=1, max_size=8), aliases, max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    text=texts,
    targets=alias_maps,
    sources=alias_maps,
    require_name=st.booleans(),
    outcome=st.one_of(st.none(), st.sampled_from(Outcome)),
    volume=st.one_of(st.none(), st.integers(-5, 200)),
    phase=st.one_of(st.none(), st.sampled_from(PowerPhase), st.text(max_size=8)),
    playback=st.one_of(st.none(), st.sampled_from(Playback), st.text(max_size=8)),
)
def test_parse_and_reply_never_fail(
    text: str,
    targets: dict[str, list[str]],
    sources: dict[str, list[str]],
    require_name: bool,
    outcome: Outcome | None,
    volume: int | None,
    phase: PowerPhase | None,
    playback: Playback | None,
) -> None:
    result = parse(text, targets=targets, sources=sources, require_name=require_name)
    assert isinstance(result.text, str)
    assert (result.command is None) != (result.refusal is None)
    if result.matched:
        command = result.command
        assert command is not None
        assert isinstance(command.intent, Intent)
        assert command.percent is None or 0 <= command.percent <= 100
        assert command.steps is None or 0 <= command.steps <= 100
        assert command.percent is None or command.steps is None
        assert command.source is None or command.source in {"HDMI1", "HDMI2", *sources}
        assert (command.source is not None) == (command.intent is Intent.SOURCE)
        assert command.target is None or command.target in targets
    else:
        assert isinstance(result.refusal, Refusal)
    facts = Facts(volume_percent=volume, is_on=volume is not None, phase=phase, playback=playback)
    spoken = reply(result, outcome, facts=facts)
    assert isinstance(spoken, str)
    assert spoken or result.refusal is Refusal.OWN_REPLY
