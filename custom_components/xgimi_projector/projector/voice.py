"""Chinese voice commands for the projector: a pure parser and a reply builder.

Text heard by Xiaoai (小爱同学) is turned into a :class:`ParseResult`: either a
:class:`VoiceCommand` or a :class:`Refusal`. The parser refuses rather than
guesses: a sentence must match one of a small set of phrase rules *completely*
(after harmless filler words are dropped), otherwise it is refused.

Pipeline of :func:`parse`:

1. :func:`normalize`: NFKC, lower case, no punctuation or spaces, no wake word
   (小爱同学…), no polite fillers (请, 帮我, 一下, trailing 吧/呀…).
2. Scan the text once, longest match first, for projector names
   (:data:`GENERIC_NAMES` plus the ``targets`` aliases), user source aliases
   (``sources``), ``hdmi<n>`` and other devices (空调, 灯, 电视…). Names are
   removed; a source becomes one placeholder character.
3. Refuse: two projectors named (AMBIGUOUS); another device named (OTHER_DEVICE,
   or AMBIGUOUS when the projector is named too); how/why questions and delayed
   commands (UNKNOWN).
4. Questions (吗, 是不是, 多少, 在干嘛…) about power, volume, playback or source
   are QUERY. Any remaining negation (不, 没, 别, 甭, 勿, 莫, 禁止) is NEGATION.
5. The rest must fully match one rule of :data:`_RULES`. No rule: AMBIGUOUS when
   words of two command families are present (开关投影仪, 打开投影仪然后暂停),
   otherwise UNKNOWN.

Nothing here does I/O or imports Home Assistant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
import enum
import re
from types import MappingProxyType
import unicodedata


class Intent(enum.StrEnum):
    """What the user asked the projector to do."""

    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    VOLUME_SET = "volume_set"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    MUTE = "mute"
    UNMUTE = "unmute"
    PLAY = "play"
    """Also 继续 / 继续播放 / 取消暂停."""
    PAUSE = "pause"
    STOP = "stop"
    SOURCE = "source"
    HOME = "home"
    BACK = "back"
    AUTOFOCUS = "autofocus"
    QUERY = "query"
    """A question about the projector's state (开着吗, 音量多少, 在干嘛, 状态)."""


class Refusal(enum.StrEnum):
    """Why a text was not turned into a command."""

    EMPTY = "empty"
    NEGATION = "negation"
    OTHER_DEVICE = "other_device"
    NO_TARGET = "no_target"
    """A complete command, but no projector name while ``require_name=True``."""
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    """Contradictory or several commands, or two different projectors named."""


