"""What diagnostics may reveal: a capture full of personal data, redacted by allow-list and
patterns (pure functions, table-driven)."""

from __future__ import annotations

import pytest

from custom_components.xgimi_projector.redact import (
    REDACTED,
    allowed_prop,
    redact_captures,
    redact_text,
)

FULL_OF_IT = {
    "getprop": "\n".join(
        [
            "[ro.build.version.sdk]: [31]",
            "[ro.product.model]: [XGIMI TV]",
            "[ro.serialno]: [Z6XPC23040178]",
            "[persist.sys.device_name]: [客厅的投影仪]",
            "[dhcp.wlan0.ipaddress]: [192.168.1.23]",
            "[wifi.interface]: [wlan0]",
            "[ro.boot.wifimacaddr]: [a4:5e:60:c2:11:9b]",
            "[xgimi.bt.name]: [XGIMI Z6X Pro]",
        ]
    ),
    "dumpsys power": "  mWakeLockSummary=0x1\n"
    "  WIFI_LOCK 'wlan0 192.168.1.23 fe80::1c2b:3cff:fe4d:5e6f'\n"
    '  at 12:34:56.789 SSID: "ChinaNet-5G" BSSID: 8c:53:c3:aa:bb:cc\n',
}


def test_a_capture_full_of_personal_data() -> None:
    redacted = redact_captures(FULL_OF_IT, ["Z6XPC23040178"])
    getprop = redacted["getprop"]
    assert "[ro.build.version.sdk]: [31]" in getprop
    assert "[xgimi.bt.name]: [XGIMI Z6X Pro]" in getprop
    assert f"[ro.serialno]: [{REDACTED}]" in getprop
    for gone in ("客厅", "192.168", "wlan0", "a4:5e:60", "dhcp"):
        assert gone not in getprop, gone
    power = redacted["dumpsys power"]
    for gone in ("192.168.1.23", "fe80::", "ChinaNet", "8c:53:c3"):
        assert gone not in power, gone
    assert "12:34:56.789" in power, "times are not addresses"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ip 10.0.0.7 and 127.0.0.1", f"ip {REDACTED} and 127.0.0.1"),
        ("version 1.2.3.4567", "version 1.2.3.4567"),
        ("size 300.1.2.3", "size 300.1.2.3"),
        ("mac 00-1A-2B-3C-4D-5E", f"mac {REDACTED}"),
        ("addr 2408:8207:1850:2b0::1a", f"addr {REDACTED}"),
        ('ssid="家里的WiFi" rssi=-40', f"ssid={REDACTED} rssi=-40"),
        ("plain text", "plain text"),
    ],
)
def test_patterns(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("ro.build.fingerprint", True),
        ("ro.boot.xgimi.modelname", True),
        ("ro.adb.secure", True),
        ("persist.sys.device_name", False),
        ("net.hostname", False),
        ("dhcp.wlan0.dns1", False),
        ("persist.sys.timezone", False),
    ],
)
def test_allow_list(key: str, allowed: bool) -> None:
    assert allowed_prop(key) is allowed
