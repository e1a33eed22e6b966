"""The projector library and the voice package must not import Home Assistant (HA's
library/glue rule), nor the integration's glue."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
import sys

import pytest

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "xgimi_projector"
LIBRARY = INTEGRATION / "projector"
VOICE = INTEGRATION / "voice"
HA_FREE = {"projector": LIBRARY, "voice": VOICE}
MIN_FILES = {"projector": 8, "voice": 6}
"""How many source files each HA-free package has at least (guards against a move)."""
ALLOWED_SIBLINGS = {"projector": frozenset(), "voice": frozenset({"projector"})}
"""Other packages of the integration each one may import (relative ``..name``)."""


def _imports(path: Path) -> tuple[set[str], set[tuple[int, str]]]:
    """Absolute modules, and ``(level, module)`` of relative imports, that ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    absolute: set[str] = set()
    relative: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            absolute.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                absolute.add(node.module)
            elif node.level > 0:
                relative.add((node.level, node.module or ""))
    return absolute, relative


@pytest.mark.parametrize("package", sorted(HA_FREE))
def test_no_source_file_imports_homeassistant(package: str) -> None:
    root = HA_FREE[package]
    files = sorted(root.rglob("*.py"))
    assert len(files) >= MIN_FILES[package], f"{package} moved; update HA_FREE"
    offenders = {
        str(path.relative_to(root)): sorted(
            m
            for m in _imports(path)[0]
            if m.split(".")[0] in ("homeassistant", "custom_components")
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("package", sorted(HA_FREE))
def test_no_source_file_imports_the_glue(package: str) -> None:
    """Relative imports stay inside the package, or reach an allowed HA-free sibling."""
    root = HA_FREE[package]
    offenders: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        depth = len(path.relative_to(root).parts)  # a level up to this stays inside the package
        for level, module in _imports(path)[1]:
            inside = level <= depth
            sibling = level == depth + 1 and module.split(".")[0] in ALLOWED_SIBLINGS[package]
            if not (inside or sibling):
                offenders.setdefault(str(path.relative_to(root)), []).append("." * level + module)
    assert offenders == {}


async def test_packages_import_with_homeassistant_blocked() -> None:
    """Import both in a fresh interpreter where any homeassistant import fails (the
    integration's own ``__init__`` is skipped: it is glue)."""
    code = (
        "import sys, types, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'homeassistant':\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "parent = types.ModuleType('xgimi_pkg')\n"
        f"parent.__path__ = [{str(INTEGRATION)!r}]\n"
        "sys.modules['xgimi_pkg'] = parent\n"
        "lib = importlib.import_module('xgimi_pkg.projector')\n"
        "voice = importlib.import_module('xgimi_pkg.voice')\n"
        "assert not any(m.split('.')[0] == 'homeassistant' for m in sys.modules)\n"
        "glue = sorted(m for m in sys.modules if m.startswith('xgimi_pkg.')\n"
        "              and m.split('.')[1] not in ('projector', 'voice'))\n"
        "assert not glue, glue\n"
        "print('ok', len(lib.__all__), len(voice.__all__))\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert out.decode().startswith("ok ")
