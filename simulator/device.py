"""The simulated XGIMI projector: apps, inputs, volume, media, keys, and the Android shell.

``DeviceModel`` implements :class:`simulator.backend.DeviceBackend` for the ADB daemon. What it
prints comes from its firmware profile (``simulator/profiles``); what it *does* is modelled here
and in the modules it is made of:

* :mod:`simulator.power` — power states, mains, boot, the network, timers (the base class);
* :mod:`simulator.activities` — processes, the activity stack, source menu, quick panel;
* :mod:`simulator.media` — media sessions and audio players;
* :mod:`simulator.commands` — the Android commands (``am``, ``input``, ``pm`` …) by name;
* :mod:`simulator.dumpsys` — the placeholders of the profile's output templates;
* :mod:`simulator.keys` and :mod:`simulator.intents` — key codes, and ``am``'s intents.

Behaviour marked *inferred* is not confirmed by any source in ``docs/xgimi.md``:

* in 关屏 any key other than SLEEP wakes the light and is consumed (§3.1 "remote/any key");
* 2101 toggles the quick-settings overlay; BACK/HOME close it;
* the source menu's highlight starts on its first item (profile ``start``), DOWN/UP move it,
  OK/ENTER select, BACK closes; it is modelled as an activity even where the firmware shows an
  overlay service;
* apps pause their playing media session when the projector enters standby; a media key on an
  app without a session gives it one;
* the HDMI player started with unrecognised extras comes to the front without changing input;
* ``persist.sys.hdmi.bootsource=HDMI1|HDMI2`` makes the boot land on that input (§2.5);
* the shell's ``reboot -p`` leaves the projector in standby with the network down.
"""

from __future__ import annotations

from collections.abc import Sequence
import logging
import random
import re
import shlex
import time
from typing import Any

from .activities import ActivityManager
from .backend import OutputCallback, ShellResult
from .clock import SimClock
from .commands import run_command
from .eventlines import EventWatcher
from .faults import FaultState
from .intents import Intent
from .keys import KEYCODES, KeyEvent, keycode, keyname
from .logcat import EventLog
from .media import MEDIA_ACTIONS, MediaSession, MediaSessions, PlaybackState
from .power import AWAKE, DeviceState, PowerModel
from .profiles import ActivitySpec, Profile, load_profile
from .shell import ANDROID_COMMANDS, Shell

__all__ = [
    "KEYCODES",
    "DeviceModel",
    "DeviceState",
    "Intent",
    "KeyEvent",
    "MediaSession",
    "PlaybackState",
    "keycode",
]

_LOGGER = logging.getLogger(__name__)

_NAV_STEPS = {"up": -1, "down": 1, "left": 0, "right": 0}


