"""The command registry and the dumpsys sections behind the output templates."""

from __future__ import annotations

import pytest

from simulator import DeviceModel, PlaybackState, VirtualClock, list_profiles
from simulator.commands import COMMANDS
from simulator.dumpsys import SECTIONS, TEMPLATED_COMMANDS, TemplateContext
from simulator.shell import ANDROID_COMMANDS


def test_every_shell_command_has_a_handler_or_templates() -> None:
    assert set(COMMANDS) | {"dumpsys"} == set(ANDROID_COMMANDS)
    assert set(TEMPLATED_COMMANDS) <= set(ANDROID_COMMANDS)


@pytest.mark.parametrize("profile", list_profiles())
def test_sections_provide_disjoint_names(profile: str) -> None:
    device = DeviceModel(profile, clock=VirtualClock())
    device.start_media(sorted(device.profile.apps)[0], PlaybackState.PLAYING)
    device.press(2102)
    argv = ["dumpsys", "package", device.profile.launcher.partition("/")[0]]
    seen: dict[str, str] = {}
    for section in SECTIONS:
        for name in section(device, argv):
            assert name not in seen, f"{name} in {seen.get(name)} and {section.__name__}"
            seen[name] = section.__name__
    context = TemplateContext(device, argv)
    assert set(context) == set(seen)
    assert len(context) == len(seen)
    assert context["queried_packages"][0]["pkg"] == argv[2]
    device.close()


def test_template_context_computes_only_what_is_asked() -> None:
    device = DeviceModel("gmui_android9", clock=VirtualClock())
    context = TemplateContext(device, ["dumpsys", "power"])
    assert context["wakefulness"] == "Awake"
    assert "windows" not in context._values  # the window section was not needed
    assert "no_such_placeholder" not in context
    assert 3 not in context
    with pytest.raises(KeyError):
        context["no_such_placeholder"]
    device.close()
