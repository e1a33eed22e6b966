"""A sentence typed into "对小爱说" (the demo's stand-in for the Xiaoai conversation sensor)
runs through the conversation blueprint, and its reply shows on the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.ui import (
    LAST_VOICE,
    PROJECTOR,
    SYSTEM_LANGUAGE,
    expect,
    ours,
    shot,
    wait_state,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

# A different volume per language, so each run changes something.
SENTENCES = {
    "zh-Hans": ("小爱同学，投影仪音量调到百分之四十", "四十", 0.4),
    "en": ("小爱同学，把投影仪的音量调到百分之六十", "六十", 0.6),
}


def test_typed_sentence_shows_reply(page: Page, lang: str) -> None:
    sentence, number, volume = SENTENCES[lang]
    page.goto("/lovelace/0")
    wait_state(page, PROJECTOR, "s.attributes.power_phase === 'on'")
    box = page.locator("hui-input-text-entity-row input")
    box.fill(sentence)
    box.press("Enter")
    wait_state(page, PROJECTOR, f"Math.abs(s.attributes.volume_level - {volume}) < 0.04")
    last = wait_state(page, LAST_VOICE, f"s.attributes.text?.includes({number!r})", timeout_s=15)
    attributes = last["attributes"]
    assert attributes["intent"] == "volume_set"
    assert attributes["outcome"] == "done"
    assert attributes["reply"] == last["state"]
    assert last["state"]
    # The reply is on the dashboard, in the projector's card (the sensor's name is in the
    # system language).
    name = ours(SYSTEM_LANGUAGE, "entity.sensor.last_voice_command.name")
    row = page.locator("hui-sensor-entity-row, hui-simple-entity-row").filter(has_text=name)
    expect(row).to_contain_text(last["state"])
    shot(page, "voice-reply", lang)
