"""``dumpsys audio``, ``dumpsys media_session`` and ``dumpsys tv_input``."""

from __future__ import annotations

from collections.abc import Sequence
import time
from typing import TYPE_CHECKING, Any

from ..activities import package_uid
from ..media import PlaybackState
from ..power import AWAKE
from .system import stable_hash

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = ["audio", "media_session", "tv_input"]

_STATE_NAMES = {
    0: "NONE",
    1: "STOPPED",
    2: "PAUSED",
    3: "PLAYING",
    4: "FAST_FORWARDING",
    5: "REWINDING",
    6: "BUFFERING",
    7: "ERROR",
}
"""``PlaybackState`` by name, as Android 13+ prints it next to the number (``PLAYING(3)``)."""

_PLAYER_STATES = {
    PlaybackState.PLAYING: "started",
    PlaybackState.PAUSED: "paused",
    PlaybackState.STOPPED: "stopped",
}


def audio(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys audio``: STREAM_MUSIC, the players, their event log, audio focus."""
    profile = device.profile
    media = device.media
    processes = device.apps.processes
    players = [
        {
            "piid": s.piid,
            "uid": package_uid(profile, s.package),
            "pid": processes.get(s.package, 0),
            "pkg": s.package,
            "state": _PLAYER_STATES.get(s.state, "idle"),
            "session": 1000 + s.piid * 8 + 1,
        }
        for s in media.sessions.values()
    ]
    events = []
    by_piid = {s.piid: s for s in media.sessions.values()}
    for ts, piid, event in media.player_events:
        owner = by_piid.get(piid)
        if owner is None:
            continue
        events.append(
            {
                "date_md": time.strftime("%m-%d", time.localtime(ts)),
                "time": time.strftime("%H:%M:%S", time.localtime(ts))
                + f":{int((ts % 1) * 1000):03d}",
                "piid": piid,
                "uid": package_uid(profile, owner.package),
                "pid": processes.get(owner.package, 0),
                "event": event,
                "is_new": event == "new",
                "session": 1000 + piid * 8 + 1,
            }
        )
    return {
        "music_muted": device.muted,
        "music_min": 0,
        "music_max": profile.volume_max,
        "music_index": device.volume,
        "audio_device": "speaker",
        "players": players,
        "player_events": [e for e in events if not e["is_new"]],
        "player_creations": [e for e in events if e["is_new"]],
        "focus_owners": [
            {
                "pkg": s.package,
                "uid": package_uid(profile, s.package),
                "hash": stable_hash(profile, "focus" + s.package),
            }
            for s in media.playing
        ],
    }


def media_session(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys media_session``: the sessions, most recently active first."""
    profile = device.profile
    media = device.media
    now_ms = device.since_boot_ms(device.now())
    sessions = []
    for pkg in reversed(media.order):
        s = media.sessions[pkg]
        position = s.position_ms
        if s.state == PlaybackState.PLAYING:
            position += max(0, now_ms - s.updated_ms)
        sessions.append(
            {
                "tag": s.tag,
                "pkg": s.package,
                "pid": device.apps.processes.get(s.package, 0),
                "uid": package_uid(profile, s.package),
                "state": int(s.state),
                "state_name": _STATE_NAMES.get(int(s.state), "UNKNOWN"),
                "id": s.piid,
                "position": position,
                "updated": s.updated_ms,
                "speed": s.speed,
                "active": s.active,
            }
        )
    active = media.active
    return {
        "sessions": sessions,
        "session_count": len(sessions),
        "button_session": f"{active.package}/{active.tag} (userId=0)" if active else "null",
        "button_record": f"{active.package}/{active.tag}/{active.piid} (userId=0)"
        if active
        else "null",
        "audio_playback": [
            {"uid": package_uid(profile, s.package), "pkg": s.package} for s in media.playing
        ],
    }


def tv_input(device: DeviceModel, argv: Sequence[str]) -> dict[str, Any]:
    """``dumpsys tv_input``: the HDMI inputs, and the session of the one shown."""
    hdmi = device.profile.hdmi
    inputs = [
        {
            "name": name,
            "input_id": info.get("input_id", name),
            "hdmi_port": info.get("hdmi_port", 0),
            "label": info.get("label", name),
        }
        for name, info in hdmi.inputs.items()
    ]
    tv_sessions = []
    src = device.hdmi_input if device.state in AWAKE else None
    if src and src in hdmi.inputs:
        info = hdmi.inputs[src]
        player_pkg = hdmi.player.partition("/")[0]
        tv_sessions.append(
            {
                "input_id": info.get("input_id", src),
                "hdmi_port": info.get("hdmi_port", 0),
                "session_hash": stable_hash(device.profile, "tvs" + src),
                "client_pid": device.apps.processes.get(player_pkg, 0),
                "client_uid": package_uid(device.profile, player_pkg),
                "name": src,
            }
        )
    return {"tv_inputs": inputs, "tv_sessions": tv_sessions}
