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
CONF_SOURCE_ALIASES: Final = "source_aliases"
"""Option: spoken names of sources for voice commands, ``HDMI1=电视盒子,盒子``."""

# Power (smart plug) options
CONF_PLUG: Final = "plug"
"""Option: the ``switch`` entity of the smart plug the projector is plugged into."""
CONF_POWER_SENSOR: Final = "power_sensor"
"""Option: the plug's power ``sensor`` (W), optional."""
CONF_AUTO_POWER_ON: Final = "auto_power_on_confirmed"
"""Option: the user confirmed 上电自动开机 is enabled on the projector."""
CONF_REARM_OFF_S: Final = "rearm_off_s"
CONF_BOOT_TIMEOUT_S: Final = "boot_timeout_s"
CONF_CUT_MAINS: Final = "cut_mains_after_off"
CONF_CUT_MAINS_COOLDOWN_S: Final = "cut_mains_cooldown_s"
CONF_STANDBY_W: Final = "standby_w"
CONF_SCREEN_OFF_W: Final = "screen_off_w"
CONF_ON_W: Final = "on_w"
"""Calibration readings (W); the thresholds are derived from them."""

DEFAULT_REARM_OFF_S: Final = 10
MIN_REARM_OFF_S: Final = 3
MAX_REARM_OFF_S: Final = 120
DEFAULT_BOOT_TIMEOUT_S: Final = 90
MIN_BOOT_TIMEOUT_S: Final = 30
MAX_BOOT_TIMEOUT_S: Final = 600
DEFAULT_CUT_MAINS_COOLDOWN_S: Final = 60
MIN_CUT_MAINS_COOLDOWN_S: Final = 30
MAX_CUT_MAINS_COOLDOWN_S: Final = 1800

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
ISSUE_POWER_ON_FAILED: Final = "power_on_failed"

SERVICE_ADB_COMMAND: Final = "adb_command"
SERVICE_VOICE_COMMAND: Final = "voice_command"
ATTR_COMMAND: Final = "command"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
