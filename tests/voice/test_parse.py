"""Table-driven tests of the Chinese voice-command parser."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.voice import (
    Intent,
    ParseResult,
    Refusal,
    VoiceCommand,
    normalize,
    parse,
)

TARGETS = {"living": ["客厅投影", "大屏"], "bedroom": ["卧室投影"]}
SOURCES = {"电视盒子": ["电视盒子", "盒子"], "com.ktcp.video": ["云视听极光", "极光"]}

Expected = VoiceCommand | Refusal


def cmd(intent: Intent, target: str | None = None, *, source: str | None = None) -> VoiceCommand:
    """A command; ``target`` ``None`` is what a generic name (投影仪) gives."""
    return VoiceCommand(intent, target, source=source)


ON = cmd(Intent.TURN_ON)
OFF = cmd(Intent.TURN_OFF)
UP = cmd(Intent.VOLUME_UP)
DOWN = cmd(Intent.VOLUME_DOWN)
MUTE = cmd(Intent.MUTE)
UNMUTE = cmd(Intent.UNMUTE)
PLAY = cmd(Intent.PLAY)
PAUSE = cmd(Intent.PAUSE)
STOP = cmd(Intent.STOP)
HOME = cmd(Intent.HOME)
BACK = cmd(Intent.BACK)
FOCUS = cmd(Intent.AUTOFOCUS)
QUERY = cmd(Intent.QUERY)
HDMI1 = cmd(Intent.SOURCE, source="HDMI1")
HDMI2 = cmd(Intent.SOURCE, source="HDMI2")
BOX = cmd(Intent.SOURCE, source="电视盒子")
APP = cmd(Intent.SOURCE, source="com.ktcp.video")


def vol(percent: int | None = None, steps: int | None = None) -> VoiceCommand:
    return VoiceCommand(Intent.VOLUME_SET, percent=percent, steps=steps)


def up(percent: int | None = None, steps: int | None = None) -> VoiceCommand:
    return VoiceCommand(Intent.VOLUME_UP, percent=percent, steps=steps)


def down(percent: int | None = None, steps: int | None = None) -> VoiceCommand:
    return VoiceCommand(Intent.VOLUME_DOWN, percent=percent, steps=steps)


# Every text below is parsed with TARGETS and SOURCES and require_name=True.
NAMED_CASES: dict[str, list[tuple[str, Expected]]] = {
    "power": [
        ("打开投影仪", ON),
        ("投影仪打开", ON),
        ("开投影仪", ON),
        ("开启投影仪", ON),
        ("启动投影仪", ON),
        ("投影仪开机", ON),
        ("开机投影仪", ON),
        ("点亮投影仪", ON),
        ("投影仪亮起来", ON),
        ("把投影仪打开", ON),
        ("投影仪开起来", ON),
        ("打开投影仪的电源", ON),
        ("打开投影", ON),
        ("打开极米", ON),
        ("关闭投影仪", OFF),
        ("投影仪关闭", OFF),
        ("关掉投影仪", OFF),
        ("关上投影仪", OFF),
        ("关投影仪", OFF),
        ("投影仪关机", OFF),
        ("熄灭投影仪", OFF),
        ("把投影仪关了", OFF),
        ("投影仪给我关掉", OFF),
        ("投影仪马上关机", OFF),
        ("关闭投影仪电源", OFF),
        ("开关投影仪", Refusal.AMBIGUOUS),
        ("打开投影仪关闭", Refusal.AMBIGUOUS),
        ("投影仪开机关机", Refusal.AMBIGUOUS),
    ],
    "query": [
        ("投影仪开着吗", QUERY),
        ("投影仪是开着的吗", QUERY),
        ("投影仪开了吗", QUERY),
        ("投影仪关了吗", QUERY),
        ("投影仪是不是开着", QUERY),
        ("投影仪状态", QUERY),
        ("投影仪现在什么状态", QUERY),
        ("查询投影仪状态", QUERY),
        ("投影仪在干嘛", QUERY),
        ("投影仪在干什么呢", QUERY),
        ("投影仪在播放什么", QUERY),
        ("投影仪音量多少", QUERY),
        ("投影仪音量是多少", QUERY),
        ("投影仪开没开", QUERY),
        ("投影仪开了没有", QUERY),
        ("投影仪关没关", QUERY),
        ("投影仪是不是静音了", QUERY),
        ("投影仪现在是什么信号源", QUERY),
        ("投影仪怎么样了", QUERY),
        ("投影仪开了还是关了", QUERY),
        ("投影仪不是开着吗", QUERY),
        ("投影仪在哪里", Refusal.UNKNOWN),
    ],
    "negation": [
        ("别关投影仪", Refusal.NEGATION),
        ("不要打开投影仪", Refusal.NEGATION),
        ("投影仪不用开", Refusal.NEGATION),
        ("千万别关投影仪", Refusal.NEGATION),
        ("没让你关投影仪", Refusal.NEGATION),
        ("不想开投影仪", Refusal.NEGATION),
        ("甭开投影仪", Refusal.NEGATION),
        ("勿关投影仪", Refusal.NEGATION),
        ("禁止打开投影仪", Refusal.NEGATION),
        ("投影仪不要静音", Refusal.NEGATION),
        ("投影仪不静音", Refusal.NEGATION),
        ("投影仪先别暂停", Refusal.NEGATION),
        ("不要把投影仪音量调到三十", Refusal.NEGATION),
        ("投影仪不开", Refusal.NEGATION),
        ("投影仪没开", Refusal.NEGATION),
        ("不不不关投影仪", Refusal.NEGATION),
        ("别切到hdmi1投影仪", Refusal.NEGATION),
    ],
    "mute": [
        ("投影仪静音", MUTE),
        ("静音投影仪", MUTE),
        ("投影仪打开静音", MUTE),
        ("投影仪开启静音模式", MUTE),
        ("投影仪关掉声音", MUTE),
        ("关闭投影仪声音", MUTE),
        ("把投影仪声音关了", MUTE),
        ("投影仪闭嘴", MUTE),
        ("投影仪取消静音", UNMUTE),
        ("投影仪关闭静音", UNMUTE),
        ("投影仪关掉静音", UNMUTE),
        ("投影仪解除静音", UNMUTE),
        ("投影仪退出静音模式", UNMUTE),
        ("投影仪打开声音", UNMUTE),
        ("投影仪恢复声音", UNMUTE),
        ("投影仪声音打开", UNMUTE),
        ("投影仪静音取消", UNMUTE),
    ],
    "volume_set": [
        ("投影仪音量调到三十", vol(30)),
        ("投影仪音量设为30", vol(30)),
        ("投影仪音量30", vol(30)),
        ("投影仪音量百分之三十", vol(30)),
        ("投影仪音量调到30%", vol(30)),
        ("投影仪音量调到二十五", vol(25)),
        ("投影仪音量调到两", vol(2)),
        ("投影仪音量十", vol(10)),
        ("投影仪音量调到一百", vol(100)),
        ("投影仪音量百分百", vol(100)),
        ("投影仪音量零", vol(0)),
        ("投影仪音量调到0", vol(0)),
        ("投影仪音量调到一半", vol(50)),
        ("投影仪音量最大", vol(100)),
        ("投影仪音量调到最大", vol(100)),
        ("投影仪调到最大音量", vol(100)),
        ("投影仪最大声", vol(100)),
        ("投影仪音量最小", vol(0)),
        ("投影仪音量调到5格", vol(steps=5)),
        ("投影仪音量调到五级", vol(steps=5)),
        ("投影仪音量两格", vol(steps=2)),
        ("投影仪音量调到十档", vol(steps=10)),
        ("把投影仪的音量设置成四十", vol(40)),
        ("调投影仪音量到六十", vol(60)),
        ("投影仪声音调到七十", vol(70)),
        ("投影仪音量调高到三十", vol(30)),
        ("投影仪音量调到一百二十", Refusal.UNKNOWN),
        ("投影仪音量调到101", Refusal.UNKNOWN),
        ("投影仪音量调到一百零一格", Refusal.UNKNOWN),
        ("投影仪音量调到3.5", Refusal.UNKNOWN),
        ("投影仪音量调到百分之五格", Refusal.UNKNOWN),
        ("投影仪音量", Refusal.UNKNOWN),
        ("投影仪调到三十", Refusal.UNKNOWN),
    ],
    "volume_step": [
        ("投影仪音量大一点", UP),
        ("投影仪大声点", UP),
        ("投影仪声音大点", UP),
        ("调高投影仪音量", UP),
        ("投影仪音量加", UP),
        ("投影仪音量调高", UP),
        ("投影仪音量再大一些", UP),
        ("投影仪大一点", UP),
        ("投影仪调大一点", UP),
        ("投影仪开大声音", UP),
        ("投影仪音量+", UP),
        ("投影仪音量调高三格", up(steps=3)),
        ("投影仪音量调高两格", up(steps=2)),
        ("投影仪音量调高百分之十", up(10)),
        ("投影仪音量调高10%", up(10)),
        ("投影仪音量加十", up(10)),
        ("投影仪调高五格", up(steps=5)),
        ("投影仪音量小一点", DOWN),
        ("投影仪小一点", DOWN),
        ("投影仪小声点", DOWN),
        ("投影仪调低", DOWN),
        ("投影仪音量减", DOWN),
        ("投影仪声音小点", DOWN),
        ("调低投影仪音量", DOWN),
        ("投影仪关小声音", DOWN),
        ("投影仪音量调低三格", down(steps=3)),
        ("投影仪音量减百分之二十", down(20)),
        ("投影仪音量-5", down(5)),
        ("投影仪音量调高零格", Refusal.UNKNOWN),
        ("投影仪音量调高一百零一", Refusal.UNKNOWN),
        ("投影仪音量调高十一点", Refusal.UNKNOWN),
    ],
    "playback": [
        ("投影仪播放", PLAY),
        ("投影仪继续", PLAY),
        ("投影仪继续播放", PLAY),
        ("投影仪恢复播放", PLAY),
        ("投影仪开始播放", PLAY),
        ("投影仪取消暂停", PLAY),
        ("投影仪暂停", PAUSE),
        ("投影仪暂停播放", PAUSE),
        ("投影仪暂停一下", PAUSE),
        ("投影仪停止", STOP),
        ("投影仪停止播放", STOP),
        ("投影仪结束播放", STOP),
        ("投影仪播放周杰伦的歌", Refusal.UNKNOWN),
    ],
    "source": [
        ("投影仪切换到hdmi1", HDMI1),
        ("投影仪切到HDMI一", HDMI1),
        ("投影仪hdmi 2", HDMI2),
        ("投影仪信号源切换到HDMI二", HDMI2),
        ("投影仪输入源hdmi1", HDMI1),
        ("投影仪换到HDMI1", HDMI1),
        ("投影仪打开HDMI1", HDMI1),
        ("投影仪切换信号源到hdmi2", HDMI2),
        ("投影仪切到hdmi1接口", HDMI1),
        ("投影仪用hdmi 1", HDMI1),
        ("投影仪切换到ＨＤＭＩ２", HDMI2),
        ("投影仪调到hdmi2", HDMI2),
        ("投影仪切到hdmi", Refusal.UNKNOWN),
        ("投影仪切到hdmi3", Refusal.UNKNOWN),
        ("投影仪切到hdmi12", Refusal.UNKNOWN),
        ("投影仪切到hdmi1和hdmi2", Refusal.AMBIGUOUS),
        ("投影仪切换到电视盒子", BOX),
        ("投影仪打开电视盒子", BOX),
        ("投影仪切到盒子", BOX),
        ("投影仪打开云视听极光", APP),
        ("投影仪切到极光", APP),
        ("投影仪切到电视", Refusal.AMBIGUOUS),
        ("投影仪关闭hdmi1", Refusal.AMBIGUOUS),
    ],
    "navigation": [
        ("投影仪回到主页", HOME),
        ("投影仪返回主页", HOME),
        ("投影仪主页", HOME),
        ("投影仪回主页", HOME),
        ("投影仪桌面", HOME),
        ("投影仪回到桌面", HOME),
        ("投影仪返回首页", HOME),
        ("投影仪返回", BACK),
        ("投影仪后退", BACK),
        ("投影仪返回上一级", BACK),
        ("投影仪回到上一页", BACK),
        ("投影仪对焦", FOCUS),
        ("投影仪自动对焦", FOCUS),
        ("投影仪调焦", FOCUS),
        ("投影仪重新对焦", FOCUS),
        ("投影仪对一下焦", FOCUS),
        ("投影仪打开自动对焦", FOCUS),
        ("投影仪聚焦", FOCUS),
    ],
    "names": [
        ("打开客厅投影", cmd(Intent.TURN_ON, "living")),
        ("打开客厅投影仪", cmd(Intent.TURN_ON, "living")),
        ("大屏开机", cmd(Intent.TURN_ON, "living")),
        ("大屏投影仪暂停", cmd(Intent.PAUSE, "living")),
        ("卧室投影音量调到二十", VoiceCommand(Intent.VOLUME_SET, "bedroom", percent=20)),
        ("关闭卧室投影仪", cmd(Intent.TURN_OFF, "bedroom")),
        ("卧室投影开着吗", cmd(Intent.QUERY, "bedroom")),
        ("卧室投影切到盒子", VoiceCommand(Intent.SOURCE, "bedroom", source="电视盒子")),
        ("打开客厅投影和卧室投影", Refusal.AMBIGUOUS),
        ("大屏和卧室投影静音", Refusal.AMBIGUOUS),
        ("打开投影机", ON),
        ("打开极米投影仪", ON),
        ("打开xgimi", ON),
        ("打开XGIMI投影仪", ON),
        ("投影", Refusal.UNKNOWN),
        ("投影仪", Refusal.UNKNOWN),
        ("打开书房投影仪", Refusal.UNKNOWN),
    ],
    "devices": [
        ("打开空调", Refusal.OTHER_DEVICE),
        ("关灯", Refusal.OTHER_DEVICE),
        ("打开电视", Refusal.OTHER_DEVICE),
        ("把窗帘打开", Refusal.OTHER_DEVICE),
        ("打开风扇", Refusal.OTHER_DEVICE),
        ("音箱音量调到三十", Refusal.OTHER_DEVICE),
        ("关闭热水器", Refusal.OTHER_DEVICE),
        ("打开空气净化器", Refusal.OTHER_DEVICE),
        ("扫地机器人开始扫地", Refusal.OTHER_DEVICE),
        ("关掉插座", Refusal.OTHER_DEVICE),
        ("小爱音箱暂停", Refusal.OTHER_DEVICE),
        ("打开幕布", Refusal.OTHER_DEVICE),
        ("空调开着吗", Refusal.OTHER_DEVICE),
        ("打开空调和投影仪", Refusal.AMBIGUOUS),
        ("关闭投影仪和灯", Refusal.AMBIGUOUS),
        ("投影仪和音响都静音", Refusal.AMBIGUOUS),
    ],
    "normalize": [
        ("小爱同学，打开投影仪", ON),
        ("小爱小爱 打开投影仪", ON),
        ("嘿小爱，关闭投影仪。", OFF),
        ("小爱同学，投影仪音量调到二十五！！", vol(25)),
        ("请帮我打开投影仪吧", ON),
        ("麻烦把投影仪关一下", OFF),
        ("给我打开投影仪呀", ON),
        ("能不能帮我打开投影仪呀？", ON),
        ("能打开投影仪吗", ON),
        ("投影仪能不能打开", ON),
        ("打开投影仪好吗", ON),
        ("嗯，投影仪暂停一下", PAUSE),
        ("  投影仪\t暂停  \n", PAUSE),
        ("投影仪,切换到,ＨＤＭＩ１!", HDMI1),
        ("打开投影仪😀😀", ON),
        ("投影仪音量调到５０％", vol(50)),
        ("不好意思，投影仪暂停", PAUSE),
        ("投影仪暂停，谢谢", PAUSE),
    ],
    "refused": [
        ("", Refusal.EMPTY),
        ("  ，。！？ ", Refusal.EMPTY),
        ("小爱同学", Refusal.EMPTY),
        ("今天天气怎么样", Refusal.UNKNOWN),
        ("讲个笑话", Refusal.UNKNOWN),
        ("十分钟后关闭投影仪", Refusal.UNKNOWN),
        ("一小时后打开投影仪", Refusal.UNKNOWN),
        ("明天早上打开投影仪", Refusal.UNKNOWN),
        ("投影仪怎么关", Refusal.UNKNOWN),
        ("投影仪为什么没声音", Refusal.UNKNOWN),
        ("要不要打开投影仪", Refusal.UNKNOWN),
        ("打开所有投影仪", Refusal.UNKNOWN),
        ("投影仪开着", Refusal.OWN_REPLY),  # our status answer, not a command
        ("打开投影仪看电影", Refusal.UNKNOWN),
        ("投影仪亮度调到五十", Refusal.UNKNOWN),
        ("打开投影仪然后暂停", Refusal.AMBIGUOUS),
        ("打开投影仪音量调到三十", Refusal.AMBIGUOUS),
        ("投影仪" * 80, Refusal.UNKNOWN),
    ],
    # Our own replies coming back (a speaker that logs its answer): refused, answered by silence.
    "own_reply": [
        ("好的，投影仪音量调到百分之三十", Refusal.OWN_REPLY),
        ("好的，投影仪继续播放", Refusal.OWN_REPLY),
        ("好的，投影仪音量调高了，现在是百分之四十五", Refusal.OWN_REPLY),
        ("小爱同学，好的，投影仪音量调低了", Refusal.OWN_REPLY),
        ("好的", Refusal.OWN_REPLY),
        ("抱歉，我没听懂", Refusal.OWN_REPLY),
        ("跟我说 好的，投影仪已关机", Refusal.OWN_REPLY),
        ("投影仪已静音", Refusal.OWN_REPLY),
        ("客厅投影已经是静音了", Refusal.OWN_REPLY),
        ("投影仪正在开机，请稍等", Refusal.OWN_REPLY),
        ("投影仪开着，正在播放", Refusal.OWN_REPLY),
        ("投影仪现在是关着的", Refusal.OWN_REPLY),
        ("投影仪音量没有变化", Refusal.OWN_REPLY),
        ("投影仪的智能插座连不上，请检查插座", Refusal.OWN_REPLY),
        ("没有配置智能插座，投影仪待机时无法开机", Refusal.OWN_REPLY),
        # Questions with the same words stay questions; commands stay commands.
        ("投影仪已经开了吗", QUERY),
        ("投影仪是不是正在播放", QUERY),
        ("投影仪音量调到百分之三十", vol(30)),
        ("嗯，投影仪暂停", PAUSE),
    ],
    "no_target": [
        ("开机", Refusal.NO_TARGET),
        ("关机", Refusal.NO_TARGET),
        ("暂停", Refusal.NO_TARGET),
        ("音量调到三十", Refusal.NO_TARGET),
        ("打开HDMI1", Refusal.NO_TARGET),
        ("切换到电视盒子", Refusal.NO_TARGET),
        ("开着吗", Refusal.NO_TARGET),
        ("别暂停", Refusal.NO_TARGET),
        ("打开", Refusal.UNKNOWN),
        ("小一点", Refusal.UNKNOWN),
    ],
}

# Parsed with require_name=False.
FREE_CASES: dict[str, list[tuple[str, Expected]]] = {
    "free": [
        ("暂停", PAUSE),
        ("继续", PLAY),
        ("播放", PLAY),
        ("停止播放", STOP),
        ("音量调到30", vol(30)),
        ("音量百分之三十", vol(30)),
        ("音量调到一半", vol(50)),
        ("把音量调到一百", vol(100)),
        ("音量调高三格", up(steps=3)),
        ("大声点", UP),
        ("小声点", DOWN),
        ("音量大一点", UP),
        ("开机", ON),
        ("关机", OFF),
        ("打开", Refusal.UNKNOWN),
        ("关闭", Refusal.UNKNOWN),
        ("调高", Refusal.UNKNOWN),
        ("小一点", Refusal.UNKNOWN),
        ("静音", MUTE),
        ("取消静音", UNMUTE),
        ("关闭静音", UNMUTE),
        ("打开声音", UNMUTE),
        ("打开HDMI1", HDMI1),
        ("hdmi 2", HDMI2),
        ("切换到电视盒子", BOX),
        ("打开电视盒子", BOX),
        ("打开极光", APP),
        ("切换到电视", Refusal.OTHER_DEVICE),
        ("返回主页", HOME),
        ("返回", BACK),
        ("对焦", FOCUS),
        ("状态", QUERY),
        ("音量多少", QUERY),
        ("开着吗", QUERY),
        ("现在几点了", Refusal.UNKNOWN),
        ("别暂停", Refusal.NEGATION),
        ("不要静音", Refusal.NEGATION),
        ("打开空调", Refusal.OTHER_DEVICE),
        ("播放音乐", Refusal.UNKNOWN),
        ("hdmi", Refusal.UNKNOWN),
        ("打开投影仪", ON),
        ("大屏暂停", cmd(Intent.PAUSE, "living")),
    ],
}


def _label(expected: Expected) -> str:
    if isinstance(expected, Refusal):
        return f"refused-{expected.value}"
    parts = [expected.intent.value]
    for field in ("target", "percent", "steps"):
        if (value := getattr(expected, field)) is not None:
            parts.append(f"{field}{value}")
    if expected.source is not None:
        parts.append(expected.source if expected.source.isascii() else "alias")
    return "-".join(parts)


def _params(cases: dict[str, list[tuple[str, Expected]]]) -> list[object]:
    return [
        pytest.param(text, expected, id=f"{group}-{i:02d}-{_label(expected)}")
        for group, rows in cases.items()
        for i, (text, expected) in enumerate(rows)
    ]


def _outcome(result: ParseResult) -> Expected:
    assert result.matched == (result.command is not None)
    if result.command is not None:
        assert result.refusal is None
        return result.command
    assert result.refusal is not None
    return result.refusal


def test_table_size() -> None:
    """The brief asks for at least 220 table cases."""
    total = sum(len(rows) for rows in (*NAMED_CASES.values(), *FREE_CASES.values()))
    assert total >= 220


@pytest.mark.parametrize(("text", "expected"), _params(NAMED_CASES))
def test_parse_named(text: str, expected: Expected) -> None:
    result = parse(text, targets=TARGETS, sources=SOURCES)
    assert _outcome(result) == expected, (text, result)


@pytest.mark.parametrize(("text", "expected"), _params(FREE_CASES))
def test_parse_without_name(text: str, expected: Expected) -> None:
    result = parse(text, targets=TARGETS, sources=SOURCES, require_name=False)
    assert _outcome(result) == expected, (text, result)


def test_parse_defaults() -> None:
    """Without targets/sources, generic names still work and require_name is on."""
    assert parse("打开投影仪").command == ON
    assert parse("暂停").refusal is Refusal.NO_TARGET
    assert parse("打开电视盒子").refusal is Refusal.OTHER_DEVICE  # no source alias: 电视
    assert parse("打开客厅投影").refusal is Refusal.UNKNOWN  # 客厅 unknown without an alias


def test_parse_result_text_is_normalized() -> None:
    result = parse("小爱同学，请把投影仪打开吧！")
    assert result.text == "投影仪打开"
    assert result.command == ON


def test_alias_priority_and_conflicts() -> None:
    # A configured alias beats the other-device word it equals.
    assert parse("打开电视", targets={"tv": ["电视"]}).command == cmd(Intent.TURN_ON, "tv")
    # An alias shared by two projectors is ambiguous when said.
    shared = {"a": ["投影仪"], "b": ["投影仪"]}
    assert parse("打开投影仪", targets=shared).refusal is Refusal.AMBIGUOUS
    # An alias shared by two sources too.
    sources = {"x": ["盒子"], "y": ["盒子"]}
    assert parse("投影仪切到盒子", sources=sources).refusal is Refusal.AMBIGUOUS
    # A plain string instead of a list of aliases is one alias, not characters.
    assert parse("大屏开机", targets={"e": "大屏"}).command == cmd(Intent.TURN_ON, "e")
    # Aliases are normalized like the text.
    assert parse("Living Room 开机", targets={"e": ["living room"]}).command == cmd(
        Intent.TURN_ON, "e"
    )


def test_source_key_never_raw_text() -> None:
    result = parse("投影仪切到盒子", sources={"box": ["盒子"]})
    assert result.command == cmd(Intent.SOURCE, source="box")


def test_parse_result_requires_exactly_one() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        ParseResult("x", None, None)
    with pytest.raises(ValueError, match="exactly one"):
        ParseResult("x", ON, Refusal.UNKNOWN)


# ---------------------------------------------------------------------------
# normalize
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("小爱同学，打开投影仪。", "打开投影仪", id="wake-punct"),
        pytest.param("小爱小爱打开投影仪", "打开投影仪", id="double-wake"),
        pytest.param("嘿小爱 关投影仪", "关投影仪", id="hey-wake"),
        pytest.param("Hi小爱同学 暂停", "暂停", id="ascii-wake"),
        pytest.param("ＨＤＭＩ１", "hdmi1", id="fullwidth"),
        pytest.param("HDMI 2", "hdmi2", id="space-lower"),
        pytest.param("请帮我把投影仪打开一下吧", "投影仪打开", id="fillers"),
        pytest.param("麻烦你给我关掉投影仪啊", "关掉投影仪", id="more-fillers"),
        pytest.param("投影仪开着吗？", "投影仪开着吗", id="question-kept"),
        pytest.param("投影仪关了", "投影仪关了", id="le-kept"),
        pytest.param("投影仪对一下焦", "投影仪对焦", id="yixia-inside"),
        pytest.param("音量加十一下", "音量加十一下", id="yixia-after-numeral"),
        pytest.param("音量调到３０％", "音量调到30%", id="percent-kept"),
        pytest.param("音量调到3.5", "音量调到3点5", id="decimal"),
        pytest.param("音量 +", "音量加", id="plus"),
        pytest.param("音量-", "音量减", id="minus"),
        pytest.param("打开;rm -rf /|`$x`", "打开rmrfx", id="shell"),
        pytest.param("吧啊呢", "", id="only-particles"),
        pytest.param("嗯，好的，暂停", "暂停", id="interjections"),
        pytest.param("打开投影仪好不好", "打开投影仪", id="tag-question"),
        pytest.param("😀🎬", "", id="emoji"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected
