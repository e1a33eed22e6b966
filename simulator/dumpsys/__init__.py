"""What the templated commands print: the placeholders of ``dumpsys`` and friends, by section.

A profile's output templates (``simulator/profiles/templates/``, see its ``README.md``) hold the
text; this package supplies the values. Each section function returns the placeholders of one
part of the system (power, window, activity, audio, media_session, tv_input …); a template may
use any of them, and :class:`TemplateContext` computes a section only when the template asks
for one of its names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..backend import ShellResult
from ..profiles import OutputTemplate
from .media import audio, media_session, tv_input
from .power import power
from .system import (
    general,
    package,
    process_rows,
    processes,
    service_names,
    stable_hash,
    time_info,
    uptime,
)
from .windows import activity, window

if TYPE_CHECKING:
    from ..device import DeviceModel

__all__ = [
    "SECTIONS",
    "TEMPLATED_COMMANDS",
    "Section",
    "TemplateContext",
    "activity",
    "audio",
    "general",
    "media_session",
    "package",
    "power",
    "process_rows",
    "processes",
    "render_template",
    "service_names",
    "stable_hash",
    "time_info",
    "tv_input",
    "uptime",
    "window",
]

TEMPLATED_COMMANDS = frozenset({"dumpsys", "ps", "id", "uptime", "wm", "ip", "service"})
"""Commands that print the profile's template when one matches (before any code handler)."""

Section = Callable[["DeviceModel", Sequence[str]], dict[str, Any]]
"""Placeholders of one part of the system, for the command ``argv``."""

SECTIONS: tuple[Section, ...] = (
    general,
    uptime,
    power,
    window,
    activity,
    audio,
    media_session,
    tv_input,
    processes,
    package,
)
"""Every section, in the order :class:`TemplateContext` tries them; their names are disjoint."""


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


class TemplateContext(Mapping[str, Any]):
    """The placeholders for one command, computed a section at a time, as the template asks."""

    def __init__(self, device: DeviceModel, argv: Sequence[str]) -> None:
        self._device = device
        self._argv = argv
        self._values: dict[str, Any] = {}
        self._pending = list(SECTIONS)

    def _next_section(self) -> None:
        section = self._pending.pop(0)
        self._values.update(section(self._device, self._argv))

    def _find(self, name: str) -> bool:
        while name not in self._values and self._pending:
            self._next_section()
        return name in self._values

    def _load_all(self) -> None:
        while self._pending:
            self._next_section()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name)

    def __getitem__(self, name: str) -> Any:
        if not self._find(name):
            raise KeyError(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return iter(self._values)

    def __len__(self) -> int:
        self._load_all()
        return len(self._values)


def render_template(
    device: DeviceModel, template: OutputTemplate, argv: Sequence[str]
) -> ShellResult:
    """Run a templated command: the template filled from the device, on its stream."""
    text = template.render(TemplateContext(device, argv)).encode()
    if template.stream == "stderr":
        return ShellResult(b"", text, template.exit_code)
    return ShellResult(text, b"", template.exit_code)
