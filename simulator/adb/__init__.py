"""A simulated device-side ADB daemon (adbd) speaking the real wire protocol over TCP."""

from __future__ import annotations

from .daemon import AdbDaemon

__all__ = ["AdbDaemon"]