@dataclass(frozen=True, slots=True)
class VoiceCommand:
    """One parsed command.

    ``percent`` and ``steps`` are never both set. For VOLUME_UP/DOWN both ``None``
    means "the default step" (音量大一点).
    """

    intent: Intent
    target: str | None = None
    """Key of the matched projector in ``targets``; ``None`` for a generic name or none."""
    percent: int | None = None
    """VOLUME_SET: 0..100. VOLUME_UP/DOWN: relative amount in percent, 1..100."""
    steps: int | None = None
    """VOLUME_SET: raw volume steps 0..100 (音量调到5格). VOLUME_UP/DOWN: 1..100 steps."""
    source: str | None = None
    """SOURCE: "HDMI1", "HDMI2" or a key of ``sources``; never raw user text."""


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Outcome of :func:`parse`: exactly one of ``command`` and ``refusal`` is set."""

    text: str
    """The normalized text that was matched."""
    command: VoiceCommand | None
    refusal: Refusal | None

    def __post_init__(self) -> None:
        """Enforce that exactly one of command/refusal is set."""
        if (self.command is None) == (self.refusal is None):
            raise ValueError("exactly one of command and refusal must be set")

    @property
    def matched(self) -> bool:
        """Whether the text is a command."""
        return self.command is not None


class Outcome(enum.StrEnum):
    """What happened when the glue executed a command (input of :func:`reply`)."""

    DONE = "done"
    ALREADY = "already"
    """Nothing to do: already on, already off, already muted…"""
    POWERING_ON = "powering_on"
    """A smart-plug power cycle started; the projector needs about a minute."""
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    NO_PLUG = "no_plug"
    NOT_SUPPORTED = "not_supported"


GENERIC_NAMES: tuple[str, ...] = (
    "投影仪",
    "投影机",
    "投影",
    "投影设备",
    "极米",
    "极米投影仪",
    "极米投影机",
    "极米投影",
    "xgimi",
    "xgimi投影仪",
    "projector",
)
"""Names that mean "the projector" without choosing one (target ``None``)."""

OTHER_DEVICES: tuple[str, ...] = (
    "空调",
    "灯",
    "电灯",
    "台灯",
    "吊灯",
    "灯带",
    "灯光",
    "电视",
    "电视机",
    "机顶盒",
    "窗帘",
    "纱帘",
    "风扇",
    "电风扇",
    "音箱",
    "音响",
    "回音壁",
    "功放",
    "热水器",
    "空气净化器",
    "净化器",
    "扫地机",
    "扫地机器人",
    "拖地机",
    "插座",
    "加湿器",
    "除湿机",
    "冰箱",
    "洗衣机",
    "烘干机",
    "洗碗机",
    "门锁",
    "摄像头",
    "监控",
    "幕布",
    "投影幕",
    "投影幕布",
    "电脑",
    "路由器",
    "电饭煲",
    "微波炉",
    "烤箱",
    "油烟机",
    "晾衣架",
    "浴霸",
    "暖气",
    "地暖",
    "新风",
    "取暖器",
    "电暖器",
    "热水壶",
    "手机",
    "平板",
    "闹钟",
)
"""Other smart-home devices: naming one refuses the command (OTHER_DEVICE)."""

MAX_TEXT_LENGTH = 200
"""Longer normalized texts are refused as UNKNOWN (voice commands are short)."""

_HDMI_SOURCES: dict[int, str] = {1: "HDMI1", 2: "HDMI2"}
_EMPTY: Mapping[str, Iterable[str]] = MappingProxyType({})

# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

_CN_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_MAX_ARABIC_DIGITS = 6
_ARABIC_RE = re.compile(r"[0-9]+")


def chinese_number(text: str) -> int | None:
    """Read a non-negative integer said in Chinese or Arabic digits.

    Handles "25", "二十五", "两" (2), "十" (10), "一百" (100), "百" (100),
    "一百零五" (105), colloquial "一百二" (120) and "三千五" (3500), "零" (0).
    A "百分之" prefix or a "%" suffix is accepted and ignored, so
    "百分之三十" and "30%" are both 30 (the caller decides it is a percentage).
    Returns ``None`` for anything else, including digit strings like "三五"
    (which colloquially means "three or five"), "一半", mixed "3十", and more
    than six Arabic digits.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if s.startswith("百分之"):
        s = s[3:]
    elif s.endswith("%"):
        s = s[:-1]
    if not s:
        return None
    if _ARABIC_RE.fullmatch(s):
        return int(s) if len(s) <= _MAX_ARABIC_DIGITS else None
    if len(s) == 1 and s in _CN_DIGITS:
        return _CN_DIGITS[s]
    return _positional_number(s)


def _positional_number(s: str) -> int | None:
    """Chinese numerals with units (十, 百, 千); ``None`` if malformed."""
    total = 0
    digit: int | None = None
    last_unit = 10_000
    zero = False
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None
            value = _CN_DIGITS[ch]
            if value == 0:
                if last_unit == 10_000 or zero:
                    return None
                zero = True
            else:
                digit = value
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None
            if digit is None:
                # A bare unit: only at the start (十五, 百) or after 零 (一千零十).
                if last_unit != 10_000 and not zero:
                    return None
                digit = 1
            total += digit * unit
            last_unit, digit, zero = unit, None, False
        else:
            return None
    if digit is not None:
        if not zero and last_unit >= 100:
            total += digit * last_unit // 10  # 一百二 = 120, 三千五 = 3500
        else:
            total += digit
    elif zero:
        return None  # a trailing 零 (一百零)
    return total


