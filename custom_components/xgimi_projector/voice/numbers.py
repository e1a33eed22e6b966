"""Chinese numerals: read what was said (二十五, 一百二, 30%) and write what is spoken (三十)."""

from __future__ import annotations

import re
import unicodedata

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


def spoken_number(n: int) -> str:
    """Write 0..9999 in Chinese characters (30 → 三十, 105 → 一百零五); others in digits."""
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
