"""Shared fixtures. Every test talks only to 127.0.0.1 (Home Assistant's plugin enforces it)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The simulator listens on 127.0.0.1: allow creating sockets (hosts stay restricted)."""
