"""Every blueprint passes Home Assistant's own blueprint schema and is bilingual."""

from __future__ import annotations

import re

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.util import yaml as yaml_util
import pytest

from .helpers import BLUEPRINT_FILES, BLUEPRINT_SOURCE

SOURCE_URL = (
    "https://github.com/xgimi-projector/xgimi_projector/blob/main/"
    "blueprints/automation/xgimi_projector/{}"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_all_five_blueprints_exist() -> None:
    assert BLUEPRINT_FILES == [
        "mirror_mi_switch.yaml",
        "voice_text_mqtt.yaml",
        "voice_text_webhook.yaml",
        "xiaoai_conversation.yaml",
        "xiaoai_virtual_event.yaml",
    ]


@pytest.mark.parametrize("file", BLUEPRINT_FILES)
def test_blueprint_schema_and_metadata(file: str) -> None:
    data = yaml_util.load_yaml(str(BLUEPRINT_SOURCE / file))
    blueprint = Blueprint(
        data, path=file, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert blueprint.validate() is None, "min_version must not exceed the tested HA version"
    meta = blueprint.metadata
    assert meta["source_url"] == SOURCE_URL.format(file)
    assert meta["homeassistant"]["min_version"] == "2025.4.0"
    for text in (meta["name"], meta["description"]):
        assert CJK.search(text), text
        assert LATIN_WORD.search(text), text
    assert blueprint.inputs
    for key, spec in blueprint.inputs.items():
        assert "selector" in spec, key
        assert CJK.search(spec["name"]) or key == "webhook_id", key
        assert CJK.search(spec["description"]), key
        assert LATIN_WORD.search(spec["description"]), key
    assert data["mode"] in ("queued", "parallel")


def test_the_virtual_event_blueprint_does_not_call_a_time_check_a_replay_defence() -> None:
    """An event entity's state is the arrival time: a replay looks fresh (docs/xiaoai.md §2.1)."""
    text = (BLUEPRINT_SOURCE / "xiaoai_virtual_event.yaml").read_text(encoding="utf-8")
    assert "as_timestamp(now()) - t" not in text
    assert "事件是刚发生的" not in text
