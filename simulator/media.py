"""Media sessions and audio players: what ``dumpsys media_session`` and ``dumpsys audio`` show.

One :class:`MediaSessions` lives for one Android runtime, next to its
:class:`~simulator.activities.ActivityManager`. Apps get a session when a test or the mains API
starts media, or (*inferred*) when a media key reaches an app without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import enum
import time

from .activities import ActivityManager
from .profiles import Profile

__all__ = ["MediaSession", "MediaSessions", "PlaybackState"]

MEDIA_ACTIONS = ("play_pause", "play", "pause", "stop", "next", "previous")
"""Key actions that go to the active media session."""


class PlaybackState(enum.IntEnum):
    """``PlaybackState.state`` values as androidtv reads them."""

    NONE = 0
    STOPPED = 1
    PAUSED = 2
    PLAYING = 3


_PLAYER_EVENTS = {
    PlaybackState.PLAYING: "started",
    PlaybackState.PAUSED: "paused",
    PlaybackState.STOPPED: "stopped",
}


@dataclass(slots=True)
class MediaSession:
    """One app's MediaSession as ``dumpsys media_session`` lists it."""

    package: str
    tag: str
    state: PlaybackState
    position_ms: int
    updated_ms: int
    piid: int
    active: bool = True

    @property
    def speed(self) -> float:
        return 1.0 if self.state == PlaybackState.PLAYING else 0.0


class MediaSessions:
    """The sessions by package, which was active last, and the audio player event log."""

    def __init__(
        self, profile: Profile, apps: ActivityManager, uptime_ms: Callable[[], int]
    ) -> None:
        self.profile = profile
        self._apps = apps
        self._uptime_ms = uptime_ms
        self.sessions: dict[str, MediaSession] = {}
        self.order: list[str] = []
        """Packages from least to most recently active."""
        self.player_events: list[tuple[float, int, str]] = []
        """``(wall time, piid, event)``: the last 40 of ``dumpsys audio``'s player events."""
        self._next_piid = 15

    @property
    def active(self) -> MediaSession | None:
        """The session media keys go to: the most recently active one."""
        return self.sessions[self.order[-1]] if self.order else None

    @property
    def playing(self) -> list[MediaSession]:
        return [s for s in self.sessions.values() if s.state == PlaybackState.PLAYING]

    def start(self, package: str, state: PlaybackState, tag: str | None = None) -> MediaSession:
        """Give ``package`` a media session in ``state`` (and a process); it becomes active."""
        self._apps.spawn(package)
        session = self.sessions.get(package)
        if session is None:
            label = (
                self.profile.packages[package].label
                if package in self.profile.packages
                else package
            )
            session = MediaSession(
                package=package,
                tag=tag
                or (label if label.isascii() and " " not in label else "MediaSessionCompat"),
                state=PlaybackState.NONE,
                position_ms=0,
                updated_ms=self._uptime_ms(),
                piid=self._next_piid,
            )
            self._next_piid += 8
            self.sessions[package] = session
            self.player_events.append((time.time(), session.piid, "new"))
        self.set_state(session, state)
        return session

    def set_state(self, session: MediaSession, state: PlaybackState) -> None:
        now_ms = self._uptime_ms()
        if session.state == PlaybackState.PLAYING:
            session.position_ms += max(0, now_ms - session.updated_ms)
        if state == PlaybackState.STOPPED:
            session.position_ms = 0
        if state != session.state:
            event = _PLAYER_EVENTS.get(state)
            if event:
                self.player_events.append((time.time(), session.piid, event))
                del self.player_events[:-40]
        session.state = state
        session.updated_ms = now_ms
        if session.package in self.order:
            self.order.remove(session.package)
        self.order.append(session.package)

    def pause_all(self) -> None:
        """Pause every playing session (*inferred*: apps pause when the SoC suspends)."""
        for session in self.sessions.values():
            if session.state == PlaybackState.PLAYING:
                self.set_state(session, PlaybackState.PAUSED)

    def remove(self, package: str) -> None:
        if package in self.sessions:
            del self.sessions[package]
            self.order.remove(package)

    def media_key(self, action: str) -> None:
        """One of :data:`MEDIA_ACTIONS`, to the app in front or else the active session."""
        fg = self._apps.foreground_package
        session = self.sessions.get(fg) if fg else None
        if session is None:
            session = self.active
        if session is None:
            top = self._apps.top
            if top is None or top.kind != "app":
                return
            session = self.start(top.package, PlaybackState.NONE)  # inferred: the app answers
        current = session.state
        if action == "play_pause":
            new = (
                PlaybackState.PAUSED if current == PlaybackState.PLAYING else PlaybackState.PLAYING
            )
        elif action == "play":
            new = PlaybackState.PLAYING
        elif action == "pause":
            new = PlaybackState.PAUSED if current == PlaybackState.PLAYING else current
        elif action == "stop":
            new = PlaybackState.STOPPED
        else:  # next / previous: position restarts
            session.position_ms = 0
            new = current
        self.set_state(session, new)
