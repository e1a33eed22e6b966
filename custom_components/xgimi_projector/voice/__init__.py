"""Chinese voice commands for the projector: a pure parser and a reply builder.

Text heard by Xiaoai (小爱同学) is turned into a :class:`ParseResult` by :func:`parse`: either a
:class:`VoiceCommand` or a :class:`Refusal` (the parser refuses rather than guesses). After the
glue has run the command, :func:`reply` says what actually happened.

Modules: :mod:`.model` (the values), :mod:`.numbers` (Chinese numerals), :mod:`.lexicon`
(names, devices, fillers, and the scan that finds them), :mod:`.grammar` (phrase rules),
:mod:`.parse` (the pipeline), :mod:`.reply` (sentences), :mod:`.records` (which sentences of a
conversation log are new) and :mod:`.memory` (what the glue remembers so nothing runs twice:
request ids, its replies, replays).

Nothing here does I/O or imports Home Assistant; the only outside import is the enums of the
HA-free library (:class:`~..projector.PowerPhase`, :class:`~..projector.Playback`).
"""

from .lexicon import GENERIC_NAMES, OTHER_DEVICES, normalize, surface
from .memory import VoiceMemory
from .model import Intent, Outcome, ParseResult, Refusal, VoiceCommand
from .numbers import chinese_number, spoken_number
from .parse import MAX_TEXT_LENGTH, parse
from .records import new_sentences
from .reply import ACTIONS, PHASE_TEXT, PLAYBACK_TEXT, REFUSAL_REPLIES, Facts, reply

__all__ = [
    "ACTIONS",
    "GENERIC_NAMES",
    "MAX_TEXT_LENGTH",
    "OTHER_DEVICES",
    "PHASE_TEXT",
    "PLAYBACK_TEXT",
    "REFUSAL_REPLIES",
    "Facts",
    "Intent",
    "Outcome",
    "ParseResult",
    "Refusal",
    "VoiceCommand",
    "VoiceMemory",
    "chinese_number",
    "new_sentences",
    "normalize",
    "parse",
    "reply",
    "spoken_number",
    "surface",
]
