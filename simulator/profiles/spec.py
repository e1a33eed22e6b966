"""The parts of a profile: errors, component names, packages, activities, intents, HDMI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_POWER_W",
    "PROFILES_DIR",
    "TEMPLATES_DIR",
    "ActivitySpec",
    "HdmiSpec",
    "IntentSpec",
    "InterfaceSpec",
    "PackageSpec",
    "ProfileError",
    "SourceMenuSpec",
    "flatten_component",
    "normalize_component",
    "read_json",
]

PROFILES_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PROFILES_DIR / "templates"


DEFAULT_POWER_W: Mapping[str, float] = {
    "mains_off": 0.0,
    "booting": 30.0,
    "on": 65.0,
    "screen_off": 9.0,
    "standby": 0.5,
}


class ProfileError(ValueError):
    """A profile or template file is missing or malformed."""


def normalize_component(component: str) -> str:
    """``pkg/.Cls`` or ``pkg/Cls`` → ``pkg/pkg.Cls`` (the full class name), as Android does."""
    pkg, sep, cls = component.partition("/")
    if not sep or not pkg or not cls:
        raise ProfileError(f"bad component name: {component!r}")
    if cls.startswith("."):
        cls = pkg + cls
    elif "." not in cls:
        cls = f"{pkg}.{cls}"
    return f"{pkg}/{cls}"


def flatten_component(component: str) -> str:
    """``pkg/pkg.Cls`` → ``pkg/.Cls`` (``ComponentName.flattenToShortString``)."""
    pkg, _, cls = normalize_component(component).partition("/")
    if cls.startswith(pkg + "."):
        cls = cls[len(pkg) :]
    return f"{pkg}/{cls}"


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ProfileError(f"cannot read {path}: {err}") from err
    except json.JSONDecodeError as err:
        raise ProfileError(f"{path}: invalid JSON: {err}") from err
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a JSON object")
    return data


@dataclass(frozen=True, slots=True)
class ActivitySpec:
    """An activity of an installed package."""

    component: str  # normalized: pkg/pkg.Cls
    exported: bool = True
    main: bool = False  # has a LAUNCHER / LEANBACK_LAUNCHER entry
    actions: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        return self.component.partition("/")[0]

    @property
    def short(self) -> str:
        return flatten_component(self.component)


@dataclass(frozen=True, slots=True)
class PackageSpec:
    """An installed package."""

    name: str
    label: str
    system: bool
    uid: int
    version_name: str
    version_code: int
    activities: tuple[ActivitySpec, ...]
    services: tuple[str, ...] = ()
    installer: str | None = None
    """The package that installed it (``pm list packages -i``); None for a built-in."""

    def main_activity(self) -> ActivitySpec | None:
        return next((a for a in self.activities if a.main), None)

    def activity(self, component: str) -> ActivitySpec | None:
        target = normalize_component(component)
        return next((a for a in self.activities if a.component == target), None)


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """A pattern for an intent; unset fields match anything, extras must all be present."""

    kind: str = "activity"  # activity | service | broadcast
    action: str | None = None
    component: str | None = None  # normalized
    package: str | None = None
    data: str | None = None
    extras: Mapping[str, str] = field(default_factory=dict)
    effect: str = ""  # "hdmi:HDMI1", "source_menu", "autofocus", …


@dataclass(frozen=True, slots=True)
class HdmiSpec:
    """How this firmware switches to an HDMI input."""

    player: str  # normalized component of the HDMI player activity
    direct: bool  # whether any intent switches directly
    intents: tuple[IntentSpec, ...]
    inputs: Mapping[str, Mapping[str, Any]]
    method: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class SourceMenuSpec:
    """The source picker opened by 2102 / TV_INPUT; D-pad moves the highlight, OK selects."""

    component: str
    items: tuple[str, ...]
    start: str = "first"  # "first" or "current"
    kind: str = "activity"


@dataclass(frozen=True, slots=True)
class InterfaceSpec:
    name: str
    index: int
    mac: str
    ip: str
    prefix: int
