"""XGIMI's LAN key protocol, pure parts: the key codec, the key table, the discovery answer
parser and the error mapping (docs/lan.md)."""

from __future__ import annotations

import errno

import pytest

from custom_components.xgimi_projector.projector import (
    KEYCODES,
    LAN_KEYCODES,
    DiscoveredProjector,
    InvalidCommandError,
    LanKeyNotSupportedError,
    LanPortClosedError,
    LanSendError,
    NoRouteError,
    UnknownKeyError,
    lan_keycode,
    parse_reply,
)
from custom_components.xgimi_projector.projector.discovery import (
    MAX_DATAGRAMS,
    MAX_RESULTS,
    PROBE,
    _Collector,
)
from custom_components.xgimi_projector.projector.keycodes import LAN_POWER_OFF
from custom_components.xgimi_projector.projector.lan import (
    MAX_KEYS_PER_CALL,
    decode_key,
    encode_key,
    lan_codes,
    lan_error,
)


@pytest.mark.parametrize(
    ("code", "datagram"),
    [
        (30, b"KEYPRESSES:30"),
        (49, b"KEYPRESSES:49"),
        (2099, b"KEYPRESSES:2099"),
        (1, b"KEYPRESSES:1"),
    ],
)
def test_encode_and_decode_round_trip(code: int, datagram: bytes) -> None:
    assert encode_key(code) == datagram
    assert decode_key(datagram) == code


@pytest.mark.parametrize("code", [0, -1, 100_000, True, 3.0, "49"])
def test_encode_refuses_codes_outside_the_protocol(code: object) -> None:
    with pytest.raises(InvalidCommandError):
        encode_key(code)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("datagram", "code"),
    [
        (b"KEYPRESSES:115\r\n", 115),
        (b"KEYPRESSES:", None),
        (b"KEYPRESSES:0", None),
        (b"KEYPRESSES:-5", None),
        (b"KEYPRESSES: 5", None),
        (b"KEYPRESSES:5a", None),
        (b"keypresses:5", None),
        (b"KEYSSTATUS:35+1", None),
        (b"KEYPRESSES:\xd9\xa3", None),  # Arabic-Indic digit three: not ASCII
        (b"\xff\xfe", None),
        (b"KEYPRESSES:" + b"9" * 40, None),
        (b"", None),
    ],
)
def test_decode_is_strict(datagram: bytes, code: int | None) -> None:
    assert decode_key(datagram) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("home", 35),
        ("up", 36),
        ("right", 37),
        ("down", 38),
        ("back", 48),
        ("ok", 49),
        ("DPAD_CENTER", 49),
        ("left", 50),
        ("volume_mute", 113),
        ("volume_down", 114),
        ("volume up", 115),
        ("power", 116),
        ("menu", 139),
        ("sleep", 30),
        ("autofocus", 2099),
        ("focus", 2099),
        ("gear", 2101),
        ("source", 2102),
        ("FOCUS_MOTOR_STOP", 2094),
        ("autofocus_new", 2103),
        ("hibernate", 2106),
        ("xmusic", 2108),
    ],
)
def test_lan_keycode(name: str, code: int) -> None:
    assert lan_keycode(name) == code


def test_lan_table_is_a_subset_of_the_adb_whitelist() -> None:
    assert set(LAN_KEYCODES) <= set(KEYCODES)
    assert LAN_POWER_OFF == 30
    assert len(set(LAN_KEYCODES.values())) == len(LAN_KEYCODES)


@pytest.mark.parametrize("name", ["play", "pause", "hdmi1", "xgimi_power", "search", "wakeup"])
def test_whitelisted_keys_without_a_lan_code_are_refused(name: str) -> None:
    with pytest.raises(LanKeyNotSupportedError) as exc:
        lan_keycode(name)
    assert exc.value.invalid_input
    assert exc.value.translation_key == "lan_key_not_supported"
    assert exc.value.translation_placeholders == {"key": name}


