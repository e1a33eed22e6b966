"""Repair issues: one per entry and kind, raised and removed in one place."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    *,
    translation_key: str | None,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    placeholders: dict[str, str] | None = None,
    learn_more_url: str | None = None,
) -> None:
    """Raise this entry's ``kind`` repair issue, or remove it when ``translation_key`` is None."""
    issue_id = f"{kind}_{entry.entry_id}"
    if translation_key is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders={"name": entry.title, **(placeholders or {})},
        learn_more_url=learn_more_url,
    )
