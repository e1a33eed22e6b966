"""Every library error maps to a translated Home Assistant error of the right kind."""

from __future__ import annotations

import re

from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.xgimi_projector.const import DOMAIN
from custom_components.xgimi_projector.entity import translate_error
from custom_components.xgimi_projector.projector import (
    AuthorizationPendingError,
    AuthorizationRejectedError,
    CommandFailedError,
    InvalidCommandError,
    NotSupportedError,
    ProjectorUnreachableError,
    SessionClosedError,
    UnknownKeyError,
    UnknownSourceError,
    WirelessDebuggingPortError,
    XgimiError,
)

EN = __import__("json").loads(
    (
        __import__("pathlib").Path(__file__).parents[2]
        / "custom_components/xgimi_projector/translations/en.json"
    ).read_text()
)


@pytest.mark.parametrize(
    ("error", "key", "validation"),
    [
        (UnknownKeyError("x"), "unknown_key", True),
        (UnknownSourceError("x"), "unknown_source", True),
        (NotSupportedError("hdmi", "gmui_android9"), "not_supported", True),
        (InvalidCommandError("bad"), "invalid_command", True),
        (ProjectorUnreachableError("gone"), "unreachable", False),
        (SessionClosedError("closed"), "unreachable", False),
        (AuthorizationPendingError("wait"), "authorization_required", False),
        (AuthorizationRejectedError("no"), "authorization_required", False),
        (WirelessDebuggingPortError("tls"), "wireless_debugging_port", False),
        (CommandFailedError("boom"), "command_failed", False),
        (XgimiError("other"), "command_failed", False),
    ],
)
def test_translate_error(error: XgimiError, key: str, validation: bool) -> None:
    translated = translate_error(error, "192.0.2.1")
    assert translated.translation_domain == DOMAIN
    assert translated.translation_key == key
    assert isinstance(translated, ServiceValidationError) is validation
    message = EN["exceptions"][key]["message"]
    for placeholder in translated.translation_placeholders or {}:
        assert placeholder in (translated.translation_placeholders or {})
    # every placeholder the message uses is provided

    used = set(re.findall(r"{(\w+)}", message))
    assert used <= set(translated.translation_placeholders or {})
