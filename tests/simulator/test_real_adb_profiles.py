"""Conformance with Debian's stock ``adb`` against the whole simulator, for every profile."""

from __future__ import annotations

from pathlib import Path
import shutil

import pytest

from simulator import PromptMode, list_profiles

from ..conftest import StartSim
from .adbd_helpers import HOST, RealAdb

pytestmark = pytest.mark.skipif(
    shutil.which("adb") is None,
    reason="Debian's adb client is not installed (scripts/setup installs it)",
)


@pytest.mark.parametrize("profile", list_profiles())
async def test_stock_adb_sees_what_the_profile_says(
    profile: str, start_sim: StartSim, tmp_path: Path
) -> None:
    sim = await start_sim(profile, prompt=PromptMode.ACCEPT, prompt_delay_s=0.3)
    serial = f"{HOST}:{sim.port}"
    adb = RealAdb(tmp_path / "home")
    try:
        await adb.run("connect", serial)
        await adb.wait_for_state(serial, "device")
        props = sim.device.props
        assert sim.daemon.trusted_keys or props.get("ro.adb.secure") == "0"

        code, out, _ = await adb.run("-s", serial, "shell", "getprop", "ro.product.model")
        assert code == 0
        assert out == props["ro.product.model"] + "\n"

        code, out, _ = await adb.run("-s", serial, "shell", "dumpsys", "power")
        assert code == 0
        assert "mWakefulness=Awake" in out
        # Android 14 prints the display power object instead of its state.
        assert ("Display Power: state=ON" in out) is (sim.device.profile.sdk < 34)
        # Same template as the shell renders for any client (times in it move, so compare lines).
        direct = (await sim.device.run_shell("dumpsys power")).stdout.decode()
        assert out.splitlines()[:3] == direct.splitlines()[:3]

        await adb.run("-s", serial, "shell", "input", "keyevent", "2099")
        assert sim.device.key_log[-1].code == 2099
    finally:
        await adb.run("kill-server")
