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


ZH = __import__("json").loads(
    (
        __import__("pathlib").Path(__file__).parents[2]
        / "custom_components/xgimi_projector/translations/zh-Hans.json"
    ).read_text()
)


def _error_classes() -> list[type[XgimiError]]:
    from custom_components.xgimi_projector.projector import errors

    return [
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type)
        and issubclass(obj, XgimiError)
        and obj.__module__ == errors.__name__
    ]


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_carries_translated_keys(cls: type[XgimiError]) -> None:
    """Adding an error is one class and its messages: each key it carries is translated."""
    from custom_components.xgimi_projector.projector import CalibrationError

    if cls is CalibrationError:
        for reason in ("too_close", "negative", "screen_off_out_of_range"):
            key = CalibrationError(reason).translation_key
            assert key in EN["options"]["error"]
            assert key in ZH["options"]["error"]
        return
    for language in (EN, ZH):
        assert cls.translation_key in language["exceptions"], cls.translation_key
        assert cls.connect_error_key in language["config"]["error"], cls.connect_error_key
        if cls.repair_issue:
            assert f"power_on_failed_{cls.translation_key}" in language["issues"]


def test_connect_error_keys() -> None:
    """The set-up form names the failure the error carries."""
    assert SessionClosedError("x").connect_error_key == "another_client"
    assert AuthorizationRejectedError("x").connect_error_key == "auth_rejected"
    assert AuthorizationPendingError("x").connect_error_key == "auth_timeout"
    assert WirelessDebuggingPortError("x").connect_error_key == "wireless_debugging_port"
    assert ProjectorUnreachableError("x").connect_error_key == "cannot_connect"
