"""Grammar: the phrase rules a sentence must match completely, and the question, negation and
filler patterns checked before them.

Everything here works on the skeleton :func:`.lexicon.scan` leaves: projector names removed, a
source replaced by :data:`.lexicon.SRC`.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from .lexicon import SRC
from .model import Intent
from .numbers import chinese_number


def _alt(*words: str) -> str:
    """A non-capturing alternation, longest words first."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


POLITE_RE = re.compile(r"^(?:你|您)?(?:能不能|可不可以|能否|能|可以)|能不能|可不可以|能否")
"""A polite request (能不能打开投影仪(吗)): removed, and a trailing 吗 with it."""

UNSUPPORTED_RE = re.compile(
    "怎么(?!样)|"  # how/why: not a command
    + _alt(
        *("为什么", "为啥", "要不要", "咋"),
        *("分钟", "小时", "秒后", "秒钟", "以后", "之后", "待会", "等会", "一会", "稍后"),
        *("明天", "今天", "今晚", "晚上", "早上", "中午", "点钟", "定时", "倒计时", "预约"),
        *("每天", "所有", "全部"),
    )
)
"""Delayed, repeated or how/why sentences are refused (UNKNOWN), never run now."""

QUESTION_RE = re.compile(
    r"[吗么]$|没有?$|是不是|有没有|是否|还是|什么|多少|多大|几|啥|哪|干嘛|怎么样|怎样|如何"
    r"|(?P<a>[^不没])[不没](?P=a)"  # 开不开, 开没开
)
"""A question (吗, 是不是, 多少, 开不开…): a QUERY when it asks about the projector."""
QUESTION_TOPIC_RE = re.compile(
    "开|关|亮|运行|工作|待机|休眠|睡|状态|情况|音量|声音|静音|播|放|看|干|做|信号|输入|在吗$|"
    "怎么样|怎样|如何|" + SRC
)
"""What a question must be about to be a QUERY: power, volume, playback or the source."""
NEGATION_RE = re.compile(r"[不没别甭勿莫]|禁止")
"""Any of these left after questions are taken out refuses the sentence.

不静音 / 不要静音 are NEGATION too (not UNMUTE): "don't mute" and "unmute" differ.
"""

REPLY_PREFIX_RE = re.compile("^" + _alt("好的", "抱歉", "跟我说", "没有配置", "暂时不知道"))
"""How a reply of :mod:`.reply` begins when it does not begin with the projector's name
(好的，投影仪音量调到百分之三十; 抱歉…), and 跟我说, which Xiaomi Miot Auto puts before a
text it has a speaker say (``docs/xiaoai.md`` §1.4). Checked on :func:`.lexicon.surface`:
such a sentence is our own reply coming back, never a command (OWN_REPLY)."""
REPLY_STATEMENT_RE = re.compile(
    _alt("已", "正在", "失败", "连不上", "开着", "关着", "在待机", "没有")
)
"""What the other replies report (投影仪已静音, 投影仪正在开机, 投影仪开着，正在播放…): a statement
(not a question) with one of these words is a report, never a command (OWN_REPLY)."""

SKELETON_FILLER_RE = re.compile(
    _alt(
        *("的", "了", "现在", "马上", "立刻", "立即", "赶紧", "赶快", "快点", "快"),
        *("给", "帮", "我们", "我", "你", "您", "咱们", "咱", "它", "那个", "这个"),
        *("再", "都", "也", "就", "先", "让", "叫", "我要", "我想", "想要", "想", "要"),
    )
)
"""Harmless words dropped after negations were checked (so 不要 is seen first)."""

