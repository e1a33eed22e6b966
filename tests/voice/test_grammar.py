"""Amount phrases of the grammar, and the malformed numerals the phrase rules let through."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.voice import Refusal, chinese_number, parse, spoken_number
from custom_components.xgimi_projector.voice.grammar import amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("最大", (100, None), id="max"),
        pytest.param("最小声", (0, None), id="min"),
        pytest.param("一半", (50, None), id="half"),
        pytest.param("30%", (30, None), id="percent-sign"),
        pytest.param("百分之三十", (30, None), id="percent-word"),
        pytest.param("三十", (30, None), id="bare"),
        pytest.param("5格", (None, 5), id="steps"),
        pytest.param("两个格", (None, 2), id="steps-ge"),
        pytest.param("百分之五格", None, id="percent-steps"),
        pytest.param("三五", None, id="digit-run"),
        pytest.param("大声", None, id="no-number"),
    ],
)
def test_amount(raw: str, expected: tuple[int | None, int | None] | None) -> None:
    assert amount(raw) == expected


def test_relative_amount_that_is_no_number() -> None:
    assert parse("投影仪音量调高三五").refusal is Refusal.UNKNOWN


@pytest.mark.parametrize("text", ["零五", "一百零零五", "一百十", "五五"])
def test_malformed_numerals(text: str) -> None:
    assert chinese_number(text) is None


def test_spoken_thousands() -> None:
    assert spoken_number(1010) == "一千零一十"
    assert spoken_number(2305) == "二千三百零五"
    for n in (1010, 2305, 9999, 4000):
        assert chinese_number(spoken_number(n)) == n
