"""``python -m simulator`` and the ``Simulator`` facade it runs."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import re
import signal
import sys

from adb_shell.adb_device_async import AdbDeviceTcpAsync
from adb_shell.auth.sign_cryptography import CryptographySigner
import aiohttp
import pytest

from simulator import DeviceState, Fault, PromptMode, Simulator, list_profiles
from simulator.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


async def _run(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        *args,
        cwd=ROOT,
        env=ENV,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_list_profiles() -> None:
    code, out, _ = await _run("--list-profiles")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == list_profiles()
    assert "XGIMI Z7X" in out


def test_bad_profile_and_bad_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--profile", "nope", "--port", "0"]) == 2
    assert "unknown profile" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--fault", "gremlins"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


async def test_run_and_stop_on_sigterm(shared_key: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--mains-port",
        "0",
        "--profile",
        "gmui_android12",
        "--boot-s",
        "0.1",
        cwd=ROOT,
        env=ENV,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        match = re.search(r"adb=127\.0\.0\.1:(\d+) mains=http://127\.0\.0\.1:(\d+)/api/mains", line)
        assert match, line
        adb_port, mains_port = int(match.group(1)), int(match.group(2))
        assert "secure=0" in line

        device = AdbDeviceTcpAsync("127.0.0.1", adb_port, default_transport_timeout_s=5)
        signer = CryptographySigner(str(shared_key))
        assert await device.connect(rsa_keys=[signer], auth_timeout_s=5)
        assert await device.shell("getprop ro.product.model") == "XGIMI TV\n"
        await device.close()

        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{mains_port}/api/mains"
            async with session.post(url, json={"on": False}) as resp:
                assert (await resp.json())["state"] == "mains_off"
        state_line = (await asyncio.wait_for(proc.stdout.readline(), 5)).decode()
        assert state_line.startswith("state: mains_off")

        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        rest = (await proc.stdout.read()).decode()
        assert "stopping" in rest
        assert proc.stderr is not None
        log = (await proc.stderr.read()).decode()
        assert "mains API on http://127.0.0.1:" in log
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


# --- the facade ------------------------------------------------------------------------------


async def test_simulator_facade(shared_key: Path) -> None:
    async with Simulator(
        "gmui_android8", mains_port=0, prompt=PromptMode.ACCEPT, prompt_delay_s=0.05, boot_s=0.05
    ) as sim:
        assert sim.port > 0
        assert sim.mains_port is not None
        assert sim.mains_port > 0
        assert sim.device.state is DeviceState.ON
        assert sim.daemon.port == sim.port
        device = AdbDeviceTcpAsync("127.0.0.1", sim.port, default_transport_timeout_s=5)
        assert await device.connect(
            rsa_keys=[CryptographySigner(str(shared_key))], auth_timeout_s=5
        )
        assert sim.device.prompt_count == 1, "gmui_android8 is ro.adb.secure=1: the prompt showed"
        out = await device.shell(
            "am start -a com.xgimi.action.hdmiPlayer -n com.xgimi.xhplayer/.InputActivity "
            "--es launcher_start_source HDMI2"
        )
        assert "Starting: Intent" in out
        assert sim.device.source == "HDMI2"
        sim.set_prompt("never")
        assert sim.prompt_mode is PromptMode.NEVER
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{sim.mains_port}/api/state"
            async with session.get(url) as resp:
                state = await resp.json()
        assert state["prompt_mode"] == "never"
        assert state["source"] == "HDMI2"
        await device.close()


async def test_simulator_unreachable_when_mains_off() -> None:
    sim = Simulator(
        "gmui_android9", mains_on=False, faults=[Fault.SILENT], latency_s=0.1, boot_s=0.05
    )
    await sim.start()
    try:
        assert sim.mains_port is None
        assert sim.faults.active == {Fault.SILENT}
        assert sim.faults.latency_s == 0.1
        assert sim.device.state is DeviceState.MAINS_OFF
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", sim.port)
        sim.device.mains_on()
        await sim.device.fast_forward()
        _, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        writer.close()
        await writer.wait_closed()
    finally:
        await sim.stop()


async def test_simulator_loads_a_profile_file(tmp_path: Path) -> None:
    data = json.loads(
        (ROOT / "simulator" / "profiles" / "googletv.json").read_text(encoding="utf-8")
    )
    data["props"]["ro.product.model"] = "Custom"
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    async with Simulator(path) as sim:
        assert sim.device.profile.model == "Custom"
        assert (await sim.device.run_shell("getprop ro.product.model")).stdout == b"Custom\n"
