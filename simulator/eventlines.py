"""Which event-log lines the simulated projector writes for each change, per Android version.

The shapes follow real captures (``tests/captures/logcat_events``, docs/events.md) and AOSP's
tag definitions (``EventLogTags.logtags``); the simulator follows them, never the other way:

* an activity comes to the front: system_server logs ``am_focused_activity`` (Android 8),
  ``am_set_resumed_activity`` (9) or ``wm_set_resumed_activity`` (10+), and
  ``am_resume_activity``/``wm_resume_activity`` when an existing activity is resumed; the app's
  main thread logs ``am_on_resume_called`` (8–10, ``[user,class,reason]``) or
  ``wm_on_resume_called`` (11+, ``[token,class,reason]``; 14+ adds the time in ms);
* Android goes to sleep (power key, sleep timer, an intent): ``power_sleep_requested``, then
  ``power_screen_state [0,why,…]`` and ``screen_toggled: 0``; it wakes: ``screen_toggled: 1``
  then ``power_screen_state [1,0,0,0,latency]``;
* the music volume index changes: ``volume_changed [3,old,new,max,caller]`` (AudioService; a
  mute leaves the index alone and logs nothing);
* the XGIMI 关屏 (light off, Android awake) and the HDMI input switch inside the TV player log
  nothing of their own: Android sees no display or activity change (the player gets a new
  intent and is resumed again, which logs only the app-side resume line).

:class:`EventWatcher` compares the model's state with what it last logged and writes the
difference; the device calls :meth:`EventWatcher.sync` after everything that can change it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .logcat import EventLog
from .power import DeviceState

if TYPE_CHECKING:
    from .activities import Activity

__all__ = ["EventWatcher", "Line", "activity_lines", "sleep_lines", "volume_lines", "wake_lines"]

SYSTEM_SERVER_PID: Final = 612
"""system_server's pid in the model's ``ps`` (simulator.dumpsys.system)."""

_SLEEP_WHY: Final = {"power_button": 4, "sleep_button": 6, "timeout": 2, "hdmi": 5}
"""``PowerManager.GO_TO_SLEEP_REASON_*``; anything else is ``APPLICATION`` (0)."""


@dataclass(frozen=True, slots=True)
class Line:
    tag: str
    body: str
    app: bool = False
    """Logged by the app's main thread (its pid) rather than by system_server."""


def activity_lines(sdk: int, activity: Activity, *, fresh: bool, reason: str) -> list[Line]:
    """The lines of ``activity`` coming to the front (``fresh``: a new instance)."""
    short = activity.spec.short
    cls = activity.spec.component.partition("/")[2]
    token = int(activity.hash, 16) if activity.hash else 0
    lines: list[Line] = []
    if sdk <= 27:
        lines.append(Line("am_focused_activity", f"[0,{short},{reason}]"))
    else:
        prefix = "am" if sdk == 28 else "wm"
        why = "minimalResumeActivityLocked" if fresh else "resumeTopActivityInnerLocked"
        lines.append(Line(f"{prefix}_set_resumed_activity", f"[0,{short},{why}]"))
    if not fresh:
        prefix = "am" if sdk <= 28 else "wm"
        lines.append(Line(f"{prefix}_resume_activity", f"[0,{token},{activity.task_id},{short}]"))
    lines.append(app_resume_line(sdk, cls, token, "RESUME_ACTIVITY"))
    return lines


def app_resume_line(sdk: int, cls: str, token: int, reason: str) -> Line:
    if sdk <= 29:
        return Line("am_on_resume_called", f"[0,{cls},{reason}]", app=True)
    if sdk >= 34:
        return Line("wm_on_resume_called", f"[{token},{cls},{reason},0]", app=True)
    return Line("wm_on_resume_called", f"[{token},{cls},{reason}]", app=True)


def sleep_lines(reason: str) -> list[Line]:
    why = _SLEEP_WHY.get(reason, 0)
    return [
        Line("power_sleep_requested", "0"),
        Line("power_screen_state", f"[0,{why},0,0,0]"),
        Line("screen_toggled", "0"),
    ]


