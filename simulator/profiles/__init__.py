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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import hashlib
import json
from pathlib import Path
import re
from typing import Any

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

PROFILES_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PROFILES_DIR / "templates"

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([<>]?)(\d+))?\}")
_LIST_LINE = re.compile(r"^\s*\{([a-z_][a-z0-9_]*)\}\s*$")

DEFAULT_POWER_W: Mapping[str, float] = {
    "mains_off": 0.0,
    "booting": 30.0,
    "on": 65.0,
    "screen_off": 9.0,
    "standby": 0.5,
}


class ProfileError(ValueError):
    """A profile or template file is missing or malformed."""


# --------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


def _format_value(value: object, align: str, width: str) -> str:
    text = value if isinstance(value, str) else _scalar_text(value)
    if width:
        n = int(width)
        text = text.rjust(n) if align == ">" else text.ljust(n)
    return text


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else f"{value:.1f}"
    return str(value)


def _substitute(line: str, scopes: Sequence[Mapping[str, Any]]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        for scope in scopes:
            if name in scope:
                value = scope[name]
                if isinstance(value, list):
                    break
                return _format_value(value, match.group(2) or "", match.group(3) or "")
        return match.group(0)

    return _PLACEHOLDER.sub(repl, line)


@dataclass(frozen=True, slots=True)
class ItemTemplate:
    """How one element of a list placeholder is printed (``empty`` when the list is empty)."""

    lines: tuple[str, ...]
    empty: tuple[str, ...] = ()


def render_lines(
    lines: Iterable[str],
    context: Mapping[str, Any],
    items: Mapping[str, ItemTemplate],
    outer: Sequence[Mapping[str, Any]] = (),
) -> list[str]:
    """Fill ``lines`` from ``context`` (then ``outer`` scopes); expand list placeholders."""
    scopes = (context, *outer)
    out: list[str] = []
    for line in lines:
        list_match = _LIST_LINE.match(line)
        if list_match:
            name = list_match.group(1)
            value = next((s[name] for s in scopes if name in s), None)
            if isinstance(value, list):
                item_template = items.get(name)
                if item_template is None:
                    raise ProfileError(f"no item template for list placeholder {{{name}}}")
                if not value:
                    out.extend(render_lines(item_template.empty, {}, items, scopes))
                for element in value:
                    out.extend(render_lines(item_template.lines, element, items, scopes))
                continue
        out.append(_substitute(line, scopes))
    return out


@dataclass(frozen=True, slots=True)
class OutputTemplate:
    """``command pattern → output``: a regex on the command line and what it prints."""

    id: str
    pattern: re.Pattern[str]
    lines: tuple[str, ...]
    items: Mapping[str, ItemTemplate] = field(default_factory=dict)
    exit_code: int = 0
    stream: str = "stdout"
    source: str = ""
    include: tuple[str, ...] = ()

    def render(self, context: Mapping[str, Any]) -> str:
        text = "\n".join(render_lines(self.lines, context, self.items))
        return text + "\n" if text else ""


def _as_lines(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split("\n"))
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return tuple(value)
    raise ProfileError(f"{where}: expected a string or a list of strings")


def _parse_items(raw: object, where: str) -> dict[str, ItemTemplate]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: 'items' must be an object")
    items: dict[str, ItemTemplate] = {}
    for name, spec in raw.items():
        if isinstance(spec, dict):
            items[name] = ItemTemplate(
                _as_lines(spec.get("lines", []), f"{where}.items.{name}"),
                _as_lines(spec.get("empty", []), f"{where}.items.{name}.empty"),
            )
        else:
            items[name] = ItemTemplate(_as_lines(spec, f"{where}.items.{name}"))
    return items


def _parse_outputs(
    raw: object, base_dir: Path, shared_items: Mapping[str, ItemTemplate], where: str
) -> list[OutputTemplate]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ProfileError(f"{where}: 'outputs' must be a list")
    result: list[OutputTemplate] = []
    for index, entry in enumerate(raw):
        here = f"{where}.outputs[{index}]"
        if not isinstance(entry, dict) or "match" not in entry:
            raise ProfileError(f"{here}: needs at least 'match'")
        lines: tuple[str, ...]
        if "include" in entry:
            lines = ()
        elif "file" in entry:
            path = (base_dir / str(entry["file"])).resolve()
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as err:
                raise ProfileError(f"{here}: cannot read {path}: {err}") from err
            lines = tuple(text[:-1].split("\n") if text.endswith("\n") else text.split("\n"))
            if text == "":
                lines = ()
        else:
            lines = _as_lines(entry.get("lines", []), here)
        try:
            pattern = re.compile(str(entry["match"]))
        except re.error as err:
            raise ProfileError(f"{here}: bad regex: {err}") from err
        items = dict(shared_items)
        items.update(_parse_items(entry.get("items"), here))
        result.append(
            OutputTemplate(
                id=str(entry.get("id", f"{where}#{index}")),
                pattern=pattern,
                lines=lines,
                items=items,
                exit_code=int(entry.get("exit_code", 0)),
                stream=str(entry.get("stream", "stdout")),
                source=where,
                include=tuple(str(i) for i in entry.get("include", ())),
            )
        )
    return result


def _overlay(base: list[OutputTemplate], overrides: list[OutputTemplate]) -> list[OutputTemplate]:
    """``overrides`` replace same-id entries of ``base`` in place; new ones go first.

    The first matching entry wins, so a child's new entries shadow its parent's catch-alls.
    """
    by_id = {t.id: t for t in overrides}
    merged = [by_id.pop(t.id, t) for t in base]
    return [t for t in overrides if t.id in by_id] + merged


def _resolve_includes(templates: list[OutputTemplate]) -> list[OutputTemplate]:
    by_id = {t.id: t for t in templates}

    def expand(
        t: OutputTemplate, seen: tuple[str, ...]
    ) -> tuple[tuple[str, ...], dict[str, ItemTemplate]]:
        if not t.include:
            return t.lines, dict(t.items)
        lines: list[str] = []
        items: dict[str, ItemTemplate] = {}
        for ref in t.include:
            if ref in seen or ref not in by_id:
                raise ProfileError(
                    f"{t.source}: output {t.id!r} includes unknown or looping {ref!r}"
                )
            sub_lines, sub_items = expand(by_id[ref], (*seen, ref))
            if lines:
                lines.append("")
            lines.extend(sub_lines)
            items.update(sub_items)
        items.update(t.items)
        return tuple(lines), items

    result = []
    for template in templates:
        if not template.include:
            result.append(template)
            continue
        lines, items = expand(template, (template.id,))
        result.append(
            OutputTemplate(
                template.id,
                template.pattern,
                lines,
                items,
                template.exit_code,
                template.stream,
                template.source,
            )
        )
    return result


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ProfileError(f"cannot read {path}: {err}") from err
    except json.JSONDecodeError as err:
        raise ProfileError(f"{path}: invalid JSON: {err}") from err
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a JSON object")
    return data


def _load_template_set(
    name: str, seen: tuple[str, ...] = ()
) -> tuple[list[OutputTemplate], dict[str, ItemTemplate]]:
    """A template set merged over everything it ``extends``: its outputs and its item templates."""
    if name in seen:
        raise ProfileError(
            f"template sets extend each other in a loop: {' → '.join((*seen, name))}"
        )
    path = TEMPLATES_DIR / f"{name}.json"
    data = _read_json(path)
    own = _parse_outputs(data.get("outputs"), TEMPLATES_DIR, {}, f"templates/{name}")
    parent = data.get("extends")
    inherited, items = _load_template_set(str(parent), (*seen, name)) if parent else ([], {})
    items = {**items, **_parse_items(data.get("items"), f"templates/{name}")}
    return _overlay(inherited, own), items


def _bind_items(
    templates: list[OutputTemplate], items: Mapping[str, ItemTemplate]
) -> list[OutputTemplate]:
    """Give every output the final item templates (its own entry-level ones win)."""
    return [
        OutputTemplate(
            t.id,
            t.pattern,
            t.lines,
            {**items, **t.items},
            t.exit_code,
            t.stream,
            t.source,
            t.include,
        )
        for t in templates
    ]


def _load_keys(name: str) -> dict[int, str]:
    data = _read_json(TEMPLATES_DIR / f"{name}.json")
    return {int(code): str(action) for code, action in data.get("keys", {}).items()}


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------


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
    templates: list[OutputTemplate] = _parse_outputs(data.get("outputs"), path.parent, {}, where)
    items: dict[str, ItemTemplate] = {}
    if template_set:
        inherited, items = _load_template_set(str(template_set))
        templates = _overlay(inherited, templates)
    items.update(_parse_items(data.get("items"), where))
    templates = _resolve_includes(_bind_items(templates, items))

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
    )


