"""The projector library must not import Home Assistant (HA's library/glue rule)."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
import sys

LIBRARY = Path(__file__).parents[1] / "custom_components" / "xgimi_projector" / "projector"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_source_file_imports_homeassistant() -> None:
    files = sorted(LIBRARY.rglob("*.py"))
    assert len(files) >= 8, "the library moved; update LIBRARY"
    offenders = {
        str(path.relative_to(LIBRARY)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] == "homeassistant"
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


async def test_library_imports_with_homeassistant_blocked() -> None:
    """Import it in a fresh interpreter where any homeassistant import fails."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'homeassistant':\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib.util, pathlib\n"
        "spec = importlib.util.spec_from_file_location('xgimi_lib', "
        f"{str(LIBRARY / '__init__.py')!r}, submodule_search_locations=[{str(LIBRARY)!r}])\n"
        "mod = importlib.util.module_from_spec(spec); sys.modules['xgimi_lib'] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "assert not any(m.split('.')[0] == 'homeassistant' for m in sys.modules)\n"
        "print('ok', len(mod.__all__))\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert out.decode().startswith("ok ")