_SPOKEN_DIGITS = "零一二三四五六七八九"


def _spoken_number(n: int) -> str:
    """Write 0..9999 in Chinese characters (30 → 三十, 105 → 一百零五)."""
    if not 0 <= n <= 9999:
        return str(n)
    if n < 10:
        return _SPOKEN_DIGITS[n]
    if n < 20:
        return "十" + (_SPOKEN_DIGITS[n % 10] if n % 10 else "")
    parts: list[str] = []
    pending_zero = False
    started = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        d = n // value % 10
        if d:
            if pending_zero:
                parts.append("零")
            parts.append(_SPOKEN_DIGITS[d] + unit)
            pending_zero, started = False, True
        elif started:
            pending_zero = True
    if n % 10:
        if pending_zero:
            parts.append("零")
        parts.append(_SPOKEN_DIGITS[n % 10])
    return "".join(parts)


# ---------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------

_WAKE_RE = re.compile(r"^(?:(?:嘿|嗨|hi|hey|哈喽|hello|你好|喂)?小爱(?:同学|老师)?)+")
_LEADING_RE = re.compile(r"^(?:嗯|呃|额|哎|诶|唉|喂|那个|那么|那|好的|好|ok|okay)+")
_FILLER_RE = re.compile(
    r"请|帮我|帮忙|给我|麻烦你|麻烦|谢谢你|谢谢|不好意思|对不起|把"
    r"|(?<![零〇一二两三四五六七八九十百千0-9])一下"  # keep 十一下 intact: it is refused later
)
_TRAILING_RE = re.compile(
    r"(?:吧|呀|啊|呢|哦|喔|噢|啦|哈|呗|好吗|好不好|好嘛|行吗|行不行|可以吗|可以不|谢谢你|谢谢|ok)$"
)
_DECIMAL_RE = re.compile(r"(?<=[0-9])\.(?=[0-9])")
_VOLUME_SIGN_RE = re.compile(r"(音量|声音)\s*([+-])")
_MINUS_RE = re.compile(r"(?<![a-z0-9])-(?=[0-9])")


