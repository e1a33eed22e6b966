"""Which sentences of a conversation-log window are new (Xiaomi Miot Auto's sensor shows the
newest sentence and, in ``history``, the ones before it, newest first, without their times)."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.voice import new_sentences
from custom_components.xgimi_projector.voice.records import shift


@pytest.mark.parametrize(
    ("window", "before", "new"),
    [
        (["B", "A", "T"], ["T", "S", "R"], 2),  # two sentences within one poll
        (["B", "T", "S"], ["T", "S", "R"], 1),  # one new sentence
        (["C", "B", "A"], ["T", "S", "R"], 3),  # three or more: the whole window
        (["B", "A", "T"], ["T"], 2),  # a failed poll kept only its state (the last query)
        (["A", "A", "A"], ["A", "A", "A"], 1),  # the same sentence again: once, not three times
        (["B", "A", "A"], ["A", "X", "Y"], 2),  # 音量大一点 said twice, then B
        (["B"], ["A", "X"], 1),
        (["B", "A"], [], 2),
    ],
)
def test_shift(window: list[str], before: list[str], new: int) -> None:
    assert shift(window, before) == new


def test_new_sentences_oldest_first() -> None:
    assert new_sentences("B", ["A", "T"], ["T", "S"]) == ["A", "B"]
    assert new_sentences("C", ["B", "A"], ["T", "S", "R"]) == ["A", "B", "C"]
    assert new_sentences("B", ["T", "S"], ["T", "S", "R"]) == ["B"]


def test_without_the_previous_window_only_the_newest_sentence() -> None:
    """The history's sentences could be hours old (the sensor was unavailable): left out,
    even if the last window handled (long ago) does not show them."""
    assert new_sentences("B", ["A", "T"], []) == ["B"]
    assert new_sentences("B", ["A", "T"], [], ("X", "Y")) == ["B"]


def test_new_relative_to_every_earlier_window() -> None:
    """A stale window shown in between (an old record replayed) must not make the sentences
    handled before it look new again."""
    handled = ["B", "A", "T"]
    stale_in_between = ["T", "S", "R"]
    assert new_sentences("C", ["B", "A"], stale_in_between, handled) == ["C"]
    assert new_sentences("C", ["B", "A"], handled, stale_in_between) == ["C"]