def wake_lines(latency_ms: int) -> list[Line]:
    return [
        Line("screen_toggled", "1"),
        Line("power_screen_state", f"[1,0,0,0,{latency_ms}]"),
    ]


def volume_lines(old: int, new: int, maximum: int, caller: str) -> list[Line]:
    return [Line("volume_changed", f"[3,{old},{new},{maximum},{caller}]")]


@dataclass(slots=True)
class _Seen:
    state: DeviceState | None = None
    top: str | None = None
    """``hash`` of the resumed activity."""
    top_source: str | None = None
    volume: int | None = None


class EventWatcher:
    """Writes the lines for whatever changed since the last :meth:`sync`."""

    def __init__(
        self,
        log: EventLog,
        sdk: int,
        *,
        state: Callable[[], DeviceState],
        top: Callable[[], Activity | None],
        app_pid: Callable[[str], int | None],
        volume: Callable[[], tuple[int, int]],
        sleep_reason: Callable[[], str],
        tid: Callable[[], int],
    ) -> None:
        self.log = log
        self.sdk = sdk
        self._state = state
        self._top = top
        self._app_pid = app_pid
        self._volume = volume
        self._sleep_reason = sleep_reason
        self._tid = tid
        self._seen = _Seen()
        self._resumed: set[str] = set()
        self.volume_caller = "android"

    def write(self, lines: list[Line], *, app_pid: int | None = None) -> None:
        for line in lines:
            if line.app:
                pid = app_pid or SYSTEM_SERVER_PID
                self.log.write(line.tag, line.body, pid=pid, tid=pid)
            else:
                self.log.write(line.tag, line.body, pid=SYSTEM_SERVER_PID, tid=self._tid())

    def reset(self) -> None:
        """Android restarted: nothing has been resumed yet."""
        self._resumed.clear()
        self._seen = _Seen(state=self._seen.state, volume=self._seen.volume)

    def sync(self) -> None:
        state = self._state()
        seen = self._seen
        if seen.state is not None and state != seen.state:
            self._power(seen.state, state)
        seen.state = state
        if state in (DeviceState.ON, DeviceState.SCREEN_OFF):
            self._activity()
            self._audio()

    def _power(self, old: DeviceState, new: DeviceState) -> None:
        awake = (DeviceState.ON, DeviceState.SCREEN_OFF)
        if old in awake and new == DeviceState.STANDBY:
            self.write(sleep_lines(self._sleep_reason()))
            self._seen.top = None  # activities stop; the top one is resumed again on wake
        elif old in (DeviceState.STANDBY, DeviceState.BOOTING) and new in awake:
            self.write(wake_lines(180))  # the display comes on (at the end of a boot too)

    def _activity(self) -> None:
        top = self._top()
        seen = self._seen
        if top is None:
            seen.top = seen.top_source = None
            return
        if top.hash == seen.top:
            if top.source != seen.top_source:  # same player, another input: a new intent
                cls = top.spec.component.partition("/")[2]
                line = app_resume_line(
                    self.sdk, cls, int(top.hash, 16), "LIFECYCLER_RESUME_ACTIVITY"
                )
                self.write([line], app_pid=self._app_pid(top.package))
                seen.top_source = top.source
            return
        fresh = top.hash not in self._resumed
        self._resumed.add(top.hash)
        reason = "startedActivity" if fresh else "moveTaskToFront"
        lines = activity_lines(self.sdk, top, fresh=fresh, reason=reason)
        self.write(lines, app_pid=self._app_pid(top.package))
        seen.top, seen.top_source = top.hash, top.source

    def _audio(self) -> None:
        level, maximum = self._volume()
        if self._seen.volume is not None and level != self._seen.volume:
            self.write(volume_lines(self._seen.volume, level, maximum, self.volume_caller))
        self._seen.volume = level