@pytest.mark.parametrize("name", ["rm -rf", "KEYPRESSES:30", "", "volume_up; reboot"])
def test_unknown_names_are_refused(name: str) -> None:
    with pytest.raises(UnknownKeyError):
        lan_keycode(name)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"names": ["home"], "repeats": 0}, "repeats"),
        ({"names": ["home"] * 2, "repeats": MAX_KEYS_PER_CALL}, "at most"),
        ({"names": ["home"], "delay_s": -1.0}, "delay"),
        ({"names": ["home"], "delay_s": 61.0}, "delay"),
        ({"names": []}, "no keys"),
        ({"names": "home"}, "sequence"),
    ],
)
def test_lan_codes_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidCommandError, match=message):
        lan_codes(**kwargs)  # type: ignore[arg-type]


def test_lan_codes_repeat_the_sequence() -> None:
    assert lan_codes(["down", "ok"], repeats=2) == [38, 49, 38, 49]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), LanPortClosedError),
        (OSError(errno.ENETUNREACH, "net"), NoRouteError),
        (OSError(errno.EHOSTUNREACH, "host"), NoRouteError),
        (PermissionError(errno.EACCES, "denied"), LanSendError),
        (OSError(errno.EMSGSIZE, "too long"), LanSendError),
    ],
)
def test_lan_error_mapping(error: OSError, expected: type[Exception]) -> None:
    mapped = lan_error(error, "192.0.2.1:16735")
    assert type(mapped) is expected
    assert "192.0.2.1:16735" in str(mapped)


# --- discovery answers ----------------------------------------------------------------------

# The answer quoted in XGIMI's 2017 app (its comment), without the deviceip field.
GOOD = (
    b'{"action":9999,"deviceInfo":{"devicename":"\xe5\xae\xa2\xe5\x8e\x85",'
    b'"devicetype":"mangomangosteen","versioncode":0},"msgid":"1"}'
)


@pytest.mark.parametrize(
    ("datagram", "expected"),
    [
        (GOOD, DiscoveredProjector("192.0.2.7", "客厅", "mangomangosteen", 0)),
        (
            b'{"action":"9999","deviceInfo":{"devicename":" Z7X\\u0007 ","devicetype":7,'
            b'"versioncode":"61100","deviceip":"10.9.9.9"}}',
            DiscoveredProjector("192.0.2.7", "Z7X", "", 61100),
        ),
        (
            b'{"action":9999,"deviceInfo":{"devicename":"' + b"x" * 100 + b'","versioncode":true}}',
            DiscoveredProjector("192.0.2.7", "x" * 64, "", None),
        ),
        (
            b'{"action":9999,"deviceInfo":{"devicename":"a","versioncode":"1e9"}}',
            DiscoveredProjector("192.0.2.7", "a", "", None),
        ),
        (PROBE, None),
        (b'{"action":9999}', None),
        (b'{"action":9999,"deviceInfo":[]}', None),
        (b'{"action":9999,"deviceInfo":{"devicetype":"z"}}', None),
        (b'{"action":9999,"deviceInfo":{"devicename":null}}', None),
        (b'{"action":true,"deviceInfo":{"devicename":"a"}}', None),
        (b"[9999]", None),
        (b"KEYPRESSES:30", None),
        (b"\xff\xfe{}", None),
        (b"{" * 5000, None),
        (b'{"action":9999,"deviceInfo":{"devicename":"' + b"a" * 3000 + b'"}}', None),
        (b"", None),
    ],
)
def test_parse_reply(datagram: bytes, expected: DiscoveredProjector | None) -> None:
    assert parse_reply(datagram, "192.0.2.7") == expected


def test_collector_is_bounded() -> None:
    collector = _Collector()
    answer = b'{"action":9999,"deviceInfo":{"devicename":"p"}}'
    for index in range(MAX_DATAGRAMS + 10):
        collector.datagram_received(answer, (f"10.0.{index // 250}.{index % 250}", 16752))
    assert len(collector.found) == MAX_RESULTS
    collector.datagram_received(answer, ("10.9.9.9", 16752))
    assert "10.9.9.9" not in collector.found
    collector.error_received(OSError(errno.ECONNREFUSED, "x"))
    assert collector.error is not None
