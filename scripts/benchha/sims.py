"""Simulated projectors in their own processes (``python -m simulator``), and their mains API.

Each simulator listens on its own loopback address (127.0.0.N): HA's ``androidtv`` config flow
refuses a second entry with the same host whatever its port. The bench changes the device model
only through the mains API (``POST /api/device``: a key from the projector's own remote, an app
opened from the launcher, the plug), never through ADB, and reads ``shell_commands`` (ADB shell
streams served) from ``GET /api/state``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import re
import signal
import sys
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
BOOT_S = 3.0
"""Boot time of the simulated projectors (their profiles say 40–60 s; the bench only needs the
projector back on after a power-off, so it shortens the wait)."""

_READY = re.compile(
    r"^ready: .* adb=(?P<host>[\d.]+):(?P<port>\d+) mains=http://[\d.]+:(?P<mains>\d+)"
)


class SimulatorError(Exception):
    """A simulator process did not start."""


@dataclass
class SimProcess:
    """One ``python -m simulator`` process and its mains API."""

    label: str
    profile: str
    host: str
    process: asyncio.subprocess.Process
    log: Path
    port: int = 0
    mains_port: int = 0
    session: aiohttp.ClientSession | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.mains_port}"

    async def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /api/device``; the device snapshot after the change."""
        assert self.session is not None
        async with self.session.post(f"{self.base_url}/api/device", json=body) as response:
            data: dict[str, Any] = await response.json()
            if response.status != 200:
                raise SimulatorError(f"{self.label}: {body} -> {data.get('error')}")
            return data

    async def state(self) -> dict[str, Any]:
        assert self.session is not None
        async with self.session.get(f"{self.base_url}/api/state") as response:
            response.raise_for_status()
            data: dict[str, Any] = await response.json()
            return data

    async def shell_commands(self) -> int:
        return int((await self.state())["shell_commands"])


async def start_simulator(
    label: str, profile: str, host: str, workdir: Path, timeout_s: float = 30.0
) -> SimProcess:
    """Start ``python -m simulator`` on ``host`` (any free ports) and wait for its ready line."""
    out = workdir / f"{label}.out"
    err = workdir / f"{label}.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulator",
            "--profile",
            profile,
            "--host",
            host,
            "--port",
            "0",
            "--mains-port",
            "0",
            "--prompt",
            "accept",
            "--prompt-delay",
            "0.05",
            "--boot-s",
            str(BOOT_S),
            "--keys-file",
            str(workdir / f"{label}.adb_keys"),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    sim = SimProcess(label=label, profile=profile, host=host, process=process, log=err)
    deadline = time.monotonic() + timeout_s
    while True:
        text = await asyncio.to_thread(out.read_text, "utf-8", "replace")
        for line in text.splitlines():
            if match := _READY.match(line):
                sim.port = int(match["port"])
                sim.mains_port = int(match["mains"])
                sim.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
                return sim
        if process.returncode is not None or time.monotonic() > deadline:
            await stop_simulator(sim)
            tail = (await asyncio.to_thread(err.read_text, "utf-8", "replace"))[-2000:]
            raise SimulatorError(f"simulator {label} ({profile}) did not start:\n{tail}")
        await asyncio.sleep(0.1)


async def stop_simulator(sim: SimProcess) -> None:
    if sim.session is not None:
        await sim.session.close()
        sim.session = None
    if sim.process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            sim.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(sim.process.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                sim.process.kill()
            await sim.process.wait()
