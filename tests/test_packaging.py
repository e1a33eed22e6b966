"""Packaging metadata: one version number, and the files HACS and Home Assistant read are valid."""

from __future__ import annotations

import json
from pathlib import Path
import tomllib
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import __version__ as HA_VERSION
import pytest

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / "xgimi_projector"


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} must hold a JSON object"
    return data


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return _json(INTEGRATION / "manifest.json")


@pytest.fixture(scope="module")
def hacs() -> dict[str, Any]:
    return _json(ROOT / "hacs.json")


def test_pyproject_version_is_the_manifest_version(manifest: dict[str, Any]) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == manifest["version"]


def test_manifest_has_what_hacs_and_home_assistant_need(manifest: dict[str, Any]) -> None:
    # HACS refuses a custom integration without these; Home Assistant refuses one without a
    # version it can parse.
    for key in ("domain", "name", "version", "documentation", "issue_tracker", "codeowners"):
        assert manifest.get(key), f"manifest.json lacks {key!r}"
    assert manifest["domain"] == INTEGRATION.name
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"], "hassfest wants domain, then name, first"
    assert keys[2:] == sorted(keys[2:]), "hassfest wants the other keys sorted"
    assert AwesomeVersion(manifest["version"]).strategy is not AwesomeVersionStrategy.UNKNOWN
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "local_polling"
    assert isinstance(manifest["requirements"], list)
    for url_key in ("documentation", "issue_tracker"):
        assert manifest[url_key].startswith("https://"), url_key


def test_hacs_json_is_valid(hacs: dict[str, Any], manifest: dict[str, Any]) -> None:
    assert hacs["name"] == manifest["name"]
    assert AwesomeVersion(hacs["homeassistant"]).strategy is not AwesomeVersionStrategy.UNKNOWN
    assert set(hacs) <= {
        "name",
        "homeassistant",
        "hacs",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "persistent_directory",
    }, "hacs.json has a key HACS does not know (or the obsolete render_readme)"
    # The minimum Home Assistant version must be one the tests actually run on.
    assert AwesomeVersion(hacs["homeassistant"]) <= AwesomeVersion(HA_VERSION)
