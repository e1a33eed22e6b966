"""The dashboard and the projector's dialog, as a person uses them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.ui import (
    BROWSER_LOCALE,
    HA_TEXT,
    PLUG,
    POWER_SENSOR,
    PROJECTOR,
    SYSTEM_LANGUAGE,
    VIEWPORT,
    close_more_info,
    expect,
    login,
    open_more_info,
    ours,
    phase_text,
    power_row,
    shot,
    wait_state,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]


def test_login_page_and_dashboard(browser: Browser, demo: str, lang: str) -> None:
    """Log in through the login page; the dashboard shows the projector, its power state in
    the user's language and its controls."""
    context = browser.new_context(
        viewport=VIEWPORT,
        locale=BROWSER_LOCALE[lang],
        base_url=demo,
    )
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_text(HA_TEXT[lang]["welcome"])).to_be_visible()
        shot(page, "login", lang)
        login(page, demo, lang)
        page.goto("/lovelace/0")
        projector = wait_state(
            page, PROJECTOR, "['idle', 'on', 'playing', 'paused'].includes(s.state)"
        )
        name = projector["attributes"]["friendly_name"]
        card = page.locator("hui-media-control-card")
        expect(card.get_by_text(name)).to_be_visible()
        expect(page.get_by_text(HA_TEXT[lang]["overview"]).first).to_be_visible()
        # The power sensor's state is translated by the frontend into the user's language.
        expect(power_row(page)).to_contain_text(phase_text(lang, "on"))
        switch = ours(SYSTEM_LANGUAGE, "entity.switch.power.name")
        expect(page.locator("hui-toggle-entity-row").filter(has_text=switch)).to_be_visible()
        shot(page, "dashboard", lang)
    finally:
        context.close()


def test_media_player_dialog_volume_mute_source(page: Page, lang: str) -> None:
    page.goto("/lovelace/0")
    wait_state(page, PROJECTOR, "s.state === 'idle' || s.state === 'on' || s.state === 'playing'")
    dialog = open_more_info(page)

    # Volume: the slider (the projector has 15 steps), then the volume-up button.
    slider = dialog.locator("ha-slider")
    box = slider.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] / 2)
    projector = wait_state(page, PROJECTOR, "Math.abs(s.attributes.volume_level - 0.2) < 0.04")
    before = projector["attributes"]["volume_level"]
    dialog.locator("ha-icon-button[action=volume_up]").click()
    wait_state(page, PROJECTOR, f"s.attributes.volume_level > {before} + 0.03")

    # Mute and unmute with the speaker button.
    mute = dialog.locator(".volume ha-icon-button").first
    mute.click()
    wait_state(page, PROJECTOR, "s.attributes.is_volume_muted === true")
    mute.click()
    wait_state(page, PROJECTOR, "s.attributes.is_volume_muted === false")

    # Sources: names in the system language; gmui_android9 switches HDMI only in its menu.
    home = ours(SYSTEM_LANGUAGE, "entity.button.home.name")
    menu = ours(SYSTEM_LANGUAGE, "entity.button.source_menu.name")
    expect(dialog.get_by_text(HA_TEXT[lang]["source"], exact=True)).to_be_visible()
    dialog.locator("ha-select").click()
    dialog.get_by_role("option", name=menu).click()
    wait_state(page, PROJECTOR, f"s.attributes.source === {menu!r}")
    shot(page, "media-player-dialog", lang)
    dialog.locator("ha-select").click()
    dialog.get_by_role("option", name=home).click()
    wait_state(page, PROJECTOR, f"s.attributes.source === {home!r}")


@pytest.mark.parametrize(
    ("lang", "start"),
    [("zh-Hans", "standby"), ("en", "mains_off")],
    ids=["zh-Hans-from-standby", "en-from-mains-off"],
)
def test_plug_power_on_shows_progress(page: Page, lang: str, start: str) -> None:
    """Off, then on from the dialog: the projector shows each phase of the plug power-on (as
    media title in the system language; the power sensor in the user's language) until on.

    From standby (turned off in the dialog) the plug is cycled: cutting, waiting, booting.
    From mains off (the person switched the plug off) the plug only comes back: booting."""
    page.goto("/lovelace/0")
    wait_state(page, PROJECTOR, "s.attributes.power_phase === 'on'")
    dialog = open_more_info(page)
    if start == "standby":
        dialog.locator("ha-icon-button[action=turn_off]").click()
        wait_state(page, PROJECTOR, "s.state === 'off'", timeout_s=60)
    else:
        close_more_info(page)
        plug_row = page.locator("hui-toggle-entity-row").filter(has_text="Projector plug")
        plug_row.locator("ha-entity-toggle").click()
        wait_state(page, PLUG, "s.state === 'off'")
        wait_state(page, PROJECTOR, "s.attributes.power_phase === 'mains_off'", timeout_s=60)
        dialog = open_more_info(page)

    dialog.locator("ha-icon-button[action=turn_on]").click()
    wait_state(page, PROJECTOR, "s.state === 'buffering'", timeout_s=30)
    if start == "standby":
        shot(page, "power-on-started", lang)
        # ADB must have been silent 30 s before the plug may be cut.
        waiting = phase_text(SYSTEM_LANGUAGE, "waiting")
        wait_state(page, PROJECTOR, f"s.attributes.media_title === {waiting!r}", timeout_s=60)
        expect(dialog.get_by_text(waiting)).to_be_visible()
        shot(page, "power-on-waiting", lang)
    booting = phase_text(SYSTEM_LANGUAGE, "booting")
    wait_state(page, PROJECTOR, f"s.attributes.media_title === {booting!r}", timeout_s=60)
    expect(dialog.get_by_text(booting)).to_be_visible()
    # Behind the dialog, the power sensor's row in the user's language.
    wait_state(page, POWER_SENSOR, "s.state === 'booting'")
    shot(page, "power-on-booting", lang)
    close_more_info(page)
    expect(power_row(page)).to_contain_text(phase_text(lang, "booting"))
    shot(page, "power-on-booting-dashboard", lang)

    projector = wait_state(page, PROJECTOR, "s.state === 'idle' || s.state === 'on'", 120)
    assert projector["attributes"]["power_phase"] == "on"
    assert "media_title" not in projector["attributes"]
