"""Friendly names of apps found on XGIMI projectors (package → name, in the user's language).

XGIMI's own apps and Android's system apps have a Chinese and an English name; video apps keep
the name they show on screen (a Chinese app's name is Chinese in every language). A package not
listed keeps its package name, which stays available to callers as the "package" everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_LOCALIZED: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # package: (English, 简体中文)
        "com.xgimi.home": ("XGIMI Home", "极米桌面"),
        "com.xgimi.filemanager": ("File manager", "文件管理"),
        "com.xgimi.xhplayer": ("HDMI", "HDMI"),
        "com.xgimi.tvinput": ("HDMI", "HDMI"),
        "com.xgimi.signalsource": ("Source menu", "信号源"),
        "com.xgimi.settings": ("Settings", "设置"),
        "com.xgimi.newsettings": ("Settings", "设置"),
        "com.xgimi.systemui": ("System UI", "系统界面"),
        "com.xgimi.shutdown": ("Power menu", "关机菜单"),
        "com.android.newsettings": ("Settings", "设置"),
        "com.android.settings": ("Settings", "设置"),
        "com.android.tv.settings": ("Settings", "设置"),
        "com.android.vending": ("Google Play", "Google Play"),
        "com.google.android.tvlauncher": ("Home", "主屏幕"),
        "com.google.android.apps.tv.launcherx": ("Google TV Home", "Google TV 主屏幕"),
        "com.google.android.tv.inputplayer": ("HDMI", "HDMI"),
        "com.google.android.katniss": ("Google Assistant", "Google 助理"),
        "com.mediatek.tis": ("HDMI", "HDMI"),
    }
)

KNOWN_APPS: Mapping[str, str] = MappingProxyType(
    {
        "com.amazon.amazonvideo.livingroom": "Prime Video",
        "com.cibn.tv": "CIBN酷喵 (优酷)",
        "com.disney.disneyplus": "Disney+",
        "com.gitvdemo.video": "银河奇异果 (爱奇艺)",
        "com.google.android.youtube.tv": "YouTube",
        "com.hunantv.license": "芒果TV",
        "com.ktcp.videoapp": "云视听极光 (腾讯视频)",
        "com.netflix.ninja": "Netflix",
        "com.plexapp.android": "Plex",
        "com.xiaodianshi.tv.yst": "云视听小电视 (哔哩哔哩)",
        "org.xbmc.kodi": "Kodi",
        "tv.danmaku.bili": "哔哩哔哩",
    }
)
"""Video apps people add as sources (their on-screen names; the options flow offers these)."""


def _is_chinese(language: str | None) -> bool:
    return bool(language) and str(language).lower().startswith("zh")


def app_name(
    package: str | None,
    overrides: Mapping[str, str] | None = None,
    language: str | None = None,
) -> str | None:
    """The friendly name of ``package`` (the user's own names first), or the package itself.

    ``language`` is a Home Assistant language code (``zh-Hans``, ``en`` …): XGIMI's and
    Android's own apps are named in it.
    """
    if package is None:
        return None
    if overrides and package in overrides:
        return overrides[package]
    if package in _LOCALIZED:
        english, chinese = _LOCALIZED[package]
        return chinese if _is_chinese(language) else english
    return KNOWN_APPS.get(package, package)
