"""The parser: one heard sentence in, a :class:`.model.VoiceCommand` or a refusal out.

The parser refuses rather than guesses: a sentence must match one of a small set of phrase
rules *completely* (after harmless filler words are dropped), otherwise it is refused.

Pipeline of :func:`parse`:

0. A sentence that begins like one of our replies (好的，…; 抱歉…; 跟我说…;
   :data:`.grammar.REPLY_PREFIX_RE`) is OWN_REPLY: a speaker that logs its own answer must not
   make it the next command.
1. :func:`.lexicon.normalize`: NFKC, lower case, no punctuation or spaces, no wake word
   (小爱同学…), no polite fillers (请, 帮我, 一下, trailing 吧/呀…).
2. :func:`.lexicon.scan` the text once, longest match first, for projector names
   (:data:`.lexicon.GENERIC_NAMES` plus the ``targets`` aliases), user source aliases
   (``sources``), ``hdmi<n>`` and other devices (空调, 灯, 电视…). Names are removed; a source
   becomes one placeholder character.
3. Refuse: a statement reporting on the projector like our replies do (已, 正在, 开着,
   没有…; :data:`.grammar.REPLY_STATEMENT_RE`, questions excepted) is OWN_REPLY; two
   projectors named (AMBIGUOUS); another device named (OTHER_DEVICE, or AMBIGUOUS
   when the projector is named too); how/why questions and delayed commands (UNKNOWN).
4. Questions (吗, 是不是, 多少, 在干嘛…) about power, volume, playback or source are QUERY.
   Any remaining negation (不, 没, 别, 甭, 勿, 莫, 禁止) is NEGATION.
5. The rest must fully match one rule of :data:`.grammar.RULES`. No rule: AMBIGUOUS when words
   of two command families are present (开关投影仪, 打开投影仪然后暂停), otherwise UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
import re
from types import MappingProxyType

from .grammar import (
    FAMILIES,
    NEGATION_RE,
    POLITE_RE,
    QUESTION_RE,
    QUESTION_TOPIC_RE,
    REPLY_PREFIX_RE,
    REPLY_STATEMENT_RE,
    RULES,
    SKELETON_FILLER_RE,
    UNSUPPORTED_RE,
    Rule,
    amount,
)
from .lexicon import build_lexicon, normalize, scan, surface
from .model import Intent, ParseResult, Refusal, VoiceCommand

MAX_TEXT_LENGTH = 200
"""Longer normalized texts are refused as UNKNOWN (voice commands are short)."""

_EMPTY: Mapping[str, Iterable[str]] = MappingProxyType({})


def _refuse(text: str, refusal: Refusal) -> ParseResult:
    return ParseResult(text, None, refusal)


def _command(
    match: re.Match[str], intent: Intent, sources: list[str | None]
) -> VoiceCommand | Refusal:
    """Build the command of a matched rule, validating amounts and sources."""
    raw = match.groupdict().get("amt")
    if intent is Intent.VOLUME_SET:
        said = amount(raw) if raw else None
        if said is None:
            return Refusal.UNKNOWN
        percent, steps = said
        if (percent is not None and percent > 100) or (steps is not None and steps > 100):
            return Refusal.UNKNOWN  # never clamp silently
        return VoiceCommand(intent, percent=percent, steps=steps)
    if intent in (Intent.VOLUME_UP, Intent.VOLUME_DOWN):
        if not raw:
            return VoiceCommand(intent)
        said = amount(raw)
        if said is None:
            return Refusal.UNKNOWN
        percent, steps = said
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


def _match_rules(skeleton: str, named: bool) -> tuple[re.Match[str], Rule] | Refusal:
    """The one rule matching the whole skeleton, or why there is none."""
    found = [(m, rule) for rule in RULES if (m := rule.pattern.fullmatch(skeleton)) is not None]
    if not found:
        families = sum(1 for family in FAMILIES if family.search(skeleton))
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
    name, even with ``require_name=False``; 开机 and 关机 are complete. Whatever
    :func:`.reply.reply` says is OWN_REPLY, never a command.
    """
    norm = normalize(text)
    if REPLY_PREFIX_RE.match(surface(text)):
        return _refuse(norm, Refusal.OWN_REPLY)
    if not norm:
        return _refuse(norm, Refusal.EMPTY)
    if len(norm) > MAX_TEXT_LENGTH:
        return _refuse(norm, Refusal.UNKNOWN)
    found = scan(norm, build_lexicon(targets, sources))
    if REPLY_STATEMENT_RE.search(found.skeleton) and not QUESTION_RE.search(found.skeleton):
        return _refuse(norm, Refusal.OWN_REPLY)
    if found.target_conflict or len(found.targets) > 1:
        return _refuse(norm, Refusal.AMBIGUOUS)
    if found.devices:
        return _refuse(norm, Refusal.AMBIGUOUS if found.named else Refusal.OTHER_DEVICE)
    if found.source_conflict or len(set(found.sources)) > 1:
        return _refuse(norm, Refusal.AMBIGUOUS)
    target = next(iter(found.targets), None)
    missing_name = require_name and not found.named

    skeleton, polite = POLITE_RE.subn("", found.skeleton)
    if polite:
        skeleton = skeleton.removesuffix("吗").removesuffix("么")
    if UNSUPPORTED_RE.search(skeleton):
        return _refuse(norm, Refusal.UNKNOWN)
    if QUESTION_RE.search(skeleton):
        if not QUESTION_TOPIC_RE.search(skeleton):
            return _refuse(norm, Refusal.UNKNOWN)
        if missing_name:
            return _refuse(norm, Refusal.NO_TARGET)
        return ParseResult(norm, VoiceCommand(Intent.QUERY, target=target), None)
    if NEGATION_RE.search(skeleton):
        return _refuse(norm, Refusal.NO_TARGET if missing_name else Refusal.NEGATION)

    matched = _match_rules(SKELETON_FILLER_RE.sub("", skeleton), found.named)
    if isinstance(matched, Refusal):
        return _refuse(norm, matched)
    match, rule = matched
    command = _command(match, rule.intent, found.sources)
    if isinstance(command, Refusal):
        return _refuse(norm, command)
    if missing_name:
        return _refuse(norm, Refusal.NO_TARGET)
    return ParseResult(norm, replace(command, target=target), None)