def _strip_symbols(text: str) -> str:
    """NFKC, lower case, keep letters, digits, CJK characters and "%"."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = _DECIMAL_RE.sub("点", s)  # 3.5 must not become 35
    s = _VOLUME_SIGN_RE.sub(lambda m: m.group(1) + ("加" if m.group(2) == "+" else "减"), s)
    s = _MINUS_RE.sub("负", s)
    return "".join(ch for ch in s if ch.isalnum() or ch == "%")


def normalize(text: str) -> str:
    """Normalize a heard sentence for matching.

    NFKC (full-width → half-width), lower case, whitespace/punctuation/emoji
    removed ("%" kept), wake words removed at the start (小爱同学, 小爱小爱,
    嘿小爱…), leading interjections (嗯, 那, 好的…), fillers anywhere (请, 帮我,
    给我, 麻烦, 把, 谢谢, 不好意思, 一下 unless right after a numeral), and at the
    end tag questions and particles (吧, 呀, 啊, 呢, 哦, 啦, 好吗, 好不好, 行吗,
    可以吗…). 吗 and 了 are kept: they make questions.
    """
    s = _strip_symbols(text)
    while True:
        before = s
        s = _WAKE_RE.sub("", s)
        s = _LEADING_RE.sub("", s)
        s = _FILLER_RE.sub("", s)
        s = _TRAILING_RE.sub("", s)
        if s == before:
            return s


# ---------------------------------------------------------------------------
# Scanning names, sources and devices
# ---------------------------------------------------------------------------

_SRC = "\ue001"
"""Placeholder for one source (HDMI or a user source alias) in the skeleton."""
_DEV = "\ue002"
"""Placeholder for another device (only used to refuse)."""

_HDMI_RE = re.compile(
    r"hdmi(?:接口|端口|口)?(?P<n>[0-9]{1,3}|[一二两三四五六七八九十]{1,3})?(?:号)?(?:接口|端口|口)?"
)

_KIND_DEVICE = 0
_KIND_GENERIC = 1
_KIND_TARGET = 2
_KIND_SOURCE = 3


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    keys: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Scan:
    skeleton: str = ""
    named: bool = False
    """A projector name (generic or alias) was found."""
    targets: set[str] = field(default_factory=set)
    target_conflict: bool = False
    sources: list[str | None] = field(default_factory=list)
    """One entry per source mention; ``None`` for an HDMI input other than 1 and 2."""
    source_conflict: bool = False
    devices: int = 0


def _alias_forms(alias: str) -> set[str]:
    """The forms under which an alias can appear in normalized text."""
    return {form for form in (_strip_symbols(alias), normalize(alias)) if form}


def _add_keyed(lex: dict[str, _Entry], kind: int, mapping: Mapping[str, Iterable[str]]) -> None:
    for key, aliases in mapping.items():
        words = (aliases,) if isinstance(aliases, str) else aliases
        for alias in words:
            for form in _alias_forms(alias):
                old = lex.get(form)
                keys = old.keys | {key} if old is not None and old.kind == kind else {key}
                lex[form] = _Entry(kind, frozenset(keys))


def _lexicon(
    targets: Mapping[str, Iterable[str]], sources: Mapping[str, Iterable[str]]
) -> dict[str, _Entry]:
    """Words to find in the text. On equal spelling: source > target > generic > device."""
    lex = dict.fromkeys(OTHER_DEVICES, _Entry(_KIND_DEVICE))
    lex.update(dict.fromkeys(GENERIC_NAMES, _Entry(_KIND_GENERIC)))
    _add_keyed(lex, _KIND_TARGET, targets)
    _add_keyed(lex, _KIND_SOURCE, sources)
    return lex


def _hdmi_source(match: re.Match[str]) -> str | None:
    raw = match.group("n")
    number = chinese_number(raw) if raw else None
    return _HDMI_SOURCES.get(number) if number is not None else None


def _extend_name(text: str, start: int, end: int) -> int:
    """Extend a name over a generic name it overlaps: alias 客厅投影 + 仪 → 客厅投影仪."""
    extended = True
    while extended:
        extended = False
        for k in range(start, end):
            for generic in GENERIC_NAMES:
                if k + len(generic) > end and text.startswith(generic, k):
                    end, extended = k + len(generic), True
    return end


def _scan(text: str, lex: Mapping[str, _Entry]) -> _Scan:
    """Find names, sources and devices, longest match first, left to right."""
    scan = _Scan()
    longest = max(map(len, lex))
    out: list[str] = []
    i = 0
    while i < len(text):
        entry: _Entry | None = None
        size = 0
        for length in range(min(longest, len(text) - i), 0, -1):
            entry = lex.get(text[i : i + length])
            if entry is not None:
                size = length
                break
        hdmi = _HDMI_RE.match(text, i)
        if hdmi is not None and hdmi.end() - i > size:
            scan.sources.append(_hdmi_source(hdmi))
            out.append(_SRC)
            i = hdmi.end()
            continue
        if entry is None:
            out.append(text[i])
            i += 1
            continue
        end = i + size
        if entry.kind in (_KIND_GENERIC, _KIND_TARGET):
            end = _extend_name(text, i, end)
        i = end
        if entry.kind == _KIND_DEVICE:
            scan.devices += 1
            out.append(_DEV)
        elif entry.kind == _KIND_SOURCE:
            scan.source_conflict |= len(entry.keys) > 1
            scan.sources.extend(sorted(entry.keys))
            out.append(_SRC)
        else:
            scan.named = True
            if entry.kind == _KIND_TARGET:
                scan.target_conflict |= len(entry.keys) > 1
                scan.targets.update(entry.keys)
    scan.skeleton = "".join(out)
    return scan


# ---------------------------------------------------------------------------
# Phrase tables
# ---------------------------------------------------------------------------


def _alt(*words: str) -> str:
    """A non-capturing alternation, longest words first."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


_POLITE_RE = re.compile(r"^(?:你|您)?(?:能不能|可不可以|能否|能|可以)|能不能|可不可以|能否")
"""A polite request (能不能打开投影仪(吗)): removed, and a trailing 吗 with it."""

