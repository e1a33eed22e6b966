"""Shared fixtures and helpers of the simulator tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_cryptography import CryptographySigner
import pytest

from simulator import DeviceModel
from simulator.adb import AdbDaemon

from .adbd_helpers import RawClient, StartDaemon
from .fake_backend import FakeBackend

ALL = [
    "androidtv10",
    "androidtv11",
    "gmui_android12",
    "gmui_android8",
    "gmui_android9",
    "googletv",
    "googletv14",
]

Make = Callable[..., DeviceModel]


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    devices: list[DeviceModel] = []

    def _make(profile: str = "gmui_android9", **kwargs: Any) -> DeviceModel:
        kwargs.setdefault("boot_s", 0.05)
        kwargs.setdefault("network_drop_s", 0.05)
        device = DeviceModel(profile, **kwargs)
        devices.append(device)
        return device

    yield _make
    for device in devices:
        await device.aclose()


async def sh(device: DeviceModel, command: str) -> str:
    result = await device.run_shell(command)
    return result.stdout.decode()


# --- the simulated adbd (test_adbd*.py) ---------------------------------------------------


@pytest.fixture(scope="session")
def session_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adbkey") / "adbkey"
    keygen(str(path))
    return path


@pytest.fixture(scope="session")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("otherkey") / "adbkey"
    keygen(str(path))
    return path


@pytest.fixture
def signer(session_key: Path) -> CryptographySigner:
    return CryptographySigner(str(session_key))


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def start_daemon(backend: FakeBackend) -> AsyncIterator[StartDaemon]:
    daemons: list[AdbDaemon] = []

    async def _start(backend_: FakeBackend | None = None, **kwargs: Any) -> AdbDaemon:
        kwargs.setdefault("prompt_delay_s", 0.05)
        daemon = AdbDaemon(backend_ or backend, **kwargs)
        await daemon.start()
        daemons.append(daemon)
        return daemon

    yield _start
    for daemon in daemons:
        await daemon.stop()
        assert daemon.connection_count == 0
        assert not daemon.prompt_pending


@pytest.fixture
async def devices() -> AsyncIterator[list[Any]]:
    """adb-shell devices to close at the end of the test."""
    opened: list[Any] = []
    yield opened
    for device in opened:
        await device.close()


@pytest.fixture
async def raw_clients() -> AsyncIterator[list[RawClient]]:
    opened: list[RawClient] = []
    yield opened
    for client in opened:
        await client.close()
