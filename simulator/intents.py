"""Intents as ``am`` builds them from its command line, and matching them against the profile.

``parse_intent`` accepts ``am``'s intent options (``-a -d -c -n -p -f --es --ei --ez …``, the
``--activity-*`` flags, ``am start``'s own options) and fails with ``am``'s messages.
``intent_matches`` decides whether an intent is one the firmware treats specially (a profile's
HDMI intents, the source menu's service intent …).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .profiles import IntentSpec, Profile, flatten_component, normalize_component

__all__ = [
    "FLAG_ACTIVITY_NEW_TASK",
    "Intent",
    "UsageError",
    "decode_data",
    "intent_matches",
    "parse_intent",
    "special_intent",
]

FLAG_ACTIVITY_NEW_TASK = 0x10000000

_INTENT_FLAG_OPTIONS = {
    "--grant-read-uri-permission": 0x00000001,
    "--grant-write-uri-permission": 0x00000002,
    "--grant-persistable-uri-permission": 0x00000040,
    "--grant-prefix-uri-permission": 0x00000080,
    "--debug-log-resolution": 0x00000008,
    "--exclude-stopped-packages": 0x00000010,
    "--include-stopped-packages": 0x00000020,
    "--activity-brought-to-front": 0x00400000,
    "--activity-clear-top": 0x04000000,
    "--activity-clear-when-task-reset": 0x00080000,
    "--activity-exclude-from-recents": 0x00800000,
    "--activity-launched-from-history": 0x00100000,
    "--activity-multiple-task": 0x08000000,
    "--activity-no-animation": 0x00010000,
    "--activity-no-history": 0x40000000,
    "--activity-no-user-action": 0x00040000,
    "--activity-previous-is-top": 0x01000000,
    "--activity-reorder-to-front": 0x00020000,
    "--activity-reset-task-if-needed": 0x00200000,
    "--activity-single-top": 0x20000000,
    "--activity-clear-task": 0x00008000,
    "--activity-task-on-home": 0x00004000,
    "--activity-match-external": 0x00000800,
    "--activity-launch-adjacent": 0x00001000,
    "--activity-new-task": FLAG_ACTIVITY_NEW_TASK,
    "--receiver-registered-only": 0x40000000,
    "--receiver-replace-pending": 0x20000000,
    "--receiver-foreground": 0x10000000,
    "--receiver-no-abort": 0x08000000,
    "--receiver-include-background": 0x01000000,
}

_AM_START_OPTIONS_NOARG = {
    "-D",
    "-N",
    "-W",
    "-S",
    "--streaming",
    "--track-allocation",
    "--task-overlay",
    "--lock-task",
}
_AM_START_OPTIONS_ARG = {
    "-P",
    "--start-profiler",
    "--sampling",
    "--attach-agent",
    "--attach-agent-bind",
    "-R",
    "--user",
    "--stack",
    "--windowingMode",
    "--activityType",
    "--display",
    "--task",
    "--receiver-permission",
}


class UsageError(Exception):
    """A bad command line: message for stderr and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(slots=True)
class Intent:
    """An intent as ``am`` builds it from its command line."""

    action: str | None = None
    data: str | None = None
    mime: str | None = None
    categories: list[str] = field(default_factory=list)
    component: str | None = None  # normalized pkg/pkg.Cls
    package: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    flags: int = 0
    kind: str = "activity"  # activity | service | broadcast | monkey
    options: dict[str, str | bool] = field(default_factory=dict)

    @property
    def target_package(self) -> str | None:
        if self.component:
            return self.component.partition("/")[0]
        return self.package

    def short_string(self, *, flags: int | None = None) -> str:
        """``Intent.toShortString`` as ``am`` prints it inside ``Intent { … }``."""
        parts: list[str] = []
        if self.action:
            parts.append(f"act={self.action}")
        if self.categories:
            parts.append("cat=[" + ",".join(self.categories) + "]")
        if self.data:
            parts.append(f"dat={self.data}")
        if self.mime:
            parts.append(f"typ={self.mime}")
        shown_flags = self.flags if flags is None else flags
        if shown_flags:
            parts.append(f"flg=0x{shown_flags:x}")
        if self.package:
            parts.append(f"pkg={self.package}")
        if self.component:
            parts.append(f"cmp={flatten_component(self.component)}")
        if self.extras:
            parts.append("(has extras)")
        return " ".join(parts)

    def describe(self, *, flags: int | None = None) -> str:
        return "Intent { " + self.short_string(flags=flags) + " }"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "action": self.action,
            "data": self.data,
            "categories": list(self.categories),
            "component": self.component,
            "package": self.package,
            "extras": dict(self.extras),
            "flags": self.flags,
        }


