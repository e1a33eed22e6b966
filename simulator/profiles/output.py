"""Output templates: "command pattern → output" text with ``{placeholders}``, and template sets.

Only names made of lowercase letters, digits and ``_`` inside braces count as placeholders, so the
braces of real Android output (``ActivityRecord{…}``, ``PlaybackState {state=3, …}``) need no
escaping; a field may carry a width, ``{pid:>5}`` / ``{name:<30}``. A line that holds nothing but
a list placeholder (``{windows}``) is replaced by the list's items, each rendered with its item
template. A template set (``templates/<set>.json``) may ``extend`` another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
import re
from typing import Any

from .spec import TEMPLATES_DIR, ProfileError, read_json

__all__ = [
    "ItemTemplate",
    "OutputTemplate",
    "bind_items",
    "load_template_set",
    "overlay",
    "parse_items",
    "parse_outputs",
    "render_lines",
    "resolve_includes",
]

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([<>]?)(\d+))?\}")
_LIST_LINE = re.compile(r"^\s*\{([a-z_][a-z0-9_]*)\}\s*$")


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


def parse_items(raw: object, where: str) -> dict[str, ItemTemplate]:
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


def parse_outputs(
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
        items.update(parse_items(entry.get("items"), here))
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


def overlay(base: list[OutputTemplate], overrides: list[OutputTemplate]) -> list[OutputTemplate]:
    """``overrides`` replace same-id entries of ``base`` in place; new ones go first.

    The first matching entry wins, so a child's new entries shadow its parent's catch-alls.
    """
    by_id = {t.id: t for t in overrides}
    merged = [by_id.pop(t.id, t) for t in base]
    return [t for t in overrides if t.id in by_id] + merged


def resolve_includes(templates: list[OutputTemplate]) -> list[OutputTemplate]:
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


def load_template_set(
    name: str, seen: tuple[str, ...] = ()
) -> tuple[list[OutputTemplate], dict[str, ItemTemplate]]:
    """A template set merged over everything it ``extends``: its outputs and its item templates."""
    if name in seen:
        raise ProfileError(
            f"template sets extend each other in a loop: {' → '.join((*seen, name))}"
        )
    path = TEMPLATES_DIR / f"{name}.json"
    data = read_json(path)
    own = parse_outputs(data.get("outputs"), TEMPLATES_DIR, {}, f"templates/{name}")
    parent = data.get("extends")
    inherited, items = load_template_set(str(parent), (*seen, name)) if parent else ([], {})
    items = {**items, **parse_items(data.get("items"), f"templates/{name}")}
    return overlay(inherited, own), items


def bind_items(
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
