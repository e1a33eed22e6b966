"""Words: projector names, other devices, fillers, and the scan that finds them in a sentence.

:func:`normalize` drops what never matters (punctuation, wake words, polite fillers).
:func:`scan` then finds, longest match first, projector names (:data:`GENERIC_NAMES` and the
user's aliases), source aliases, ``hdmi<n>`` and other devices: names are removed, a source
becomes the :data:`SRC` placeholder and a device :data:`DEV`, which leaves the skeleton the
grammar matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import enum
import re
import unicodedata

from .numbers import chinese_number

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

HDMI_SOURCES: Mapping[int, str] = {1: "HDMI1", 2: "HDMI2"}
"""The HDMI inputs a sentence can name (hdmi1, HDMI二); another number is no source."""

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


def surface(text: str) -> str:
    """The sentence as it was said: NFKC, lower case, no punctuation, no wake word at the start.

    Unlike :func:`normalize` it keeps interjections and fillers, so 好的，… (how a reply starts)
    stays distinct from the command inside it.
    """
    return _WAKE_RE.sub("", _strip_symbols(text))


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

SRC = "\ue001"
"""Placeholder for one source (HDMI or a user source alias) in the skeleton."""
DEV = "\ue002"
"""Placeholder for another device (only used to refuse)."""

_HDMI_RE = re.compile(
    r"hdmi(?:接口|端口|口)?(?P<n>[0-9]{1,3}|[一二两三四五六七八九十]{1,3})?(?:号)?(?:接口|端口|口)?"
)


class WordKind(enum.Enum):
    """What a word of the lexicon names."""

    DEVICE = enum.auto()
    GENERIC = enum.auto()
    TARGET = enum.auto()
    SOURCE = enum.auto()


@dataclass(frozen=True, slots=True)
class Word:
    """One entry of the lexicon."""

    kind: WordKind
    keys: frozenset[str] = frozenset()
    """The target or source keys this spelling stands for (several: a conflict)."""


@dataclass(slots=True)
class Scan:
    """What :func:`scan` found in a normalized sentence."""

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


def _add_keyed(lex: dict[str, Word], kind: WordKind, mapping: Mapping[str, Iterable[str]]) -> None:
    for key, aliases in mapping.items():
        words = (aliases,) if isinstance(aliases, str) else aliases
        for alias in words:
            for form in _alias_forms(alias):
                old = lex.get(form)
                keys = old.keys | {key} if old is not None and old.kind == kind else {key}
                lex[form] = Word(kind, frozenset(keys))


def build_lexicon(
    targets: Mapping[str, Iterable[str]], sources: Mapping[str, Iterable[str]]
) -> dict[str, Word]:
    """Words to find in the text. On equal spelling: source > target > generic > device."""
    lex = dict.fromkeys(OTHER_DEVICES, Word(WordKind.DEVICE))
    lex.update(dict.fromkeys(GENERIC_NAMES, Word(WordKind.GENERIC)))
    _add_keyed(lex, WordKind.TARGET, targets)
    _add_keyed(lex, WordKind.SOURCE, sources)
    return lex


def _hdmi_source(match: re.Match[str]) -> str | None:
    raw = match.group("n")
    number = chinese_number(raw) if raw else None
    return HDMI_SOURCES.get(number) if number is not None else None


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


def scan(text: str, lex: Mapping[str, Word]) -> Scan:
    """Find names, sources and devices, longest match first, left to right."""
    found = Scan()
    longest = max(map(len, lex))
    out: list[str] = []
    i = 0
    while i < len(text):
        entry: Word | None = None
        size = 0
        for length in range(min(longest, len(text) - i), 0, -1):
            entry = lex.get(text[i : i + length])
            if entry is not None:
                size = length
                break
        hdmi = _HDMI_RE.match(text, i)
        if hdmi is not None and hdmi.end() - i > size:
            found.sources.append(_hdmi_source(hdmi))
            out.append(SRC)
            i = hdmi.end()
            continue
        if entry is None:
            out.append(text[i])
            i += 1
            continue
        end = i + size
        if entry.kind in (WordKind.GENERIC, WordKind.TARGET):
            end = _extend_name(text, i, end)
        i = end
        if entry.kind == WordKind.DEVICE:
            found.devices += 1
            out.append(DEV)
        elif entry.kind == WordKind.SOURCE:
            found.source_conflict |= len(entry.keys) > 1
            found.sources.extend(sorted(entry.keys))
            out.append(SRC)
        else:
            found.named = True
            if entry.kind == WordKind.TARGET:
                found.target_conflict |= len(entry.keys) > 1
                found.targets.update(entry.keys)
    found.skeleton = "".join(out)
    return found