def _split_array(value: str) -> list[str]:
    # ``--esa k a,b\,c`` → ["a", "b,c"]
    out, cur, escape = [], "", False
    for ch in value:
        if escape:
            cur += ch
            escape = False
        elif ch == "\\":
            escape = True
        elif ch == ",":
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def parse_intent(
    args: Sequence[str], *, kind: str = "activity", start_options: bool = True
) -> Intent:
    """Parse ``am``'s intent arguments (and ``am start``'s own options when ``start_options``)."""
    intent = Intent(kind=kind)
    i = 0

    def take(opt: str) -> str:
        nonlocal i
        if i + 1 >= len(args):
            raise UsageError(f"Error: No argument given after {opt}")
        i += 1
        return args[i]

    def number(opt: str, text: str, conv: Callable[[str], Any]) -> Any:
        try:
            return conv(text)
        except ValueError as err:
            raise UsageError(
                "Exception occurred while executing:\n"
                f'java.lang.NumberFormatException: For input string: "{text}"',
                255,
            ) from err

    while i < len(args):
        arg = args[i]
        if arg == "-a":
            intent.action = take(arg)
        elif arg == "-d":
            intent.data = take(arg)
        elif arg == "-t":
            intent.mime = take(arg)
        elif arg == "-c":
            intent.categories.append(take(arg))
        elif arg == "-n":
            value = take(arg)
            try:
                intent.component = normalize_component(value)
            except ValueError as err:
                raise UsageError(f"Error: Bad component name: {value}") from err
        elif arg == "-p":
            intent.package = take(arg)
        elif arg == "-f":
            intent.flags |= number(arg, take(arg), lambda s: int(s, 0))
        elif arg in ("-e", "--es"):
            key = take(arg)
            intent.extras[key] = take(arg)
        elif arg == "--esn":
            intent.extras[take(arg)] = None
        elif arg == "--ez":
            key = take(arg)
            value = take(arg).lower()
            intent.extras[key] = value in ("true", "t", "1") or (
                value.isdigit() and int(value) != 0
            )
        elif arg in {"--ei", "--el"}:
            key = take(arg)
            intent.extras[key] = number(arg, take(arg), int)
        elif arg in ("--ef", "--ed"):
            key = take(arg)
            intent.extras[key] = number(arg, take(arg), float)
        elif arg in ("--eu", "--ecn"):
            key = take(arg)
            intent.extras[key] = take(arg)
        elif arg in ("--eia", "--eial", "--ela", "--elal"):
            key = take(arg)
            intent.extras[key] = [number(arg, v, int) for v in take(arg).split(",")]
        elif arg in ("--efa", "--efal"):
            key = take(arg)
            intent.extras[key] = [number(arg, v, float) for v in take(arg).split(",")]
        elif arg in ("--esa", "--esal"):
            key = take(arg)
            intent.extras[key] = _split_array(take(arg))
        elif arg in _INTENT_FLAG_OPTIONS:
            intent.flags |= _INTENT_FLAG_OPTIONS[arg]
        elif arg == "--selector":
            pass
        elif start_options and arg in _AM_START_OPTIONS_NOARG:
            intent.options[arg] = True
        elif start_options and arg in _AM_START_OPTIONS_ARG:
            intent.options[arg] = take(arg)
        elif arg.startswith("-") and len(arg) > 1:
            raise UsageError(f"Error: Unknown option: {arg}")
        elif ":" in arg:
            intent.data = arg
        elif "/" in arg:
            try:
                intent.component = normalize_component(arg)
            except ValueError as err:
                raise UsageError(f"Error: Bad component name: {arg}") from err
        else:
            intent.package = arg
        i += 1
    return intent


def decode_data(value: str | None) -> str | None:
    return unquote(value) if value is not None else None


def intent_matches(spec: IntentSpec, intent: Intent) -> bool:
    """Whether ``intent`` is one the firmware treats specially (HDMI switch, source menu…)."""
    if spec.kind != intent.kind:
        return False
    if spec.action is not None and spec.action != intent.action:
        return False
    if spec.component is not None and spec.component != intent.component:
        return False
    if spec.package is not None and spec.package != intent.target_package:
        return False
    if spec.data is not None and decode_data(spec.data) != decode_data(intent.data):
        return False
    for key, value in spec.extras.items():
        if key not in intent.extras or str(intent.extras[key]) != value:
            return False
    return True


def special_intent(profile: Profile, intent: Intent) -> IntentSpec | None:
    """The profile's HDMI or other special intent that ``intent`` matches, if any."""
    for spec in (*profile.hdmi.intents, *profile.intents):
        if intent_matches(spec, intent):
            return spec
    return None