_VOL = _alt("音量", "声音")
_ON = _alt("打开", "开启", "启动", "开", "点亮", "亮起", "唤醒", "启用")
_OFF = _alt("关闭", "关掉", "关上", "关", "熄灭")
_SET_VERB = _alt(
    *("调到", "调至", "调成", "调为", "调整到", "调整为", "调节到", "调", "到", "为", "成"),
    *("设为", "设置为", "设置成", "设置到", "设成", "设到", "设置", "改为", "改成", "改到"),
    *("开到", "放到", "变成", "变为", "定为", "升到", "降到", "加到", "减到"),
    *("调高到", "调低到", "调大到", "调小到", "提高到", "降低到", "开大到", "关小到"),
)
_SET_PREFIX = _alt("调", "调整", "调节", "设置", "设", "将")
_UP = _alt(
    *("调高", "调大", "加大", "增大", "提高", "升高", "开大", "放大", "提升", "增加", "加高"),
    *("调响", "往上调", "向上调", "上调", "调上去", "加", "大", "高", "响", "升"),
)
_DOWN = _alt(
    *("调低", "调小", "减小", "降低", "减少", "关小", "开小", "放小", "调轻", "往下调"),
    *("向下调", "下调", "调下来", "降", "减", "小", "低", "轻"),
)
_UP_NAMED = _alt("调高", "调大", "加大", "增大", "提高", "开大", "放大", "调响", "往上调")
_DOWN_NAMED = _alt("调低", "调小", "减小", "降低", "关小", "开小", "放小", "调轻", "往下调")
_MORE = _alt("一点点", "一点儿", "一点", "点儿", "点", "一些", "些")
_NUM = (
    r"(?:百分之|百分)?(?:[0-9]{1,6}|[零〇一二两三四五六七八九十百千]{1,8})(?:%|个格|格|级|档|个)?"
)
_EXTREME = _alt("最大声", "最大", "最高", "最响", "满格", "满", "最小声", "最小", "最低", "最轻")
_AMOUNT_SET = rf"(?P<amt>{_NUM}|{_EXTREME}|一半|半)"
_AMOUNT_REL = rf"(?:(?P<amt>{_NUM})(?![点些]|一点|一些))"  # 大一点 is not "1 percent more"
_SOURCE_VERB = _alt(
    *("切换到", "切换至", "切换成", "切换为", "切到", "切至", "切成", "切换", "切", "换到"),
    *("换成", "换至", "换", "转到", "转", "调到", "跳到", "设为", "设置为", "设置成", "改为"),
    *("改成", "改到", "选择", "选", "使用", "用", "打开", "开启", "开", "进入", "去", "到", "看"),
)
_SOURCE_NOUN = _alt("信号源", "输入源", "信号输入", "信号", "输入", "源", "通道")
_SOURCE_VERB2 = _alt("切换到", "切换成", "切到", "换到", "换成", "调到", "设为", "改为", "为", "到")
_SOURCE_SUFFIX = _alt("信号源", "输入源", "信号", "输入", "源", "接口", "口", "通道", "频道")


@dataclass(frozen=True, slots=True)
class Rule:
    """One phrase rule: a sentence whose skeleton fully matches ``pattern`` means ``intent``."""

    intent: Intent
    pattern: re.Pattern[str]
    needs_name: bool
    """True for bare verbs (打开, 调高): they need the projector as their object."""


def _rule(intent: Intent, pattern: str, *, needs_name: bool = False) -> Rule:
    return Rule(intent, re.compile(pattern), needs_name)


