"""What runs and what is on screen: processes, the activity stack and the firmware's overlays.

One :class:`ActivityManager` lives for one Android runtime (the device model makes a new one at
every boot). It models what ``am``, the launcher and the remote's navigation keys change; the
source menu is modelled as an activity even where the firmware shows an overlay service
(*inferred*), and the 2101 quick-settings panel as an overlay window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import logging
import random

from .intents import Intent
from .profiles import ActivitySpec, Profile

__all__ = ["Activity", "ActivityManager", "apk_path", "package_uid"]

_LOGGER = logging.getLogger(__name__)

_LAUNCHER_CATEGORIES = frozenset(
    {"android.intent.category.LAUNCHER", "android.intent.category.LEANBACK_LAUNCHER"}
)


def package_uid(profile: Profile, pkg: str) -> int:
    """The app's Linux uid (1000, ``system``, for packages the profile does not list)."""
    spec = profile.packages.get(pkg)
    return spec.uid if spec else 1000


def apk_path(profile: Profile, pkg: str) -> str:
    """Where ``pm path`` says the package's APK is."""
    spec = profile.packages[pkg]
    if spec.system:
        return f"/system/app/{pkg.rsplit('.', 1)[-1]}/{pkg.rsplit('.', 1)[-1]}.apk"
    return f"/data/app/{pkg}-1/base.apk"


@dataclass(slots=True)
class Activity:
    """One activity on the stack, with the hashes ``dumpsys`` prints for it."""

    spec: ActivitySpec
    kind: str  # home | app | hdmi | menu
    task_id: int
    hash: str
    window_hash: str
    token_hash: str
    token2_hash: str
    task_hash: str
    intent: Intent
    started_ms: int
    source: str | None = None

    @property
    def package(self) -> str:
        return self.spec.package

    @property
    def record(self) -> str:
        return f"ActivityRecord{{{self.hash} u0 {self.spec.short} t{self.task_id}}}"

    @property
    def window(self) -> str:
        return f"Window{{{self.window_hash} u0 {self.spec.component}}}"