_UNSUPPORTED_RE = re.compile(
    "怎么(?!样)|"  # how/why: not a command
    + _alt(
        *("为什么", "为啥", "要不要", "咋"),
        *("分钟", "小时", "秒后", "秒钟", "以后", "之后", "待会", "等会", "一会", "稍后"),
        *("明天", "今天", "今晚", "晚上", "早上", "中午", "点钟", "定时", "倒计时", "预约"),
        *("每天", "所有", "全部"),
    )
)
"""Delayed, repeated or how/why sentences are refused (UNKNOWN), never run now."""

_QUESTION_RE = re.compile(
    r"[吗么]$|没有?$|是不是|有没有|是否|还是|什么|多少|多大|几|啥|哪|干嘛|怎么样|怎样|如何"
    r"|(?P<a>[^不没])[不没](?P=a)"  # 开不开, 开没开
)
_QUESTION_TOPIC_RE = re.compile(
    "开|关|亮|运行|工作|待机|休眠|睡|状态|情况|音量|声音|静音|播|放|看|干|做|信号|输入|在吗$|"
    "怎么样|怎样|如何|" + _SRC
)
_NEGATION_RE = re.compile(r"[不没别甭勿莫]|禁止")
"""Any of these left after questions are taken out refuses the sentence.

不静音 / 不要静音 are NEGATION too (not UNMUTE): "don't mute" and "unmute" differ.
"""

