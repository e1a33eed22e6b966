"""Shared fixtures. Every test talks only to 127.0.0.1 (Home Assistant's plugin enforces it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from custom_components.xgimi_projector.projector.adbkey import ensure_key


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The simulator listens on 127.0.0.1: allow creating sockets (hosts stay restricted)."""


@pytest.fixture(scope="session")
def shared_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA key for the whole run (generating one costs ~100 ms)."""
    path = tmp_path_factory.mktemp("keys") / "adbkey"
    ensure_key(path)
    return path
