"""Friendly names of apps commonly installed on XGIMI projectors (package → name)."""

from __future__ import annotations

from types import MappingProxyType

KNOWN_APPS: MappingProxyType[str, str] = MappingProxyType(
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


def app_name(package: str | None, overrides: dict[str, str] | None = None) -> str | None:
    """The friendly name of ``package`` (user overrides first), or the package itself."""
    if package is None:
        return None
    if overrides and package in overrides:
        return overrides[package]
    return KNOWN_APPS.get(package, package)