_SKELETON_FILLER_RE = re.compile(
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
class _Rule:
    intent: Intent
    pattern: re.Pattern[str]
    needs_name: bool
    """True for bare verbs (打开, 调高): they need the projector as their object."""


def _rule(intent: Intent, pattern: str, *, needs_name: bool = False) -> _Rule:
    return _Rule(intent, re.compile(pattern), needs_name)


_RULES: tuple[_Rule, ...] = (
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
        rf"{_SOURCE_VERB}?{_SOURCE_NOUN}?{_SOURCE_VERB2}?{_SRC}{_SOURCE_SUFFIX}?",
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

_FAMILIES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        "开|启动|点亮|亮起|唤醒",
        "关|熄灭",
        "音量|声音|大声|小声",
        "静音",
        "播放|继续",
        "暂停",
        "停止",
        f"{_SRC}|信号源|输入源|切换",
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


def _amount(raw: str) -> tuple[int | None, int | None] | None:
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


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _refuse(text: str, refusal: Refusal) -> ParseResult:
    return ParseResult(text, None, refusal)


def _command(
    match: re.Match[str], intent: Intent, sources: list[str | None]
) -> VoiceCommand | Refusal:
    """Build the command of a matched rule, validating amounts and sources."""
    raw = match.groupdict().get("amt")
    if intent is Intent.VOLUME_SET:
        amount = _amount(raw) if raw else None
        if amount is None:
            return Refusal.UNKNOWN
        percent, steps = amount
        if (percent is not None and percent > 100) or (steps is not None and steps > 100):
            return Refusal.UNKNOWN  # never clamp silently
        return VoiceCommand(intent, percent=percent, steps=steps)
    if intent in (Intent.VOLUME_UP, Intent.VOLUME_DOWN):
        if not raw:
            return VoiceCommand(intent)
        amount = _amount(raw)
        if amount is None:
            return Refusal.UNKNOWN
        percent, steps = amount
        value = percent if percent is not None else steps
        if value is None or not 1 <= value <= 100:
            return Refusal.UNKNOWN
        return VoiceCommand(intent, percent=percent, steps=steps)
    if intent is Intent.SOURCE:
        distinct = set(sources)
        if len(distinct) > 1:
            return Refusal.AMBIGUOUS
        source = next(iter(distinct), None)
        if source is None:
            return Refusal.UNKNOWN  # "hdmi" without 1 or 2
        return VoiceCommand(intent, source=source)
    return VoiceCommand(intent)


def _match_rules(skeleton: str, named: bool) -> tuple[re.Match[str], _Rule] | Refusal:
    """The one rule matching the whole skeleton, or why there is none."""
    found = [(m, rule) for rule in _RULES if (m := rule.pattern.fullmatch(skeleton)) is not None]
    if not found:
        families = sum(1 for family in _FAMILIES if family.search(skeleton))
        return Refusal.AMBIGUOUS if families >= 2 else Refusal.UNKNOWN
    if len({rule.intent for _, rule in found}) > 1:
        return Refusal.AMBIGUOUS
    usable = [(m, rule) for m, rule in found if named or not rule.needs_name]
    if not usable:
        return Refusal.UNKNOWN  # 打开 / 调高 alone: no object at all
    return usable[0]


def parse(
    text: str,
    *,
    targets: Mapping[str, Iterable[str]] = _EMPTY,
    sources: Mapping[str, Iterable[str]] = _EMPTY,
    require_name: bool = True,
) -> ParseResult:
    """Parse one heard sentence into a command or a refusal.

    ``targets`` maps a projector key to its spoken names; ``sources`` maps a
    source key (an input or app the glue knows) to its spoken aliases. With
    ``require_name`` (the default) a command must name a projector, by a
    generic name (投影仪) or an alias; otherwise the result is NO_TARGET. Bare
    verbs without an object (打开, 关闭, 调高, 大一点) are UNKNOWN without a
    name, even with ``require_name=False``; 开机 and 关机 are complete.
    """
    norm = normalize(text)
    if not norm:
        return _refuse(norm, Refusal.EMPTY)
    if len(norm) > MAX_TEXT_LENGTH:
        return _refuse(norm, Refusal.UNKNOWN)
    scan = _scan(norm, _lexicon(targets, sources))
    if scan.target_conflict or len(scan.targets) > 1:
        return _refuse(norm, Refusal.AMBIGUOUS)
    if scan.devices:
        return _refuse(norm, Refusal.AMBIGUOUS if scan.named else Refusal.OTHER_DEVICE)
    if scan.source_conflict or len(set(scan.sources)) > 1:
        return _refuse(norm, Refusal.AMBIGUOUS)
    target = next(iter(scan.targets), None)
    missing_name = require_name and not scan.named

    skeleton, polite = _POLITE_RE.subn("", scan.skeleton)
    if polite:
        skeleton = skeleton.removesuffix("吗").removesuffix("么")
    if _UNSUPPORTED_RE.search(skeleton):
        return _refuse(norm, Refusal.UNKNOWN)
    if _QUESTION_RE.search(skeleton):
        if not _QUESTION_TOPIC_RE.search(skeleton):
            return _refuse(norm, Refusal.UNKNOWN)
        if missing_name:
            return _refuse(norm, Refusal.NO_TARGET)
        return ParseResult(norm, VoiceCommand(Intent.QUERY, target=target), None)
    if _NEGATION_RE.search(skeleton):
        return _refuse(norm, Refusal.NO_TARGET if missing_name else Refusal.NEGATION)

    matched = _match_rules(_SKELETON_FILLER_RE.sub("", skeleton), scan.named)
    if isinstance(matched, Refusal):
        return _refuse(norm, matched)
    match, rule = matched
    command = _command(match, rule.intent, scan.sources)
    if isinstance(command, Refusal):
        return _refuse(norm, command)
    if missing_name:
        return _refuse(norm, Refusal.NO_TARGET)
    return ParseResult(norm, replace(command, target=target), None)


# ---------------------------------------------------------------------------
# Replies
# ---------------------------------------------------------------------------

_REFUSAL_REPLIES: dict[Refusal, str] = {
    Refusal.EMPTY: "抱歉，我没听清",
    Refusal.NEGATION: "好的，不操作",
    Refusal.OTHER_DEVICE: "抱歉，我没听懂，这个设备我控制不了",
    Refusal.NO_TARGET: "抱歉，我没听懂，请说出{name}的名字",
    Refusal.UNKNOWN: "抱歉，我没听懂",
    Refusal.AMBIGUOUS: "抱歉，我不确定你要做什么，请一次说一个操作",
}

_ACTIONS: dict[Intent, str] = {
    Intent.TURN_ON: "开机",
    Intent.TURN_OFF: "关机",
    Intent.VOLUME_SET: "调音量",
    Intent.VOLUME_UP: "调高音量",
    Intent.VOLUME_DOWN: "调低音量",
    Intent.MUTE: "静音",
    Intent.UNMUTE: "取消静音",
    Intent.PLAY: "播放",
    Intent.PAUSE: "暂停",
    Intent.STOP: "停止播放",
    Intent.SOURCE: "切换信号源",
    Intent.HOME: "回到主页",
    Intent.BACK: "返回",
    Intent.AUTOFOCUS: "自动对焦",
    Intent.QUERY: "查询状态",
}

PHASE_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "cutting_power": "正在断电重启",
        "waiting": "正在等待通电",
        "booting": "正在开机",
        "connecting": "正在连接",
        "on": "开着",
        "off": "关着",
        "mains_off": "已断电",
        "standby": "在待机",
        "screen_off": "开着，但是屏幕关了",
        "shutting_down": "正在关机",
        "failed": "开机失败了",
        "unreachable": "连不上",
        "plug_unavailable": "的智能插座连不上",
        "playing": "正在播放",
        "paused": "已暂停",
    }
)
"""Chinese for each power phase (and the playback phases "playing"/"paused")."""

