"""Conversation logs: which sentences of a poll are new.

After each poll, Xiaomi Miot Auto's conversation sensor shows the newest sentence said to the
speaker (``content``) and the ones before it (``history``), newest first and without their times
(``docs/xiaoai.md`` §1.2). Two sentences said within one poll arrive together, the older one
only in ``history``. :func:`new_sentences` lines such a window up with the windows shown before
and keeps what is new, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence


def shift(window: Sequence[str], before: Sequence[str]) -> int:
    """How many sentences at the head of ``window`` the earlier window ``before`` did not show.

    Both are newest first. They line up where the tail of ``window`` repeats the head of
    ``before``; the smallest such shift is taken, so a sentence said twice is counted as shown
    rather than run twice. Without any overlap every sentence of ``window`` is new.
    """
    size = len(window)
    for new in range(1, size):
        tail = window[new:]
        common = min(len(tail), len(before))
        if common and list(tail[:common]) == list(before[:common]):
            return new
    return size


def new_sentences(
    text: str, history: Sequence[str], previous: Sequence[str], *handled: Sequence[str]
) -> list[str]:
    """The sentences of the window ``[text, *history]`` that are new, oldest first.

    ``previous`` is the window shown just before this one (the previous poll). Without it the
    age of the ``history`` sentences is unknown (the log may have been unreadable for hours),
    and only ``text`` is returned (the caller checked that it is newer than what it handled).
    Sentences any ``handled`` window showed (e.g. the last one handled, when an older window
    was shown in between) are not new either.
    """
    window = [text, *history]
    if not previous:
        return [text]
    new = min(shift(window, before) for before in (previous, *handled) if before)
    return window[new - 1 :: -1]
