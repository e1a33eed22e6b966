"""Constants of the XGIMI Projector integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "xgimi_projector"
MANUFACTURER: Final = "XGIMI"

CONF_DEVICE_INFO: Final = "device_info"
"""Entry data: the probe summary (``DeviceInfo.as_dict()``)."""
CONF_APPS: Final = "apps"
"""Option: app entries shown as sources, ``package`` or ``package=Name``."""
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_POWER_ON_SOURCE: Final = "power_on_source"

DEFAULT_PORT: Final = 5555
DEFAULT_SCAN_INTERVAL: Final = 10
MIN_SCAN_INTERVAL: Final = 5
MAX_SCAN_INTERVAL: Final = 300
DEFAULT_NAME: Final = {"zh-Hans": "投影仪", "zh-Hant": "投影機"}
DEFAULT_NAME_FALLBACK: Final = "Projector"

KEY_FILE: Final = f"{DOMAIN}_adbkey"
"""One ADB key for every projector, under ``.storage`` (generated once, never replaced)."""

SETUP_AUTH_TIMEOUT_S: Final = 10.0
FLOW_AUTH_TIMEOUT_S: Final = 90.0
"""How long the config flow waits for a person to answer "Allow USB debugging?"."""

POWER_ON_SOURCE_NONE: Final = "none"

ISSUE_INSECURE_ADB: Final = "insecure_adb"

SERVICE_ADB_COMMAND: Final = "adb_command"
ATTR_COMMAND: Final = "command"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