RULES: tuple[Rule, ...] = (
    _rule(Intent.TURN_ON, "开机"),
    _rule(Intent.TURN_ON, rf"{_ON}(?:起来|来)?|{_ON}电源|电源{_ON}|开开", needs_name=True),
    _rule(Intent.TURN_OFF, "关机"),
    _rule(Intent.TURN_OFF, rf"{_OFF}(?:电源)?|电源{_OFF}", needs_name=True),
    _rule(Intent.VOLUME_SET, rf"{_SET_PREFIX}?{_VOL}{_SET_VERB}?{_AMOUNT_SET}"),
    _rule(Intent.VOLUME_SET, rf"{_SET_VERB}?(?P<amt>最大|最高|最小|最低){_VOL}"),
    _rule(Intent.VOLUME_SET, r"(?:调到|开到|放到)?(?P<amt>最大|最小)声"),
    _rule(Intent.VOLUME_UP, rf"{_VOL}{_UP}{_AMOUNT_REL}?{_MORE}?"),
    _rule(Intent.VOLUME_UP, rf"{_UP}{_VOL}{_AMOUNT_REL}?{_MORE}?"),
    _rule(Intent.VOLUME_UP, rf"{_UP}{_AMOUNT_REL}{_VOL}"),
    _rule(Intent.VOLUME_UP, rf"大声{_MORE}?|大{_MORE}声"),
    _rule(Intent.VOLUME_UP, rf"{_UP_NAMED}{_AMOUNT_REL}?{_MORE}?|[大高响]{_MORE}", needs_name=True),
    _rule(Intent.VOLUME_DOWN, rf"{_VOL}{_DOWN}{_AMOUNT_REL}?{_MORE}?"),
    _rule(Intent.VOLUME_DOWN, rf"{_DOWN}{_VOL}{_AMOUNT_REL}?{_MORE}?"),
    _rule(Intent.VOLUME_DOWN, rf"{_DOWN}{_AMOUNT_REL}{_VOL}"),
    _rule(Intent.VOLUME_DOWN, rf"[小轻]声{_MORE}?|[小轻]{_MORE}声"),
    _rule(
        Intent.VOLUME_DOWN, rf"{_DOWN_NAMED}{_AMOUNT_REL}?{_MORE}?|[小低轻]{_MORE}", needs_name=True
    ),
    _rule(
        Intent.MUTE,
        r"(?:打开|开启|开|启用|进入|设为|设置为|设置成|设成|调成|调为|调到|切换到|切换成|切到)?"
        r"静音(?:模式)?|(?:关闭|关掉|关上|关|消除|去掉)(?:声音|音量)|(?:声音|音量)(?:关闭|关掉|关上|关)"
        r"|闭嘴|消音|mute",
    ),
    _rule(
        Intent.UNMUTE,
        r"(?:取消|解除|关闭|关掉|关上|关|退出|结束|停止)静音(?:模式)?"
        r"|静音(?:模式)?(?:取消|解除|关闭|关掉|关|退出)"
        r"|(?:打开|开启|开|恢复|还原)(?:声音|音量)|(?:声音|音量)(?:打开|开启|开|恢复|还原)|unmute",
    ),
    _rule(Intent.PLAY, r"(?:继续|恢复|开始|接着)(?:播放|播|放|看)|播放|继续|取消暂停|play|resume"),
    _rule(Intent.PAUSE, r"暂停(?:播放)?|pause"),
    _rule(Intent.STOP, r"停止(?:播放)?|结束播放|停播|stop"),
    _rule(
        Intent.SOURCE,
        rf"{_SOURCE_VERB}?{_SOURCE_NOUN}?{_SOURCE_VERB2}?{SRC}{_SOURCE_SUFFIX}?",
    ),
    _rule(
        Intent.HOME,
        r"(?:回到|返回到|返回|回|去|打开|进入|退回到|退回|退到|切换到|切到|到|跳到|显示)?"
        r"(?:主页面|主页|桌面|首页|主界面|主屏幕|主菜单|home)",
    ),
    _rule(
        Intent.BACK,
        r"(?:返回|回到|回)(?:上一级|上级|上一页|上一步|上一层|上一个)"
        r"|返回|后退|回退|退回|上一级|上一页|back",
    ),
    _rule(
        Intent.AUTOFOCUS,
        r"(?:打开|开启|启动|开始|进行|执行)?(?:自动|重新)?"
        r"(?:对焦|调焦|聚焦|对个焦|调焦距|调整焦距|校准焦距|校焦)",
    ),
    _rule(
        Intent.QUERY,
        r"(?:查询|查看|查|看看|看下|报告|汇报)?(?:当前|目前)?"
        r"(?:状态|情况|运行状态|开关状态|电源状态|开机状态|工作状态)|查询|查看|查查",
    ),
)
"""Every phrase rule; a skeleton matching rules of two intents is AMBIGUOUS."""

FAMILIES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        "开|启动|点亮|亮起|唤醒",
        "关|熄灭",
        "音量|声音|大声|小声",
        "静音",
        "播放|继续",
        "暂停",
        "停止",
        f"{SRC}|信号源|输入源|切换",
        "主页|桌面|首页",
        "返回|后退",
        "焦",
    )
)
"""Command families: an unmatched sentence with words of two of them is AMBIGUOUS."""

_STEP_UNITS = ("个格", "格", "级", "档", "个")
_AMOUNT_RE = re.compile(
    r"(?P<pct>百分之|百分)?(?P<num>[0-9]+|[零〇一二两三四五六七八九十百千]+)(?P<unit>%|个格|格|级|档|个)?"
)
_FIXED_AMOUNTS: dict[str, int] = {
    **dict.fromkeys(("最大声", "最大", "最高", "最响", "满格", "满"), 100),
    **dict.fromkeys(("最小声", "最小", "最低", "最轻"), 0),
    **dict.fromkeys(("一半", "半"), 50),
}


def amount(raw: str) -> tuple[int | None, int | None] | None:
    """``(percent, steps)`` for an amount phrase, or ``None`` if unreadable."""
    if raw in _FIXED_AMOUNTS:
        return _FIXED_AMOUNTS[raw], None
    m = _AMOUNT_RE.fullmatch(raw)
    if m is None:
        return None
    number = chinese_number(m.group("num"))
    if number is None:
        return None
    if m.group("unit") in _STEP_UNITS:
        return (None, number) if m.group("pct") is None else None
    return number, None