class ActivityManager:
    """Processes, the back stack (bottom = launcher), the source menu and the quick panel."""

    def __init__(
        self,
        profile: Profile,
        rng: random.Random,
        now: Callable[[], float],
        since_boot_ms: Callable[[float | None], int],
    ) -> None:
        self.profile = profile
        self._rng = rng
        self._now = now
        self._since_boot_ms = since_boot_ms
        self.stack: list[Activity] = []
        self.processes: dict[str, int] = {}
        """Running packages → pid."""
        self.next_pid = 1500
        self._next_task = 1
        self.quick_panel = False
        """Whether the 2101 quick-settings overlay is open."""
        self.menu_highlight = 0
        """Index of the highlighted item of the source menu."""
        self.hdmi_source: str | None = None
        """The HDMI input last switched to (kept while other apps are in front)."""
        self.last_start: tuple[Intent, Activity] | None = None
        """The last intent ``am``/a key brought to the front, and where it landed."""
        self.last_activity = now()
        """When the user last did something (a key, a launch): ``dumpsys power``."""

    # ------------------------------------------------------------------ what is shown

    @property
    def top(self) -> Activity | None:
        return self.stack[-1] if self.stack else None

    @property
    def foreground(self) -> str | None:
        """The resumed activity, ``pkg/.Cls`` (the source menu counts), or ``None``."""
        return self.stack[-1].spec.short if self.stack else None

    @property
    def foreground_package(self) -> str | None:
        return self.stack[-1].package if self.stack else None

    @property
    def source(self) -> str | None:
        """``"launcher"``, ``"HDMI1"``/``"HDMI2"``, an app's package, or ``None`` when off."""
        for activity in reversed(self.stack):
            if activity.kind == "menu":
                continue
            if activity.kind == "home":
                return "launcher"
            if activity.kind == "hdmi":
                return activity.source or activity.package
            return activity.package
        return None

    @property
    def hdmi_input(self) -> str | None:
        """The HDMI input shown (``HDMI1``/``HDMI2``) when the source is HDMI."""
        src = self.source
        return src if src and src.startswith("HDMI") else None

    @property
    def source_menu_open(self) -> bool:
        return bool(self.stack) and self.stack[-1].kind == "menu"

    @property
    def source_menu_highlight(self) -> str | None:
        if not self.source_menu_open:
            return None
        return self.profile.source_menu.items[self.menu_highlight]

    # ------------------------------------------------------------------ processes

    def spawn(self, pkg: str) -> int:
        """Start the package's process (if not running); its pid."""
        if pkg not in self.processes:
            self.processes[pkg] = self.next_pid
            self.next_pid += self._rng.randint(3, 40)
        return self.processes[pkg]

    def kill_background(self) -> None:
        """``am kill-all``: every process but the persistent ones and the one in front."""
        for pkg in list(self.processes):
            if pkg not in self.profile.persistent and not (
                self.stack and self.stack[-1].package == pkg
            ):
                self.processes.pop(pkg, None)

    def force_stop(self, pkg: str, *, awake: bool) -> None:
        """Kill the package and close its activities (the launcher's stays)."""
        self.processes.pop(pkg, None)
        self.stack = [a for a in self.stack if a.package != pkg or a.kind == "home"]
        if not self.stack and awake:
            self.go_home()
        if pkg in self.profile.persistent or (self.stack and self.stack[0].package == pkg):
            self.spawn(pkg)  # the launcher and persistent apps are restarted at once

    # ------------------------------------------------------------------ activities

    def _hash(self) -> str:
        return f"{self._rng.getrandbits(28):07x}"

    def new_activity(
        self, spec: ActivitySpec, kind: str, intent: Intent, source: str | None = None
    ) -> Activity:
        task_id = self._next_task
        self._next_task += 1
        return Activity(
            spec=spec,
            kind=kind,
            task_id=task_id,
            hash=self._hash(),
            window_hash=self._hash(),
            token_hash=self._hash(),
            token2_hash=self._hash(),
            task_hash=self._hash(),
            intent=intent,
            started_ms=self._since_boot_ms(self._now()),
            source=source,
        )

    def kind_of(self, spec: ActivitySpec) -> str:
        if spec.component == self.profile.launcher:
            return "home"
        if spec.component == self.profile.hdmi.player:
            return "hdmi"
        if spec.component == self.profile.source_menu.component:
            return "menu"
        return "app"

    def start_launcher(self) -> None:
        """The boot's home screen: the launcher alone on the stack."""
        launcher = self.profile.activity(self.profile.launcher)
        if launcher is None:
            return
        home = Intent(
            action="android.intent.action.MAIN", categories=["android.intent.category.HOME"]
        )
        self.stack = [self.new_activity(launcher, "home", home)]
        self.spawn(launcher.package)

    def launch(self, spec: ActivitySpec, intent: Intent, source: str | None = None) -> str:
        """Bring ``spec`` to the front. Returns ``started``, ``front`` or ``delivered``."""
        kind = self.kind_of(spec)
        self.last_activity = self._now()
        if kind == "home":
            result = "delivered" if len(self.stack) == 1 else "front"
            self.go_home()
            return result
        self.spawn(spec.package)
        if kind == "menu":
            self.menu_highlight = self._menu_start_index()
        top = self.stack[-1] if self.stack else None
        if top is not None and top.spec.component == spec.component:
            if kind == "hdmi":
                top.source = source
            self.last_start = (intent, top)
            return "delivered"
        existing = next(
            (a for a in self.stack if a.package == spec.package and a.kind == kind), None
        )
        if existing is not None and kind != "menu":
            self.stack.remove(existing)
            if existing.spec.component != spec.component:
                existing = self.new_activity(spec, kind, intent, source)
            existing.source = source
            self.stack.append(existing)
            self.last_start = (intent, existing)
            return "front"
        activity = self.new_activity(spec, kind, intent, source)
        self.stack.append(activity)
        self.last_start = (intent, activity)
        return "started"

    def launch_package(self, pkg: str) -> None:
        """Start the package's launcher activity, as an app key does."""
        spec = self.profile.packages.get(pkg)
        main = spec.main_activity() if spec else None
        if main:
            self.launch(main, Intent(action="android.intent.action.MAIN", component=main.component))

    def go_home(self) -> None:
        self.quick_panel = False
        launcher = next((a for a in self.stack if a.kind == "home"), None)
        if launcher is None:
            spec = self.profile.activity(self.profile.launcher)
            if spec is None:
                self.stack = []
                return
            launcher = self.new_activity(spec, "home", Intent(action="android.intent.action.MAIN"))
        self.stack = [launcher]
        self.spawn(launcher.package)

    def back(self) -> None:
        if self.quick_panel:
            self.quick_panel = False
            return
        if len(self.stack) > 1:
            self.stack.pop()

    # ------------------------------------------------------------------ source menu and HDMI

    def _menu_start_index(self) -> int:
        items = self.profile.source_menu.items
        if self.profile.source_menu.start == "current":
            src = self.source
            if src in items:
                return items.index(src)
        return 0

    def move_menu_highlight(self, step: int) -> None:
        count = len(self.profile.source_menu.items)
        self.menu_highlight = max(0, min(count - 1, self.menu_highlight + step))

    def open_source_menu(self) -> None:
        if self.source_menu_open:
            return
        spec = self.profile.activity(self.profile.source_menu.component)
        if spec is None:
            _LOGGER.warning("profile %s has no source menu activity", self.profile.name)
            return
        self.quick_panel = False
        self.launch(spec, Intent(action="android.intent.action.MAIN"))

    def switch_hdmi(self, source: str, intent: Intent) -> str:
        """Show HDMI input ``source`` in the HDMI player (closing the source menu)."""
        spec = self.profile.activity(self.profile.hdmi.player)
        if spec is None:
            raise RuntimeError(f"profile {self.profile.name}: HDMI player not installed")
        if self.source_menu_open:
            self.stack.pop()
        self.hdmi_source = source
        result = self.launch(spec, intent, source)
        _LOGGER.info("source → %s", source)
        return result

    # ------------------------------------------------------------------ resolution

    def resolve_activities(self, intent: Intent) -> list[ActivitySpec]:
        """Activities this intent resolves to, as PackageManager would (explicit or by filters)."""
        if intent.component:
            spec = self.profile.activity(intent.component)
            return [spec] if spec else []
        matches: list[ActivitySpec] = []
        scheme = (
            intent.data.partition(":")[0].lower() if intent.data and ":" in intent.data else None
        )
        for pkg in self.profile.packages.values():
            if intent.package and pkg.name != intent.package:
                continue
            for act in pkg.activities:
                if not act.exported:
                    continue
                if intent.action == "android.intent.action.MAIN" and (
                    set(intent.categories) & _LAUNCHER_CATEGORIES
                ):
                    if act.main:
                        matches.append(act)
                    continue
                if (
                    intent.action == "android.intent.action.MAIN"
                    and not intent.categories
                    and intent.package
                    and act.main
                ):
                    matches.append(act)
                    continue
                if intent.action is None or intent.action not in act.actions:
                    continue
                if scheme is not None:
                    if act.schemes and scheme not in act.schemes:
                        continue
                    if not act.schemes:
                        continue
                elif act.schemes and "" not in act.schemes:
                    continue
                matches.append(act)
        return matches