# --------------------------------------------------------------------------------------------
# Captures from a real projector (the integration's diagnostics) → profile
# --------------------------------------------------------------------------------------------

CAPTURE_FORMAT = "xgimi-capture/1"
"""``{"format": CAPTURE_FORMAT, "description": …, "captures": {"getprop": <raw output>, …}}``."""

_GETPROP_LINE = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$")
_SYSTEM_PREFIXES = (
    "android",
    "com.android.",
    "com.google.android.",
    "com.xgimi.",
    "com.mediatek.",
    "com.mstar.",
    "com.hisilicon.",
    "com.huawei.",
    "mediatek.",
)


def _find_capture(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if data.get("format") == CAPTURE_FORMAT:
        return data
    nested = data.get("simulator_profile")
    if isinstance(nested, dict):
        if nested.get("format") == CAPTURE_FORMAT:
            return nested
        if "error" in nested:
            raise ProfileError(f"these diagnostics hold no capture: {nested['error']}")
    return None


def _template_set_for(sdk: int) -> str:
    if sdk <= 27:
        return "android8"
    if sdk == 28:
        return "android9"
    if sdk <= 30:
        return "android10"
    return "android12"


def _templated_power(text: str) -> list[str]:
    text = text.replace("\r\n", "\n")
    text = re.sub(r"mWakefulness=\w+", "mWakefulness={wakefulness}", text)
    text = re.sub(r"Display Power: state=\w+", "Display Power: state={display_state}", text)
    text = re.sub(
        r"Wake Locks: size=\d+\n(?:  \S.*\n)*",
        "Wake Locks: size={wake_lock_count}\n{wake_locks}\n",
        text if text.endswith("\n") else text + "\n",
    )
    return text.rstrip("\n").split("\n")


def profile_data_from_capture(capture: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Profile data for a captured projector.

    Identity (all properties), installed packages, ``dumpsys power`` text and the volume range
    come from the capture; behaviour the capture cannot show (HDMI intents, source menu, keys)
    is borrowed from the bundled profile of the same family closest in Android version.
    """
    captures = capture.get("captures")
    if not isinstance(captures, dict):
        raise ProfileError("capture has no 'captures' object")
    props: dict[str, str] = {}
    for line in str(captures.get("getprop", "")).splitlines():
        match = _GETPROP_LINE.match(line.strip())
        if match:
            props[match.group(1)] = match.group(2)
    if "ro.build.version.sdk" not in props:
        raise ProfileError("capture has no usable 'getprop' output")
    packages = {
        line.strip()[len("package:") :]
        for line in str(captures.get("pm list packages", "")).splitlines()
        if line.strip().startswith("package:")
    }
    try:
        sdk = int(props["ro.build.version.sdk"])
    except ValueError as err:
        raise ProfileError("capture's ro.build.version.sdk is not a number") from err
    if "com.google.android.apps.tv.launcherx" in packages:
        family, base_name = "googletv", "googletv"
    elif "com.google.android.tvlauncher" in packages:
        family, base_name = "androidtv", "androidtv10"
    else:
        family = "gmui"
        base_name = (
            "gmui_android8" if sdk <= 27 else "gmui_android9" if sdk == 28 else "gmui_android12"
        )
    base = json.loads((PROFILES_DIR / f"{base_name}.json").read_text(encoding="utf-8"))

    serial = props.get("ro.serialno", "")
    if not serial or "REDACTED" in serial:
        digest = hashlib.sha256(json.dumps(captures, sort_keys=True).encode()).hexdigest()
        serial = "CAP" + digest[:11].upper()
        for key in ("ro.serialno", "ro.boot.serialno"):
            props[key] = serial
    props.setdefault("ro.product.model", "")
    props.setdefault("ro.build.version.release", str(sdk))

    base_packages: dict[str, Any] = base["packages"]
    needed = {
        str(base["launcher"]).partition("/")[0],
        str(base["hdmi"]["player"]).partition("/")[0],
        str(base["source_menu"]["component"]).partition("/")[0],
        *base.get("persistent", ()),
    }
    merged: dict[str, Any] = {}
    for pkg in sorted(packages | needed) if packages else sorted(base_packages):
        if pkg in base_packages:
            merged[pkg] = base_packages[pkg]
        elif pkg.startswith(_SYSTEM_PREFIXES):
            merged[pkg] = {"label": pkg, "system": True}
        else:  # a user app: assume a launcher activity so it can be started
            merged[pkg] = {"label": pkg, "activities": {".MainActivity": {"main": True}}}

    data = dict(base)
    data.update(
        {
            "name": name,
            "family": family,
            "description": f"{capture.get('description', 'Captured projector')}. Imported from a "
            f"{CAPTURE_FORMAT} capture: properties, packages, dumpsys power and the volume range "
            f"are the real device's; HDMI, source menu and keys are borrowed from '{base_name}'.",
            "templates": _template_set_for(sdk),
            "props": props,
            "packages": merged,
            "adb": {
                "protocol_version": "0x01000001" if sdk >= 28 else "0x01000000",
                "max_payload": 1048576 if sdk >= 28 else 4096,
                "features": base["adb"]["features"],
            },
            "outputs": [],
            "capture": dict(captures),
        }
    )
    power = captures.get("dumpsys power")
    if isinstance(power, str) and "mWakefulness=" in power:
        data["outputs"].append(
            {
                "id": "dumpsys_power",
                "match": "^dumpsys power( .*)?$",
                "lines": _templated_power(power),
            }
        )
    audio = captures.get("dumpsys audio")
    if isinstance(audio, str):
        found = re.search(r"- STREAM_MUSIC:.*?Max: (\d+)", audio, re.DOTALL)
        if found:
            data["volume_max"] = int(found.group(1))
            data["volume_default"] = min(int(base.get("volume_default", 8)), int(found.group(1)))
    return data


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
    data = _read_json(path)
    capture = _find_capture(data)
    if capture is not None:
        data = profile_data_from_capture(capture, path.stem)
    profile = _profile_from_data(data, path)
    _CACHE[path] = (mtime, profile)
    return profile
