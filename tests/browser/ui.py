"""What the browser tests share: logging in, the user's language, Home Assistant's state as the
page holds it, our translations, Home Assistant's own words and screenshots.

Playwright is imported here, guarded, so that the test modules import without it; the fixtures
in ``conftest.py`` skip the tests with the reason from :func:`missing`.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from scripts.develop import DEMO_PASSWORD, DEMO_USER, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, ViewportSize

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect
except ImportError:  # the tests skip: see missing()
    expect = None
    PlaywrightTimeout = TimeoutError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

PROJECTOR = "media_player.tou_ying_yi"
POWER_SENSOR = "sensor.tou_ying_yi_power"
PLUG = "switch.projector_plug"
LAST_VOICE = "sensor.tou_ying_yi_last_voice_command"
SYSTEM_LANGUAGE = "zh-Hans"
"""The demo's Home Assistant language: entity names and state attributes (source names, the
power phase as media title) are in it whatever the user's UI language is."""

LANGUAGES = ("zh-Hans", "en")
BROWSER_LOCALE = {"zh-Hans": "zh-CN", "en": "en-US"}

# Home Assistant's own words, as its frontend shows them.
HA_TEXT: dict[str, dict[str, str]] = {
    "zh-Hans": {
        "welcome": "欢迎回家！",
        "overview": "概览",
        "add_device": "添加设备",
        "configure": "配置",
        "submit": "提交",
        "finish": "完成",
        "success": "成功",
        "options_saved": "选项已成功保存",
        "repairs": "修复",
        "source": "来源",
    },
    "en": {
        "welcome": "Welcome home!",
        "overview": "Overview",
        "add_device": "Add device",
        "configure": "Configure",
        "submit": "Submit",
        "finish": "Finish",
        "success": "Success",
        "options_saved": "Options successfully saved",
        "repairs": "Repairs",
        "source": "Source",
    },
}

_TRANSLATIONS = ROOT / "custom_components" / "xgimi_projector" / "translations"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if expect is None:
        return "Playwright is not installed (scripts/setup installs it from requirements_test.txt)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (scripts/setup installs Debian's chromium as root)"
    return None


def ours(lang: str, path: str) -> str:
    """One of our translations, e.g. ``ours("en", "config.step.authorize.title")``."""
    node: Any = json.loads((_TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8"))
    for key in path.split("."):
        node = node[key]
    return str(node)


def phase_text(lang: str, phase: str) -> str:
    return ours(lang, f"entity.sensor.power_phase.state.{phase}")


def fragment(text: str) -> str:
    """The longest part of a translation without ``{placeholders}`` or line breaks (what can
    be looked for on a page whatever the placeholders became)."""
    parts = re.split(r"\{[^}]*\}|\n", text)
    return max((part.strip() for part in parts), key=len)


# --- Home Assistant's state, as the page holds it ----------------------------------------------

_HASS = "document.querySelector('home-assistant')?.hass"


def state(page: Page, entity_id: str) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(
        f"(id) => {_HASS}?.states?.[id] ?? null", entity_id
    )
    return result


def wait_state(page: Page, entity_id: str, condition: str, timeout_s: float = 30) -> dict[str, Any]:
    """Wait until the entity's state object ``s`` satisfies the JavaScript ``condition`` (pushed
    to the page by Home Assistant's websocket: no polling of our own, no fixed sleeps)."""
    page.wait_for_function(
        f"(id) => {{ const s = {_HASS}?.states?.[id]; return !!s && ({condition}); }}",
        arg=entity_id,
        timeout=timeout_s * 1000,
    )
    result = state(page, entity_id)
    assert result is not None
    return result


def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """A websocket command on the page's own authenticated connection."""
    return page.evaluate(f"(message) => {_HASS}.callWS(message)", message)


def call_api(page: Page, method: str, path: str) -> Any:
    return page.evaluate(f"([method, path]) => {_HASS}.callApi(method, path)", [method, path])


def entries(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = call_ws(
        page, {"type": "config_entries/get", "domain": "xgimi_projector"}
    )
    return result


def remove_entry(page: Page, entry_id: str) -> None:
    call_api(page, "DELETE", f"config/config_entries/entry/{entry_id}")


# --- logging in and the user's language --------------------------------------------------------


def login(page: Page, base_url: str, lang: str) -> None:
    """Log in through Home Assistant's login page, then make ``lang`` the user's language (as
    the profile page does: the ``language`` frontend user data) and wait until the UI uses it."""
    page.goto(f"{base_url}/")
    page.locator("input[name=username]").fill(DEMO_USER)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r".*/lovelace/.*"))
    page.wait_for_function(f"() => !!{_HASS}?.states && !!{_HASS}?.user", timeout=30_000)
    language = page.evaluate(f"() => {_HASS}.language")
    if language != lang:
        page.evaluate(
            "(lang) => { const hass = "
            + _HASS
            + "; return hass.callWS({type: 'frontend/set_user_data', key: 'language',"
            " value: {...hass.locale, language: lang}}); }",
            lang,
        )
        page.reload()
        page.wait_for_function(
            f"(lang) => {_HASS}?.language === lang && !!{_HASS}?.states", arg=lang, timeout=30_000
        )


def power_row(page: Page) -> Locator:
    """The dashboard's row of the projector's power sensor (its name in the system language;
    its state translated by the frontend into the user's language)."""
    name = ours(SYSTEM_LANGUAGE, "entity.sensor.power_phase.name")
    return page.locator("hui-sensor-entity-row").filter(has_text=name)


def open_more_info(page: Page) -> Locator:
    """The projector's dialog, opened from the dashboard's media card as a person does."""
    page.locator("hui-media-control-card ha-icon-button.more-info").click()
    page.locator("more-info-media_player").wait_for()
    return page.locator("ha-more-info-dialog")


def close_more_info(page: Page) -> None:
    page.keyboard.press("Escape")
    page.locator("more-info-media_player").wait_for(state="detached")


def flow_dialog(page: Page) -> Locator:
    return page.locator("dialog-data-entry-flow")


def entry_row(page: Page, title: str, lang: str) -> Locator:
    """The row of one config entry on the integration's page."""
    return (
        page.locator("ha-md-list-item")
        .filter(has_text=title)
        .filter(has=page.get_by_role("button", name=HA_TEXT[lang]["configure"]))
        .first
    )


# --- screenshots --------------------------------------------------------------------------------


_ICONS_DRAWN = """() => {
    let drawn = true;
    const svgPath = (element) => {
        const inner = element.shadowRoot?.querySelector('ha-icon, ha-svg-icon');
        if (!inner) return false;
        return inner.localName === 'ha-icon' ? svgPath(inner) : !!inner.path;
    };
    const walk = (root) => root.querySelectorAll('*').forEach((element) => {
        if (element.localName === 'ha-state-icon' || element.localName === 'ha-icon') {
            drawn = drawn && svgPath(element);
        }
        if (element.shadowRoot) walk(element.shadowRoot);
    });
    walk(document);
    return drawn;
}"""


def shot(page: Page, name: str, lang: str) -> Path:
    """A screenshot in tests/browser/artifacts/, named after what it shows and the language,
    once the icons (loaded lazily by the frontend) are drawn."""
    ARTIFACTS.mkdir(exist_ok=True)
    with contextlib.suppress(PlaywrightTimeout):  # a screenshot without an icon is still one
        for _ in range(2):  # twice: cards that render late bring icons of their own
            page.wait_for_function(_ICONS_DRAWN, timeout=5_000)
            page.wait_for_timeout(300)
    path = ARTIFACTS / f"{name}-{lang}.png"
    page.screenshot(path=path)
    return path