class DeviceModel(PowerModel):
    """The simulated projector. Implements :class:`~simulator.backend.DeviceBackend`."""

    def __init__(
        self,
        profile: str | Profile = "gmui_android9",
        *,
        state: DeviceState | str = DeviceState.ON,
        boot_s: float | None = None,
        network_drop_s: float | None = None,
        auto_power_on: bool = True,
        focus_s: float = 2.0,
        reboot_delay_s: float = 0.1,
        shell_timeout_s: float | None = 300.0,
        clock: SimClock | None = None,
    ) -> None:
        super().__init__(
            profile if isinstance(profile, Profile) else load_profile(profile),
            boot_s=boot_s,
            network_drop_s=network_drop_s,
            auto_power_on=auto_power_on,
            reboot_delay_s=reboot_delay_s,
            clock=clock,
        )
        self.focus_s = focus_s

        self.key_log: list[KeyEvent] = []
        """Every key received (``input keyevent``, :meth:`press`) in order, ignored ones too."""
        self.shell_log: list[str] = []
        """Every command line received by :meth:`run_shell`, in order."""
        self.command_log: list[str] = []
        """Every Android command run through the shell (argv, shell-quoted), in order."""
        self.intent_log: list[Intent] = []
        """Every intent received (``am start``/``startservice``/``broadcast``, ``monkey``)."""
        self.text_log: list[str] = []
        self.focus_motor_log: list[int] = []
        self.autofocus_count = 0
        self.last_focus: float | None = None
        self.focusing = False
        self.prompt_visible = False
        self.prompt_fingerprint: str | None = None
        self.prompt_count = 0

        self.rng = random.Random(self.profile.serial or self.profile.name)
        """The model's seeded randomness (pids, object hashes, ``am start -W`` timings)."""
        self._volume = max(0, min(self.profile.volume_default, self.profile.volume_max))
        self._muted = False
        self.brightness = 102
        self._persist_props: dict[str, str] = {}
        self._prop_overrides: dict[str, str] = {}
        self.settings: dict[str, dict[str, str]] = {
            ns: dict(values) for ns, values in self.profile.settings.items()
        }
        """``settings`` namespaces (``system``, ``secure``, ``global``) → key → value."""
        for ns in ("system", "secure", "global"):
            self.settings.setdefault(ns, {})
        self._dreaming = False
        self._reset_runtime()
        self._shell = Shell(self._execute, commands=ANDROID_COMMANDS, timeout_s=shell_timeout_s)
        self.faults: FaultState | None = None
        """The daemon's live fault state, as last handed to :meth:`stream_shell`."""
        self.exec_call = False
        """The Android command being run was ``exec``-ed (the shell became it)."""
        tids = random.Random(f"{self.profile.serial or self.profile.name}/tids")
        self.event_log = EventLog()
        """``logcat -b events`` and the logcat processes following it (simulator.logcat)."""
        self.events = EventWatcher(
            self.event_log,
            int(self.profile.props.get("ro.build.version.sdk", "28") or 28),
            state=lambda: self.state,
            top=lambda: self._apps.top,
            app_pid=lambda pkg: self._apps.processes.get(pkg),
            volume=lambda: (self._volume, self.profile.volume_max),
            sleep_reason=lambda: self.sleep_reason,
            tid=lambda: tids.randrange(640, 2400),
        )
        self.add_state_listener(lambda _state: self.events.sync())
        self._start_in(DeviceState(state))
        self.events.sync()

    # ------------------------------------------------------------------ power hooks

    def _reset_runtime(self) -> None:
        super()._reset_runtime()
        self._dreaming = False
        self._props: dict[str, str] = dict(self.profile.props)
        self._props.update(self._persist_props)
        self._props.update(self._prop_overrides)
        self._apps = ActivityManager(self.profile, self.rng, self.now, self.since_boot_ms)
        self._media = MediaSessions(
            self.profile, self._apps, lambda: self.since_boot_ms(self.now())
        )

    def _on_halt(self, *, power_cut: bool) -> None:
        if hasattr(self, "events"):  # not while the base class sets the model up
            self.event_log.halt()
            self.events.reset()
        self.focusing = False
        self._dreaming = False
        if power_cut:
            self.hide_prompt()

    def _on_boot_completed(self) -> None:
        self._props["sys.boot_completed"] = "1"
        self._props["dev.bootcomplete"] = "1"
        self._props["init.svc.adbd"] = "running"
        for pkg in self.profile.persistent:
            if pkg in self.profile.packages:
                self._apps.spawn(pkg)
        self._apps.start_launcher()
        self._apps.last_activity = self.now()

    def _on_booted(self) -> None:
        boot_source = self._props.get("persist.sys.hdmi.bootsource", "")
        if boot_source in self.profile.source_menu.items:  # inferred: boot into HDMI (§2.5)
            self._apps.switch_hdmi(boot_source, Intent(kind="activity"))

    def _on_sleep(self) -> None:
        self._apps.quick_panel = False
        self._dreaming = False
        self.focusing = False
        self._cancel("focus")
        self._media.pause_all()  # inferred: apps pause when the SoC suspends

    def _on_screen_off(self) -> None:
        self._apps.quick_panel = False
        self._dreaming = False

    # ------------------------------------------------------------------ screensaver

    @property
    def dreaming(self) -> bool:
        """The screensaver (Android's *dream*) shows: ``mWakefulness=Dreaming``."""
        return self._dreaming and self.state == DeviceState.ON

    def start_dream(self) -> None:
        """Start the screensaver, as Android does after the idle timeout; a key ends it."""
        if not self.profile.screensaver:
            raise ValueError(f"profile {self.profile.name} has no screensaver")
        if self.state == DeviceState.ON:
            self._dreaming = True

    # ------------------------------------------------------------------ DeviceBackend

    @property
    def adb_secure(self) -> bool:
        return self._props.get("ro.adb.secure", "1") == "1"

    @property
    def protocol_version(self) -> int:
        return self.profile.protocol_version

    @property
    def max_payload(self) -> int:
        return self.profile.max_payload

    @property
    def features(self) -> frozenset[str]:
        return frozenset(self.profile.features)

    def banner(self) -> bytes:
        props = self._props
        parts = [
            f"ro.product.name={props.get('ro.product.name', '')}",
            f"ro.product.model={props.get('ro.product.model', '')}",
            f"ro.product.device={props.get('ro.product.device', '')}",
            "features=" + ",".join(self.profile.features),
        ]
        return ("device::" + ";".join(parts)).encode()

    async def run_shell(self, command: str) -> ShellResult:
        self.shell_log.append(command)
        if not self.reachable:
            return ShellResult(b"", b"error: device offline\n", 1)
        return await self._shell.run(command)

    async def stream_shell(
        self, command: str, on_output: OutputCallback, faults: object | None = None
    ) -> ShellResult:
        """:meth:`run_shell` whose streaming commands (``logcat``) pass output on as it comes."""
        if isinstance(faults, FaultState):
            self.faults = faults
        self.shell_log.append(command)
        if not self.reachable:
            return ShellResult(b"", b"error: device offline\n", 1)
        return await self._shell.run(command, on_output=on_output)

    @property
    def shell_running(self) -> int:
        """How many shell command lines run now (streams included)."""
        return self._shell.running

    def kill_shells(self, pattern: str, sig: int) -> int:
        """``pkill -f``'s view of the running ``sh -c`` command lines (the caller's too)."""
        return self._shell.kill_matching(re.compile(pattern), sig)

    def show_prompt(self, fingerprint: str) -> None:
        self.prompt_visible = True
        self.prompt_fingerprint = fingerprint
        self.prompt_count += 1
        _LOGGER.info("'Allow USB debugging?' shown on screen for key %s", fingerprint)

    def hide_prompt(self) -> None:
        if self.prompt_visible:
            _LOGGER.info("'Allow USB debugging?' dialog closed")
        self.prompt_visible = False

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Cancel timers and kill running shells (does not wait for them)."""
        self._cancel_all()
        self._shell.close()

    async def aclose(self) -> None:
        """Cancel timers, kill running shells and wait for them."""
        self._cancel_all()
        await self._shell.aclose()

    # ------------------------------------------------------------------ properties

    @property
    def props(self) -> dict[str, str]:
        """The live ``getprop`` map."""
        return dict(self._props)

    def set_prop(self, name: str, value: str) -> None:
        """Change a property as a firmware change would (``ro.*`` too; survives reboots)."""
        self._prop_overrides[name] = value
        self._props[name] = value

    def setprop(self, name: str, value: str) -> None:
        """``setprop``: until the next boot, or for good for ``persist.*``."""
        self._props[name] = value
        if name.startswith("persist."):
            self._persist_props[name] = value

    # ------------------------------------------------------------------ what runs, what shows

    @property
    def apps(self) -> ActivityManager:
        """Processes and the activity stack of the running Android (new at every boot)."""
        return self._apps

    @property
    def media(self) -> MediaSessions:
        """Media sessions and audio players of the running Android (new at every boot)."""
        return self._media

    @property
    def foreground(self) -> str | None:
        """The resumed activity, ``pkg/.Cls`` (the source menu counts), or ``None``."""
        return self._apps.foreground

    @property
    def foreground_package(self) -> str | None:
        return self._apps.foreground_package

    @property
    def back_stack(self) -> list[str]:
        """Activities from bottom (launcher) to top."""
        return [a.spec.short for a in self._apps.stack]

    @property
    def source(self) -> str | None:
        """``"launcher"``, ``"HDMI1"``/``"HDMI2"``, an app's package, or ``None`` when off."""
        return self._apps.source

    @property
    def hdmi_input(self) -> str | None:
        """The HDMI input shown (``HDMI1``/``HDMI2``) when the source is HDMI."""
        return self._apps.hdmi_input

    @property
    def source_menu_open(self) -> bool:
        return self._apps.source_menu_open

    @property
    def source_menu_highlight(self) -> str | None:
        return self._apps.source_menu_highlight

    @property
    def quick_settings_open(self) -> bool:
        return self._apps.quick_panel

    @property
    def media_session(self) -> MediaSession | None:
        """The session media keys go to: the most recently active one."""
        return self._media.active

    @property
    def playback(self) -> PlaybackState:
        session = self.media_session
        return session.state if session else PlaybackState.NONE

    @property
    def sessions(self) -> dict[str, MediaSession]:
        return dict(self._media.sessions)

    @property
    def running_packages(self) -> list[str]:
        return list(self._apps.processes)

    def resolve_activities(self, intent: Intent) -> list[ActivitySpec]:
        """Activities this intent resolves to, as PackageManager would (explicit or by filters)."""
        return self._apps.resolve_activities(intent)

    def open_app(self, pkg: str) -> bool:
        """The person opens an app from the launcher (its main activity); False unless on."""
        if self.state is not DeviceState.ON:
            return False
        self._apps.last_activity = self.now()
        self._apps.launch_package(pkg)
        self.events.sync()
        return True

    def force_stop(self, pkg: str) -> None:
        """``am force-stop``: the app's process, session and activities go."""
        self._media.remove(pkg)
        self._apps.force_stop(pkg, awake=self.state in AWAKE)
        self.events.sync()

    def apply_effect(self, effect: str, intent: Intent) -> None:
        """What a special intent or service call does (profile ``effect``)."""
        if effect.startswith("hdmi:"):
            self._apps.switch_hdmi(effect.partition(":")[2], intent)
        elif effect == "source_menu":
            self._apps.open_source_menu()
        elif effect == "quick_settings":
            self._apps.quick_panel = True
        elif effect == "autofocus":
            self._autofocus()
        elif effect == "home":
            self._apps.go_home()
        elif effect == "standby":
            self.standby("intent")
        elif effect == "screen_off":
            self.screen_off()

    # ------------------------------------------------------------------ media and volume

    def start_media(
        self,
        package: str,
        state: PlaybackState | int = PlaybackState.PLAYING,
        *,
        tag: str | None = None,
    ) -> MediaSession:
        """Give ``package`` a media session in ``state`` (and a process); it becomes active."""
        return self._media.start(package, PlaybackState(state), tag)

    @property
    def volume(self) -> int:
        return self._volume

    @property
    def volume_max(self) -> int:
        return self.profile.volume_max

    @property
    def muted(self) -> bool:
        return self._muted

    def set_volume(self, index: int) -> None:
        self._volume = max(0, min(int(index), self.profile.volume_max))
        if self._volume > 0:
            self._muted = False
        self.events.sync()

    def step_volume(self, step: int, *, unmute: bool = True) -> None:
        """One step up or down, as the remote's volume keys (which also unmute) do."""
        self._volume = max(0, min(self.profile.volume_max, self._volume + step))
        if unmute:
            self._muted = False
        self.events.sync()

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)

    # ------------------------------------------------------------------ keys

    def press(self, key: int | str, *, longpress: bool = False) -> None:
        """A key from the remote (or ``input keyevent``)."""
        code = keycode(key)
        if code is None:
            raise ValueError(f"unknown key {key!r}")
        action = self.profile.keys.get(code, "none")
        state = self.state
        handled = state == DeviceState.ON
        self.key_log.append(
            KeyEvent(code, keyname(code), action, state.value, handled, longpress, time.time())
        )
        _LOGGER.debug(
            "key %s (%s) in %s%s", code, action, state.value, " [long]" if longpress else ""
        )
        if state not in AWAKE:
            _LOGGER.info("key %s ignored in %s", keyname(code), state.value)
            return
        try:
            self._press_awake(code, action)
        finally:
            self.events.sync()

    def _press_awake(self, code: int, action: str) -> None:
        state = self.state
        self._apps.last_activity = self.now()
        if self.dreaming:
            self._dreaming = False  # any key ends the screensaver and is consumed (inferred)
            return
        if state == DeviceState.SCREEN_OFF:
            if action == "sleep":
                self.standby("sleep_button")
            else:
                # POWER / WAKEUP / 2100 wake the light; any other key does too and is consumed
                # (inferred — docs/xgimi.md §3.1 "remote/any key").
                self.screen_on()
            return
        self._on_key(action, code)

    @property
    def key_codes(self) -> list[int]:
        """The codes of :attr:`key_log`."""
        return [event.code for event in self.key_log]

    def _on_key(self, action: str, code: int) -> None:
        apps = self._apps
        menu_has_focus = apps.source_menu_open and not apps.quick_panel
        if action in ("power", "sleep"):
            self.standby(f"{action}_button")
        elif action == "screen_toggle":
            self.screen_off()
        elif action == "home":
            apps.go_home()
        elif action == "back":
            apps.back()
        elif action in _NAV_STEPS:
            if menu_has_focus:
                apps.move_menu_highlight(_NAV_STEPS[action])
        elif action == "center":
            if menu_has_focus:
                apps.switch_hdmi(self.profile.source_menu.items[apps.menu_highlight], Intent())
        elif action in ("volume_up", "volume_down"):
            self.step_volume(1 if action == "volume_up" else -1)
        elif action == "mute":
            self._muted = not self._muted
        elif action in MEDIA_ACTIONS:
            self._media.media_key(action)
        elif action == "autofocus":
            self._autofocus()
        elif action == "focus":
            self.focus_motor_log.append(code)
        elif action == "quick_settings":
            apps.quick_panel = not apps.quick_panel  # inferred: the key toggles the panel
        elif action == "source_menu":
            apps.open_source_menu()
        elif action.startswith("hdmi:"):
            apps.switch_hdmi(action.partition(":")[2], Intent())
        elif action.startswith("launch:"):
            apps.launch_package(action.partition(":")[2])

    def _autofocus(self) -> None:
        self.autofocus_count += 1
        self.last_focus = time.time()
        self.focusing = True

        def done() -> None:
            self.focusing = False

        self._schedule("focus", self.focus_s, done)

    # ------------------------------------------------------------------ Android commands

    def _execute(self, argv: Sequence[str]) -> ShellResult:
        self.exec_call = bool(argv) and argv[0] == "exec"  # the shell's exec() bridges it
        if self.exec_call:
            argv = argv[1:]
        if not argv:
            return ShellResult(b"", b"", 0)
        self.command_log.append(shlex.join(argv))
        if argv[0] in ("media", "cmd", "service", "settings"):  # AudioService sees the shell
            self.events.volume_caller = "com.android.shell"
        try:
            return run_command(self, argv)
        finally:
            self.events.volume_caller = "android"
            self.events.sync()

    def execute(self, command: str | Sequence[str]) -> ShellResult:
        """Run one Android command directly (no bash), e.g. ``execute("input keyevent 26")``."""
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        return self._execute(argv)

    # ------------------------------------------------------------------ snapshot

    def snapshot(self) -> dict[str, Any]:
        """The whole visible state, JSON-friendly (used by the mains API's ``/api/state``)."""
        session = self.media_session
        return {
            "profile": self.profile.name,
            "model": self.profile.model,
            "serial": self.profile.serial,
            "state": self.state.value,
            "mains": self.mains,
            "reachable": self.reachable,
            "auto_power_on": self.auto_power_on,
            "power_w": self.power_w,
            "volume": self._volume,
            "volume_max": self.profile.volume_max,
            "muted": self._muted,
            "foreground": self.foreground,
            "foreground_package": self.foreground_package,
            "back_stack": self.back_stack,
            "source": self.source,
            "hdmi_input": self.hdmi_input,
            "source_menu": {
                "open": self.source_menu_open,
                "highlight": self.source_menu_highlight,
                "items": list(self.profile.source_menu.items),
            },
            "quick_settings_open": self.quick_settings_open,
            "playback": int(self.playback),
            "media_package": session.package if session else None,
            "running": self.running_packages,
            "prompt": {
                "visible": self.prompt_visible,
                "fingerprint": self.prompt_fingerprint,
                "shown": self.prompt_count,
            },
            "autofocus_count": self.autofocus_count,
            "focusing": self.focusing,
            "dreaming": self.dreaming,
            "last_focus": self.last_focus,
            "uptime_s": round(self.uptime_s, 3),
            "boot_s": self.boot_s,
            "network_drop_s": self.network_drop_s,
            "pending": {k: round(v, 3) for k, v in self.pending_timers.items()},
            "keys": len(self.key_log),
            "commands": len(self.command_log),
            "last_key": self.key_log[-1].code if self.key_log else None,
            "last_intent": self.intent_log[-1].as_dict() if self.intent_log else None,
        }
