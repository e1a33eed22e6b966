"""What the voice action remembers between calls, so that nothing runs twice.

* Request ids (a bridge passes the id of its record; a replayed record has the same id).
* The replies it gave, per projector: a speaker that logs its own answer sends the answer back
  as a sentence, which is dropped (an answer to it could come back in turn).
* Per source (the entity the sentences come from): the newest record handled and the window it
  was shown in (conversation logs, :mod:`.records`), and the replay it expects after the source
  came back (ha_xiaomi_home sends the last virtual event again after a reconnect, a reload or a
  restart, ``docs/xiaoai.md`` §2.1).

Everything is kept in memory with the clock it is given (monotonic by default), bounded in size
and age; nothing here does I/O or imports Home Assistant.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
import time

from .lexicon import surface

REQUEST_MEMORY_S = 3600.0
REQUEST_MEMORY_SIZE = 256
"""How long, and how many, request ids are remembered."""
REPLY_MEMORY_S = 600.0
"""How long a reply is remembered: a speaker logs its answer within seconds."""
SOURCE_MEMORY_SIZE = 64
"""How many sources are remembered (the least recently used is forgotten)."""


@dataclass(slots=True)
class _Source:
    """What one source showed last, and the replay expected from it."""

    record_time: float | None = None
    """When the newest sentence handled was said (seconds since the epoch)."""
    window: tuple[str, ...] = ()
    """The sentences shown with it, newest first."""
    replay: str = ""
    """The sentence the source held when it came back (:func:`surface` form); "" for none."""
    replay_until: float = 0.0
    """Until when (on the memory's clock) that sentence is a replay."""


class VoiceMemory:
    """The voice action's memory (one per Home Assistant)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._requests: OrderedDict[str, float] = OrderedDict()
        self._replies: dict[str, tuple[str, float]] = {}
        self._sources: OrderedDict[str, _Source] = OrderedDict()

    # --- request ids -----------------------------------------------------------------------

    def first_time(self, request_id: str) -> bool:
        """Whether ``request_id`` was not seen in the last hour (it is remembered now)."""
        now = self._clock()
        while self._requests and (
            len(self._requests) >= REQUEST_MEMORY_SIZE
            or next(iter(self._requests.values())) < now - REQUEST_MEMORY_S
        ):
            self._requests.popitem(last=False)
        if request_id in self._requests:
            return False
        self._requests[request_id] = now
        return True

    # --- replies ---------------------------------------------------------------------------

    def remember_reply(self, key: str, reply: str) -> None:
        """The last reply given for projector ``key`` ("" when no projector was found)."""
        if said := surface(reply):
            self._replies[key] = (said, self._clock())

    def is_echo(self, text: str) -> bool:
        """Whether ``text`` is one of the last replies given (in the last ten minutes)."""
        said = surface(text)
        oldest = self._clock() - REPLY_MEMORY_S
        return bool(said) and any(
            said == reply and at >= oldest for reply, at in self._replies.values()
        )

    # --- sources ---------------------------------------------------------------------------

    def _source(self, source: str) -> _Source:
        entry = self._sources.pop(source, None) or _Source()
        self._sources[source] = entry
        while len(self._sources) > SOURCE_MEMORY_SIZE:
            self._sources.popitem(last=False)
        return entry

    def is_old(self, source: str, record_time: float) -> bool:
        """Whether a sentence said at ``record_time`` is not newer than the last one handled."""
        known = self._sources.get(source)
        return (
            known is not None
            and known.record_time is not None
            and (record_time <= known.record_time)
        )

    def window(self, source: str) -> tuple[str, ...]:
        """The window the newest sentence handled from ``source`` was shown in."""
        known = self._sources.get(source)
        return known.window if known is not None else ()

    def handled(self, source: str, record_time: float | None, window: Sequence[str]) -> None:
        """``source`` showed ``window`` (newest first), its newest sentence said at
        ``record_time``, and it has been handled."""
        entry = self._source(source)
        if record_time is not None:
            entry.record_time = record_time
        entry.window = tuple(window)

    def expect_replay(self, source: str, text: str, window_s: float) -> None:
        """``source`` came back holding ``text``: the first time it sends ``text`` again
        within ``window_s`` seconds, that is a replay."""
        entry = self._source(source)
        entry.replay = surface(text)
        entry.replay_until = self._clock() + window_s

    def is_replay(self, source: str, text: str) -> bool:
        """Whether ``text`` is the replay expected from ``source`` (expected once: it is
        forgotten now)."""
        known = self._sources.get(source)
        if known is None or not known.replay:
            return False
        if self._clock() > known.replay_until:
            known.replay = ""
            return False
        if surface(text) != known.replay:
            return False
        known.replay = ""
        return True
