"""Translations: both languages carry the same keys, and every key the code uses exists."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

COMPONENT = Path(__file__).parents[2] / "custom_components" / "xgimi_projector"


def _keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for key, value in data.items():
        path = f"{prefix}{key}"
        found |= _keys(value, f"{path}.") if isinstance(value, dict) else {path}
    return found


def _load(language: str) -> dict[str, Any]:
    return dict(json.loads((COMPONENT / "translations" / f"{language}.json").read_text("utf-8")))


def test_same_keys_in_english_and_chinese() -> None:
    assert _keys(_load("en")) == _keys(_load("zh-Hans"))


def test_every_translation_key_used_in_code_exists() -> None:
    en = _load("en")
    code = "\n".join(p.read_text("utf-8") for p in COMPONENT.glob("*.py"))
    used = set(re.findall(r'translation_key="(\w+)"', code))
    assert used, "the pattern must find the keys"
    known = (
        set(en["exceptions"])
        | set(en["issues"])
        | {key for platform in en["entity"].values() for key in platform}
    )
    assert used - {"projector"} <= known
    for error in re.findall(r'errors\[[^]]+\] = "(\w+)"', code):
        assert error in en["config"]["error"] or error in en["options"]["error"]
