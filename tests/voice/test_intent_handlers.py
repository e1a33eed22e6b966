"""The glue's intent table: every intent the parser can give is carried out somewhere."""

from __future__ import annotations

from custom_components.xgimi_projector.voice import Intent
from custom_components.xgimi_projector.voice_executor import HANDLED_FIRST, INTENT_HANDLERS


def test_every_intent_has_a_handler_or_is_handled_first() -> None:
    assert set(INTENT_HANDLERS) | HANDLED_FIRST == set(Intent)
    assert not set(INTENT_HANDLERS) & HANDLED_FIRST, "an intent is handled twice"