_PHASE_SENTENCES: Mapping[str, str] = MappingProxyType(
    {
        "failed": "{name}开机失败了，请检查插座和网络",
        "standby": "{name}在待机",
        "off": "{name}现在是关着的",
        "mains_off": "{name}已断电，现在是关着的",
        "shutting_down": "{name}正在关机",
        "unreachable": "{name}现在连不上，请检查网络",
        "plug_unavailable": "{name}的智能插座连不上，请检查插座",
    }
)
"""QUERY answers for phases that say everything on their own."""

_STARTING_PHASES = frozenset({"cutting_power", "waiting", "booting", "connecting"})


def _percent_text(percent: int) -> str:
    return "百分之" + _spoken_number(percent)


def _steps_text(steps: int) -> str:
    return ("两" if steps == 2 else _spoken_number(steps)) + "格"


def _volume_text(command: VoiceCommand, volume_percent: int | None) -> str | None:
    if volume_percent is not None:
        return _percent_text(volume_percent)
    if command.percent is not None:
        return _percent_text(command.percent)
    if command.steps is not None:
        return _steps_text(command.steps)
    return None


def _status(
    name: str, is_on: bool | None, phase: str | None, volume_percent: int | None, source: str | None
) -> str:
    """Spoken answer to a QUERY."""
    if phase is not None and phase in _STARTING_PHASES:
        return f"{name}{PHASE_TEXT[phase]}，请稍等"
    if phase is not None and phase in _PHASE_SENTENCES:
        return _PHASE_SENTENCES[phase].format(name=name)
    if is_on is False and phase not in ("on", "screen_off"):
        return _PHASE_SENTENCES["off"].format(name=name)
    if not (is_on or phase in ("on", "screen_off", "playing", "paused")):
        return f"暂时不知道{name}的状态"
    parts = [f"{name}{PHASE_TEXT['screen_off']}" if phase == "screen_off" else f"{name}开着"]
    if phase in ("playing", "paused"):
        parts.append(PHASE_TEXT[phase])
    if source:
        parts.append(f"信号源是{source}")
    if volume_percent is not None:
        parts.append(f"音量{_percent_text(volume_percent)}")
    return "，".join(parts)


def _already(
    command: VoiceCommand, name: str, volume: str | None, source: str | None
) -> str | None:
    """Reply when nothing had to be done; ``None`` when that reads like DONE."""
    texts: dict[Intent, str] = {
        Intent.TURN_ON: f"{name}已经开着了",
        Intent.TURN_OFF: f"{name}已经关了",
        Intent.VOLUME_SET: f"{name}音量已经是{volume}了" if volume else f"{name}音量没有变化",
        Intent.VOLUME_UP: f"{name}音量已经最大了",
        Intent.VOLUME_DOWN: f"{name}音量已经最小了",
        Intent.MUTE: f"{name}已经是静音了",
        Intent.UNMUTE: f"{name}没有静音",
        Intent.PLAY: f"{name}已经在播放了",
        Intent.PAUSE: f"{name}已经暂停了",
        Intent.STOP: f"{name}已经停止播放了",
        Intent.SOURCE: f"{name}已经是{source}了" if source else f"{name}已经是这个信号源了",
        Intent.HOME: f"{name}已经在主页了",
    }
    return texts.get(command.intent)


