"""Chinese numerals: reading what was said and writing what is spoken."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.voice import chinese_number, spoken_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0", 0, id="0"),
        pytest.param("25", 25, id="25"),
        pytest.param("２５", 25, id="fullwidth-25"),
        pytest.param("零", 0, id="ling"),
        pytest.param("〇", 0, id="ling-circle"),
        pytest.param("三", 3, id="san"),
        pytest.param("两", 2, id="liang"),
        pytest.param("十", 10, id="shi"),
        pytest.param("十五", 15, id="shiwu"),
        pytest.param("二十", 20, id="ershi"),
        pytest.param("二十五", 25, id="ershiwu"),
        pytest.param("九十九", 99, id="jiushijiu"),
        pytest.param("一百", 100, id="yibai"),
        pytest.param("百", 100, id="bai"),
        pytest.param("两百", 200, id="liangbai"),
        pytest.param("一百零五", 105, id="yibailingwu"),
        pytest.param("一百一十", 110, id="yibaiyishi"),
        pytest.param("一百二", 120, id="yibaier"),
        pytest.param("一百二十", 120, id="yibaiershi"),
        pytest.param("三千五", 3500, id="sanqianwu"),
        pytest.param("一千零十", 1010, id="yiqianlingshi"),
        pytest.param("百分之三十", 30, id="percent-prefix"),
        pytest.param("30%", 30, id="percent-suffix"),
        pytest.param("百分之百", 100, id="percent-bai"),
        pytest.param("", None, id="empty"),
        pytest.param("一半", None, id="half"),
        pytest.param("三五", None, id="digit-run"),
        pytest.param("十十", None, id="double-unit"),
        pytest.param("一百零", None, id="trailing-zero"),
        pytest.param("3十", None, id="mixed"),
        pytest.param("abc", None, id="letters"),
        pytest.param("1234567", None, id="too-long"),
        pytest.param("9" * 5000, None, id="huge"),
    ],
)
def test_chinese_number(text: str, expected: int | None) -> None:
    assert chinese_number(text) == expected


def test_spoken_number_round_trip() -> None:
    for n in range(1001):
        assert chinese_number(spoken_number(n)) == n, n
    assert spoken_number(30) == "三十"
    assert spoken_number(105) == "一百零五"
    assert spoken_number(-1) == "-1"
