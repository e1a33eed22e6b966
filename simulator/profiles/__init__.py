"""Firmware profiles of the simulated projector: loaded from JSON data, never defined in code.

A profile (``simulator/profiles/<name>.json``) describes one firmware family: its ``getprop``
map, its adbd banner, its installed packages and activities, which intents switch HDMI, its key
quirks, its power draw, and — through a shared *template set* (``templates/<set>.json``) plus
optional per-profile overrides — what its read-only shell commands print. See ``README.md`` in
this directory for the format and for how a capture from a real projector becomes a profile.

Templates are text with ``{placeholder}`` fields filled from the device state. Only names made of
lowercase letters, digits and ``_`` inside braces count as placeholders, so the braces of real
Android output (``ActivityRecord{…}``, ``PlaybackState {state=3, …}``) need no escaping; a field
may carry a width, ``{pid:>5}`` / ``{name:<30}``. A line that holds nothing but a list placeholder
(``{windows}``) is replaced by the list's items, each rendered with its item template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .capture import CAPTURE_FORMAT, find_capture, profile_data_from_capture
from .output import (
    ItemTemplate,
    OutputTemplate,
    bind_items,
    load_template_set,
    overlay,
    parse_items,
    parse_outputs,
    render_lines,
    resolve_includes,
)
from .spec import (
    DEFAULT_POWER_W,
    PROFILES_DIR,
    TEMPLATES_DIR,
    ActivitySpec,
    HdmiSpec,
    IntentSpec,
    InterfaceSpec,
    PackageSpec,
    ProfileError,
    SourceMenuSpec,
    flatten_component,
    normalize_component,
    read_json,
)

__all__ = [
    "CAPTURE_FORMAT",
    "PROFILES_DIR",
    "ActivitySpec",
    "HdmiSpec",
    "IntentSpec",
    "InterfaceSpec",
    "ItemTemplate",
    "OutputTemplate",
    "PackageSpec",
    "Profile",
    "ProfileError",
    "SourceMenuSpec",
    "flatten_component",
    "list_profiles",
    "load_profile",
    "normalize_component",
    "profile_data_from_capture",
    "render_lines",
]


def _load_keys(name: str) -> dict[int, str]:
    data = read_json(TEMPLATES_DIR / f"{name}.json")
    return {int(code): str(action) for code, action in data.get("keys", {}).items()}


@dataclass(frozen=True, slots=True)
class Profile:
    """A firmware family, loaded from ``simulator/profiles/<name>.json``."""

    name: str
    description: str
    family: str
    path: Path
    props: Mapping[str, str]
    protocol_version: int
    max_payload: int
    features: tuple[str, ...]
    packages: Mapping[str, PackageSpec]
    launcher: str
    hdmi: HdmiSpec
    source_menu: SourceMenuSpec
    quick_settings: str
    intents: tuple[IntentSpec, ...]
    keys: Mapping[int, str]
    volume_max: int
    volume_default: int
    power_w: Mapping[str, float]
    boot_s: float
    network_drop_s: float
    templates: tuple[OutputTemplate, ...]
    settings: Mapping[str, Mapping[str, str]]
    interfaces: Mapping[str, InterfaceSpec]
    screen: Mapping[str, int]
    resolve_activity: bool
    commands_absent: frozenset[str]
    persistent: tuple[str, ...]
    binder_services: tuple[str, ...]
    service_calls: tuple[Mapping[str, Any], ...]
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)
    screensaver: bool = False
    """Android's screensaver (a *dream*) can start: ``mWakefulness=Dreaming`` while it shows."""

    # -- convenience ------------------------------------------------------------------------

    @property
    def release(self) -> str:
        return self.props.get("ro.build.version.release", "")

    @property
    def sdk(self) -> int:
        try:
            return int(self.props.get("ro.build.version.sdk", "0"))
        except ValueError:
            return 0

    @property
    def model(self) -> str:
        return self.props.get("ro.product.model", "")

    @property
    def serial(self) -> str:
        return self.props.get("ro.serialno", "")

    @property
    def adb_secure(self) -> bool:
        return self.props.get("ro.adb.secure", "1") == "1"

    def find_template(self, command: str) -> OutputTemplate | None:
        for template in self.templates:
            if template.pattern.search(command):
                return template
        return None

    @property
    def apps(self) -> dict[str, PackageSpec]:
        """Launchable user apps (not system, with a launcher activity), by package name."""
        return {
            name: spec
            for name, spec in self.packages.items()
            if not spec.system and spec.main_activity() is not None
        }

    def activity(self, component: str) -> ActivitySpec | None:
        try:
            normalized = normalize_component(component)
        except ProfileError:
            return None
        package = self.packages.get(normalized.partition("/")[0])
        return package.activity(normalized) if package else None