def _done(
    command: VoiceCommand,
    name: str,
    volume: str | None,
    volume_percent: int | None,
    phase: str | None,
    source: str | None,
) -> str:
    now = f"，现在是{_percent_text(volume_percent)}" if volume_percent is not None else ""
    starting = None
    if phase is not None and phase in _STARTING_PHASES:
        starting = f"好的，{name}{PHASE_TEXT[phase]}"
    texts: dict[Intent, str] = {
        Intent.TURN_ON: starting or f"好的，{name}已开机",
        Intent.TURN_OFF: f"好的，{name}已关机",
        Intent.VOLUME_SET: f"好的，{name}音量调到{volume}" if volume else f"好的，{name}音量已调整",
        Intent.VOLUME_UP: f"好的，{name}音量调高了{now}",
        Intent.VOLUME_DOWN: f"好的，{name}音量调低了{now}",
        Intent.MUTE: f"好的，{name}已静音",
        Intent.UNMUTE: f"好的，{name}已取消静音",
        Intent.PLAY: f"好的，{name}继续播放",
        Intent.PAUSE: f"好的，{name}已暂停",
        Intent.STOP: f"好的，{name}已停止播放",
        Intent.SOURCE: f"好的，已切换到{source}" if source else "好的，已切换信号源",
        Intent.HOME: f"好的，{name}已回到主页",
        Intent.BACK: "好的，已返回",
        Intent.AUTOFOCUS: f"好的，{name}正在自动对焦",
    }
    return texts.get(command.intent, "好的")


def reply(
    result: ParseResult,
    outcome: Outcome | None = None,
    *,
    name: str = "投影仪",
    volume_percent: int | None = None,
    is_on: bool | None = None,
    phase: str | None = None,
    source: str | None = None,
) -> str:
    """A short Chinese sentence for Xiaoai to speak about what actually happened.

    ``outcome`` is what the glue observed (``None`` means DONE). ``name`` is the
    spoken device name. ``volume_percent`` is the volume after the command (or
    the current volume for a QUERY); ``is_on``/``phase`` describe power for a
    QUERY or a TURN_ON; ``phase`` is a power phase ("booting"…, see
    :data:`PHASE_TEXT`; unknown values are ignored, never spoken). ``source`` is
    the spoken name of the source; it defaults to the command's source key.
    Volumes are spoken in Chinese words: "百分之三十", steps as "五格".
    """
    name = name.strip() or "投影仪"
    command = result.command
    if command is None:
        return _REFUSAL_REPLIES[result.refusal or Refusal.UNKNOWN].format(name=name)
    phase = phase if phase in PHASE_TEXT else None
    source = source or command.source
    action = _ACTIONS[command.intent]
    if outcome is Outcome.UNAVAILABLE:
        return f"{name}现在连不上，请检查网络"
    if outcome is Outcome.NO_PLUG:
        return f"没有配置智能插座，{name}待机时无法开机"
    if outcome is Outcome.NOT_SUPPORTED:
        return f"抱歉，{name}不支持{action}"
    if outcome is Outcome.FAILED:
        return f"抱歉，{name}{action}失败了"
    if outcome is Outcome.POWERING_ON:
        return f"好的，{name}正在开机，大约一分钟"
    if command.intent is Intent.QUERY:
        return _status(name, is_on, phase, volume_percent, source)
    volume = _volume_text(command, volume_percent)
    if outcome is Outcome.ALREADY and (text := _already(command, name, volume, source)):
        return text
    return _done(command, name, volume, volume_percent, phase, source)
