"""Settings: adding a projector (with the authorization on its screen), options, the repair
for a projector without ADB authorization, the blueprints' inputs form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.util.yaml import load_yaml_dict
import pytest

from scripts.develop import ROOT
from tests.browser.ui import (
    HA_TEXT,
    PROJECTOR,
    call_ws,
    entries,
    entry_row,
    expect,
    flow_dialog,
    fragment,
    ours,
    remove_entry,
    shot,
    wait_state,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

INTEGRATION_PAGE = "/config/integrations/integration/xgimi_projector"
DEMO_ENTRY = "投影仪"


def _add_projector(page: Page, lang: str, port: int) -> Locator:
    """Integration page → Add device → host and port → Submit; returns the flow dialog."""
    page.goto(INTEGRATION_PAGE)
    page.get_by_role("button", name=HA_TEXT[lang]["add_device"]).click()
    dialog = flow_dialog(page)
    expect(dialog.get_by_text(ours(lang, "config.step.user.title"))).to_be_visible()
    dialog.get_by_label(ours(lang, "config.step.user.data.host")).fill("127.0.0.1")
    dialog.get_by_label(ours(lang, "config.step.user.data.port")).fill(str(port))
    dialog.get_by_role("button", name=HA_TEXT[lang]["submit"]).click()
    return dialog


def _remove_added(page: Page) -> None:
    for entry in entries(page):
        if entry["title"] != DEMO_ENTRY:
            remove_entry(page, entry["entry_id"])


def test_add_second_projector_through_authorization(
    page: Page, lang: str, start_simulator: Callable[..., int]
) -> None:
    """A second projector (GMUI, Android 8) asks "Allow USB debugging?" on its screen: the
    flow shows the authorization step until the person accepts (3 s), then the new device."""
    port = start_simulator("gmui_android8", "--prompt", "accept", "--prompt-delay", "3")
    try:
        dialog = _add_projector(page, lang, port)
        expect(dialog.get_by_text(ours(lang, "config.step.authorize.title"))).to_be_visible()
        progress = fragment(ours(lang, "config.progress.wait_for_authorization"))
        expect(dialog.get_by_text(progress[:20])).to_be_visible()
        shot(page, "add-projector-authorize", lang)
        expect(dialog.get_by_text(HA_TEXT[lang]["success"])).to_be_visible(timeout=30_000)
        added = [entry for entry in entries(page) if entry["title"] != DEMO_ENTRY]
        assert len(added) == 1
        title = added[0]["title"]
        expect(dialog.get_by_text(title).first).to_be_visible()
        shot(page, "add-projector-done", lang)
        dialog.get_by_role("button", name=HA_TEXT[lang]["finish"]).click()
        expect(entry_row(page, title, lang)).to_be_visible()
        assert added[0]["state"] == "loaded"
    finally:
        _remove_added(page)


def _open_general_options(page: Page, lang: str) -> Locator:
    page.goto(INTEGRATION_PAGE)
    entry_row(page, DEMO_ENTRY, lang).get_by_role("button", name=HA_TEXT[lang]["configure"]).click()
    dialog = flow_dialog(page)
    dialog.get_by_text(ours(lang, "options.step.init.menu_options.general")).click()
    return dialog


def test_options_save(page: Page, lang: str) -> None:
    """Change the polling interval in the options, save, and find it saved when reopened."""
    dialog = _open_general_options(page, lang)
    field = dialog.get_by_label(ours(lang, "options.step.general.data.scan_interval"))
    new = "20" if field.input_value() == "15" else "15"
    field.fill(new)
    shot(page, "options-general", lang)
    dialog.get_by_role("button", name=HA_TEXT[lang]["submit"]).click()
    expect(dialog.get_by_text(HA_TEXT[lang]["options_saved"])).to_be_visible()
    dialog.get_by_role("button", name=HA_TEXT[lang]["finish"]).click()
    # Saved options reload the entry once; the projector comes back.
    wait_state(page, PROJECTOR, "s.state !== 'unavailable' && s.attributes.power_phase === 'on'")

    dialog = _open_general_options(page, lang)
    field = dialog.get_by_label(ours(lang, "options.step.general.data.scan_interval"))
    expect(field).to_have_value(new)
    page.keyboard.press("Escape")


def test_repair_for_projector_without_authorization(
    page: Page, lang: str, start_simulator: Callable[..., int]
) -> None:
    """A GMUI Android 12 projector (ro.adb.secure=0) is added without any prompt, and a
    repair says that anyone on the network can control it; it goes with the projector."""
    port = start_simulator("gmui_android12")
    try:
        dialog = _add_projector(page, lang, port)
        expect(dialog.get_by_text(HA_TEXT[lang]["success"])).to_be_visible(timeout=30_000)
        dialog.get_by_role("button", name=HA_TEXT[lang]["finish"]).click()
        page.goto("/config/repairs")
        title = fragment(ours(lang, "issues.insecure_adb.title"))
        issue = page.locator("ha-md-list-item").filter(has_text=title)
        expect(issue).to_be_visible()
        shot(page, "repair-list", lang)
        issue.click()
        description = fragment(ours(lang, "issues.insecure_adb.description"))
        expect(page.get_by_text(description).first).to_be_visible()
        expect(page.get_by_text("ro.adb.secure=0").first).to_be_visible()
        shot(page, "repair-dialog", lang)
        page.keyboard.press("Escape")
        # Removing the projector takes its repair with it (the list follows live).
        _remove_added(page)
        expect(issue).to_have_count(0)
    finally:
        _remove_added(page)
    issues = call_ws(page, {"type": "repairs/list_issues"})["issues"]
    assert not [issue for issue in issues if issue["domain"] == "xgimi_projector"]


def test_blueprint_inputs_form_opens(page: Page, lang: str) -> None:
    """Settings → Automations → Blueprints lists ours; the conversation blueprint opens a new
    automation with its inputs form."""
    blueprints = ROOT / "blueprints" / "automation" / "xgimi_projector"
    conversation = load_yaml_dict(str(blueprints / "xiaoai_conversation.yaml"))["blueprint"]
    page.goto("/config/blueprint/dashboard")
    for path in sorted(blueprints.glob("*.yaml")):
        name = load_yaml_dict(str(path))["blueprint"]["name"]
        expect(page.get_by_text(name, exact=True)).to_be_visible()
    page.get_by_text(conversation["name"], exact=True).click()
    page.wait_for_url("**/config/automation/edit/new")
    for key in ("conversation_sensor", "projector"):
        expect(page.get_by_text(conversation["input"][key]["name"], exact=True)).to_be_visible()
    shot(page, "blueprint-inputs", lang)
