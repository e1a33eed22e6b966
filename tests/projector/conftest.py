"""Fixtures: a simulated projector on 127.0.0.1 and a library client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
import shutil
from typing import Any

import pytest

from custom_components.xgimi_projector.projector import Backoff, Projector, Timeouts
from simulator import Simulator

FAST = Timeouts(transport_s=1.0, read_s=1.0, command_s=5.0, auth_s=2.0)
NO_BACKOFF = Backoff(initial_s=0.0, factor=1.0, max_s=0.0)


@pytest.fixture
def key_path(shared_key: Path, tmp_path: Path) -> Path:
    path = tmp_path / "adbkey"
    shutil.copy(shared_key, path)
    shutil.copy(f"{shared_key}.pub", f"{path}.pub")
    return path


MakeProjector = Callable[..., Projector]


@pytest.fixture
async def make_projector(key_path: Path) -> AsyncIterator[MakeProjector]:
    made: list[Projector] = []

    def _make(sim: Simulator, **kwargs: Any) -> Projector:
        kwargs.setdefault("timeouts", FAST)
        kwargs.setdefault("backoff", NO_BACKOFF)
        projector = Projector("127.0.0.1", sim.port, key_path=key_path, **kwargs)
        made.append(projector)
        return projector

    yield _make
    for projector in made:
        await projector.close()
