"""Diagnostics → profile: every shape of file a user may hand to ``--profile``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator import ProfileError, load_profile
from simulator.profiles import CAPTURE_FORMAT

from .conftest import Make, sh
from .test_follows_captures import shape


async def _capture(make: Make, profile: str) -> dict[str, Any]:
    source = make(profile)
    captures = {
        cmd: await sh(source, cmd)
        for cmd in ("getprop", "pm list packages", "dumpsys power", "dumpsys audio")
    }
    return {"format": CAPTURE_FORMAT, "description": "Captured", "captures": captures}


def _served(data: object, domain: str = "xgimi_projector") -> dict[str, Any]:
    """What Home Assistant's diagnostics download wraps around the integration's data."""
    return {
        "home_assistant": {"installation_type": "Home Assistant OS", "version": "2025.1.0"},
        "custom_components": {domain: {"version": "0.2.0", "requirements": []}},
        "integration_manifest": {"domain": domain, "name": "XGIMI Projector"},
        "setup_times": {},
        "data": data,
    }


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda c: c, id="bare capture"),
        pytest.param(lambda c: {"simulator_profile": c}, id="integration diagnostics"),
        pytest.param(lambda c: _served({"simulator_profile": c}), id="config entry download"),
        pytest.param(
            lambda c: _served({"entry": {}, "device": {}, "simulator_profile": c}),
            id="device download",
        ),
    ],
)
async def test_every_shape_loads(make: Make, tmp_path: Path, wrap: Any) -> None:
    capture = await _capture(make, "gmui_android9")
    profile = load_profile(
        _write(tmp_path, "config_entry-xgimi_projector-01AB.json", wrap(capture))
    )
    assert profile.model == load_profile("gmui_android9").model
    assert profile.family == "gmui"
    assert profile.name == "config_entry-xgimi_projector-01AB"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_served({"simulator_profile": {}}, domain="androidtv"), "'androidtv' integration"),
        (_served(["not", "an", "object"]), "no 'data' object"),
        (_served({"entry": {}}), "hold no capture .*while the projector is on"),
        (_served({"simulator_profile": {"error": "Unreachable"}}), "no capture: Unreachable"),
    ],
)
def test_unusable_downloads_say_why(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        load_profile(_write(tmp_path, "diagnostics.json", data))


def test_a_profile_with_a_data_key_is_still_a_profile(tmp_path: Path) -> None:
    """Only a file with Home Assistant's keys beside ``data`` counts as a download."""
    data = json.loads((Path(__file__).parents[2] / "simulator/profiles/googletv.json").read_text())
    data["data"] = {"anything": 1}
    assert load_profile(_write(tmp_path, "custom.json", data)).family == "googletv"


@pytest.mark.parametrize(
    ("profile", "template_set"),
    [
        ("gmui_android8", "android8"),
        ("gmui_android9", "android9"),
        ("androidtv10", "android10"),
        ("androidtv11", "android11"),
        ("gmui_android12", "android12"),
        ("googletv", "android12"),
        ("googletv14", "android14"),
    ],
)
async def test_a_capture_prints_like_its_android_version(
    make: Make, tmp_path: Path, profile: str, template_set: str
) -> None:
    """The twin borrows from the nearest bundled profile and prints what its Android prints."""
    capture = await _capture(make, profile)
    twin = make(
        load_profile(_write(tmp_path, "twin.json", _served({"simulator_profile": capture})))
    )
    assert twin.profile.raw["templates"] == template_set
    assert f"borrowed from '{profile}'" in twin.profile.description
    source = make(profile)
    for device in (source, twin):
        device.start_media(sorted(source.profile.apps)[0])
    for command in ("dumpsys media_session", "dumpsys audio", "dumpsys window windows"):
        theirs = [shape(line) for line in (await sh(twin, command)).splitlines()]
        ours = [shape(line) for line in (await sh(source, command)).splitlines()]
        assert theirs == ours, command


@pytest.mark.parametrize(
    ("sdk", "expected"),
    [(22, "android8"), (29, "android10"), (30, "android11"), (32, "android12"), (33, "android13")],
)
async def test_template_set_by_sdk(make: Make, tmp_path: Path, sdk: int, expected: str) -> None:
    capture = await _capture(make, "androidtv10")
    captures = capture["captures"]
    captures["getprop"] = captures["getprop"].replace(
        "[ro.build.version.sdk]: [29]", f"[ro.build.version.sdk]: [{sdk}]"
    )
    profile = load_profile(_write(tmp_path, f"sdk{sdk}.json", capture))
    assert profile.raw["templates"] == expected
    assert profile.sdk == sdk
    nearest = "androidtv11" if sdk >= 30 else "androidtv10"
    assert f"borrowed from '{nearest}'" in profile.description