def _component(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{where}: expected a component name")
    try:
        return normalize_component(value)
    except ProfileError as err:
        raise ProfileError(f"{where}: {err}") from err


def _intent_spec(raw: Mapping[str, Any], where: str, effect: str = "") -> IntentSpec:
    component = raw.get("component")
    return IntentSpec(
        kind=str(raw.get("kind", "activity")),
        action=raw.get("action"),
        component=_component(component, where) if component else None,
        package=raw.get("package"),
        data=raw.get("data"),
        extras={str(k): str(v) for k, v in raw.get("extras", {}).items()},
        effect=str(raw.get("effect", effect)),
    )


def _parse_packages(raw: object, where: str) -> dict[str, PackageSpec]:
    if not isinstance(raw, dict) or not raw:
        raise ProfileError(f"{where}: 'packages' must be a non-empty object")
    packages: dict[str, PackageSpec] = {}
    next_uid = 10040
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise ProfileError(f"{where}.packages.{name}: expected an object")
        system = bool(spec.get("system", False))
        uid = spec.get("uid")
        if uid is None:
            uid = next_uid
            next_uid += 1
        activities = []
        for cls, raw_attrs in (spec.get("activities") or {}).items():
            attrs = raw_attrs or {}
            activities.append(
                ActivitySpec(
                    component=_component(f"{name}/{cls}", f"{where}.packages.{name}"),
                    exported=bool(attrs.get("exported", True)),
                    main=bool(attrs.get("main", False)),
                    actions=tuple(attrs.get("actions", ())),
                    schemes=tuple(attrs.get("schemes", ())),
                )
            )
        packages[name] = PackageSpec(
            name=name,
            label=str(spec.get("label", name)),
            system=system,
            uid=int(uid),
            version_name=str(spec.get("version", "1.0.0")),
            version_code=int(spec.get("version_code", 1)),
            activities=tuple(activities),
            services=tuple(str(s) for s in spec.get("services", ())),
            installer=str(spec["installer"]) if spec.get("installer") else None,
        )
    return packages


def _parse_int(value: object, where: str) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            pass
    raise ProfileError(f"{where}: expected an integer, got {value!r}")


def _profile_from_data(data: Mapping[str, Any], path: Path) -> Profile:
    where = path.name
    for key in ("name", "props", "adb", "packages", "launcher", "hdmi", "source_menu"):
        if key not in data:
            raise ProfileError(f"{where}: missing '{key}'")
    props = {str(k): str(v) for k, v in data["props"].items()}
    for key in (
        "ro.product.model",
        "ro.serialno",
        "ro.build.version.release",
        "ro.build.version.sdk",
    ):
        if key not in props:
            raise ProfileError(f"{where}: props need '{key}'")

    adb = data["adb"]
    packages = _parse_packages(data["packages"], where)
    launcher = _component(data["launcher"], f"{where}.launcher")
    if launcher.partition("/")[0] not in packages:
        raise ProfileError(f"{where}: launcher package is not in 'packages'")

    hdmi_raw = data["hdmi"]
    intents: list[IntentSpec] = []
    for source, specs in (hdmi_raw.get("intents") or {}).items():
        for i, spec in enumerate(specs):
            intents.append(
                _intent_spec(spec, f"{where}.hdmi.intents.{source}[{i}]", f"hdmi:{source}")
            )
    hdmi = HdmiSpec(
        player=_component(hdmi_raw["player"], f"{where}.hdmi.player"),
        direct=bool(intents),
        intents=tuple(intents),
        inputs={str(k): dict(v) for k, v in (hdmi_raw.get("inputs") or {}).items()},
        method=str(hdmi_raw.get("method", "intent" if intents else "source_menu")),
        notes=str(hdmi_raw.get("notes", "")),
    )
    menu_raw = data["source_menu"]
    source_menu = SourceMenuSpec(
        component=_component(menu_raw["component"], f"{where}.source_menu.component"),
        items=tuple(str(x) for x in menu_raw.get("items", ("HDMI1", "HDMI2"))),
        start=str(menu_raw.get("start", "first")),
        kind=str(menu_raw.get("kind", "activity")),
    )
    extra_intents = tuple(
        _intent_spec(spec, f"{where}.intents[{i}]")
        for i, spec in enumerate(data.get("intents", ()))
    )

    keys = _load_keys(str(data.get("keymap", "keys")))
    keys.update({int(code): str(action) for code, action in (data.get("keys") or {}).items()})

    template_set = data.get("templates")
    templates: list[OutputTemplate] = parse_outputs(data.get("outputs"), path.parent, {}, where)
    items: dict[str, ItemTemplate] = {}
    if template_set:
        inherited, items = load_template_set(str(template_set))
        templates = overlay(inherited, templates)
    items.update(parse_items(data.get("items"), where))
    templates = resolve_includes(bind_items(templates, items))

    power_w = dict(DEFAULT_POWER_W)
    power_w.update({str(k): float(v) for k, v in (data.get("power_w") or {}).items()})

    interfaces = {}
    for index, (name, spec) in enumerate((data.get("network") or {}).items(), start=2):
        interfaces[name] = InterfaceSpec(
            name=name,
            index=int(spec.get("index", index)),
            mac=str(spec["mac"]),
            ip=str(spec.get("ip", "")),
            prefix=int(spec.get("prefix", 24)),
        )

    return Profile(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        family=str(data.get("family", "")),
        path=path,
        props=props,
        protocol_version=_parse_int(
            adb.get("protocol_version", 0x01000001), f"{where}.adb.protocol_version"
        ),
        max_payload=_parse_int(adb.get("max_payload", 1048576), f"{where}.adb.max_payload"),
        features=tuple(str(f) for f in adb.get("features", ())),
        packages=packages,
        launcher=launcher,
        hdmi=hdmi,
        source_menu=source_menu,
        quick_settings=str(data.get("quick_settings", "com.xgimi.misckey")),
        intents=extra_intents,
        keys=keys,
        volume_max=int(data.get("volume_max", 15)),
        volume_default=int(data.get("volume_default", 8)),
        power_w=power_w,
        boot_s=float(data.get("boot_s", 40.0)),
        network_drop_s=float(data.get("network_drop_s", 14.0)),
        templates=tuple(templates),
        settings={
            str(ns): {str(k): str(v) for k, v in vals.items()}
            for ns, vals in (data.get("settings") or {}).items()
        },
        interfaces=interfaces,
        screen={
            str(k): int(v)
            for k, v in (
                data.get("screen") or {"width": 1920, "height": 1080, "density": 320}
            ).items()
        },
        resolve_activity=bool(data.get("resolve_activity", True)),
        commands_absent=frozenset(str(c) for c in data.get("commands_absent", ())),
        persistent=tuple(str(p) for p in data.get("persistent", ())),
        binder_services=tuple(str(s) for s in data.get("binder_services", ())),
        service_calls=tuple(dict(c) for c in data.get("service_calls", ())),
        raw=dict(data),
        screensaver=bool(data.get("screensaver", False)),
    )


def list_profiles() -> list[str]:
    """Names of the bundled profiles."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.json"))


_CACHE: dict[Path, tuple[float, Profile]] = {}


def load_profile(name_or_path: str | Path) -> Profile:
    """A bundled profile by name (``"gmui_android9"``) or any profile JSON file by path."""
    candidate = Path(name_or_path)
    if isinstance(name_or_path, Path) or candidate.suffix == ".json" or "/" in str(name_or_path):
        path = candidate.expanduser().resolve()
    else:
        path = PROFILES_DIR / f"{name_or_path}.json"
        if not path.is_file():
            raise ProfileError(
                f"unknown profile {name_or_path!r}; known: {', '.join(list_profiles())}"
            )
    try:
        mtime = path.stat().st_mtime
    except OSError as err:
        raise ProfileError(f"cannot read profile {path}: {err}") from err
    cached = _CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    data = read_json(path)
    capture = find_capture(data)
    if capture is not None:
        data = profile_data_from_capture(capture, path.stem)
    profile = _profile_from_data(data, path)
    _CACHE[path] = (mtime, profile)
    return profile
