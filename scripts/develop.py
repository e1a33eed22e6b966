"""Run the demo: simulated projector + mains API + a real, onboarded Home Assistant.

Home Assistant is set up only through its public HTTP API (onboarding, login, config flow), the
way a person would, so the demo also exercises the integration's config flow.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import signal
import sys
import textwrap
import time
from typing import Any

import aiohttp

from simulator.mains import PLUG_YAML

ROOT = Path(__file__).resolve().parents[1]
DEMO_USER = "demo"
DEMO_PASSWORD = "xgimi-demo"
DEMO_NAME = "Demo"
DOMAIN = "xgimi_projector"
PROJECTOR = "media_player.tou_ying_yi"
PLUG_POWER = "sensor.projector_plug_power"


@dataclass(frozen=True, slots=True)
class DemoConfig:
    config_dir: Path
    ha_port: int = 8123
    adb_port: int = 5555
    mains_port: int = 8099
    profile: str = "gmui_android9"
    host: str = "127.0.0.1"
    wake: bool = False
    """上电自动开机 off on the simulated projector, and the wake action set up: only the wake
    (standing in for BLE/IR) turns it on from standby."""

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.ha_port}"


CONFIGURATION_YAML = """\
# Written by scripts/develop. The demo's smart plug is Home Assistant's stock REST switch and
# sensor pointed at the simulator's mains API; its wake action (script.projector_wake, standing
# in for an ESPHome BLE button or an IR remote) asks the same API to wake the projector.
# "Say to Xiaoai" (an input_text) feeds a stand-in of hass-xiaomi-miot's conversation sensor,
# wired to the projector by our conversation blueprint.
homeassistant:
  name: XGIMI demo
  country: CN
  language: zh-Hans
  time_zone: Asia/Shanghai
  unit_system: metric

http:
  server_host: {host}
  server_port: {ha_port}

# What a normal installation loads (default_config without the integrations that need
# hardware, a cloud account or packages a fresh machine lacks).
api:
auth:
blueprint:
config:
conversation:
counter:
frontend:
history:
input_boolean:
input_button:
input_datetime:
input_number:
input_select:
logbook:
onboarding:
person:
scene:
schedule:
script: !include scripts.yaml
search:
sun:
system_health:
tag:
timer:
zone:

logger:
  default: warning
  logs:
    custom_components.xgimi_projector: debug
    homeassistant.components.rest: warning
"""

XIAOAI_YAML = """\
automation: !include automations.yaml

input_text:
  xiaoai_demo:
    name: 对小爱说 / Say to Xiaoai
    initial: 小爱同学
    max: 100

template:
  - sensor:
      - name: Xiaoai demo conversation
        unique_id: xgimi_demo_xiaoai_conversation
        icon: mdi:account-voice
        state: "{{{{ states('input_text.xiaoai_demo') }}}}"
        attributes:
          content: "{{{{ states('input_text.xiaoai_demo') }}}}"
          answers: "{{{{ [] }}}}"
          history: "{{{{ [] }}}}"
          timestamp: >-
            {{{{ states.input_text.xiaoai_demo.last_changed.isoformat()
               if states.input_text.xiaoai_demo is not none else none }}}}

"""


WAKE_YAML = """\
rest_command:
  projector_wake:
    url: http://127.0.0.1:{mains_port}/api/device
    method: post
    content_type: application/json
    payload: '{{"action": "wake"}}'

"""
"""The stand-in for a BLE/IR wake: the simulated projector leaves standby (it has no Bluetooth,
so its mains API's device endpoint does it: from standby it resumes, as a real one does when its
remote wakes it, and answers over ADB a few seconds later). A :meth:`str.format` template with
``{mains_port}``."""

SCRIPTS_YAML = """\
# Written by scripts/develop: the demo's wake action (in a real home, an ESPHome button that
# sends the remote's BLE wake advertisement, or remote.send_command with the IR power code).
projector_wake:
  alias: 唤醒投影仪 / Wake the projector (demo)
  icon: mdi:bluetooth-connect
  mode: single
  sequence:
    - action: rest_command.projector_wake
"""
WAKE_SCRIPT = "script.projector_wake"

AUTOMATIONS_YAML = """\
# Written by scripts/develop: the demo's Xiaoai conversation → projector automation.
- id: xgimi_demo_xiaoai_conversation
  alias: 小爱对话 → 投影仪 (demo)
  use_blueprint:
    path: xgimi_projector/xiaoai_conversation.yaml
    input:
      conversation_sensor: sensor.xiaoai_demo_conversation
      projector: media_player.tou_ying_yi
      reply: false
"""


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target, target_is_directory=True)


def _link_files(folder: Path, target: Path) -> None:
    """A real folder holding a link to each YAML file of ``target``: Home Assistant lists
    blueprints with ``glob("**/*.yaml")``, which does not enter linked folders on Python 3.13,
    so a linked blueprint folder would work in automations but be missing from the UI."""
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.yaml"):
        if stale.is_symlink():
            stale.unlink()
    for source in sorted(target.glob("*.yaml")):
        (folder / source.name).symlink_to(source)


def write_config(cfg: DemoConfig) -> None:
    """configuration.yaml and automations.yaml (rewritten every run), and links to our custom
    component and blueprints."""
    cfg.config_dir.mkdir(parents=True, exist_ok=True)
    (cfg.config_dir / "configuration.yaml").write_text(
        (CONFIGURATION_YAML + PLUG_YAML + WAKE_YAML + XIAOAI_YAML).format(
            host=cfg.host, ha_port=cfg.ha_port, mains_port=cfg.mains_port
        ),
        encoding="utf-8",
    )
    (cfg.config_dir / "scripts.yaml").write_text(SCRIPTS_YAML, encoding="utf-8")
    (cfg.config_dir / "automations.yaml").write_text(AUTOMATIONS_YAML, encoding="utf-8")
    _link(cfg.config_dir / "custom_components" / DOMAIN, ROOT / "custom_components" / DOMAIN)
    _link_files(
        cfg.config_dir / "blueprints" / "automation" / DOMAIN,
        ROOT / "blueprints" / "automation" / DOMAIN,
    )


async def start_simulator(cfg: DemoConfig) -> asyncio.subprocess.Process:
    wake = ["--no-auto-power-on"] if cfg.wake else []
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        *wake,
        "--port",
        str(cfg.adb_port),
        "--profile",
        cfg.profile,
        "--prompt",
        "accept",
        "--prompt-delay",
        "3",
        "--mains-port",
        str(cfg.mains_port),
        "--keys-file",
        str(cfg.config_dir / "simulator_adb_keys"),
        "--boot-s",
        "8",
        "--network-drop-s",
        "5",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def start_home_assistant(cfg: DemoConfig) -> asyncio.subprocess.Process:
    hass = Path(sys.executable).with_name("hass")
    return await asyncio.create_subprocess_exec(
        str(hass), "--config", str(cfg.config_dir), "--skip-pip", cwd=ROOT
    )


async def wait_http(session: aiohttp.ClientSession, url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            async with session.get(url) as response:
                if response.status < 500:
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout_s:.0f} s")
        await asyncio.sleep(0.5)


DEMO_POWER_OPTIONS: dict[str, Any] = {
    "plug": "switch.projector_plug",
    "power_sensor": "sensor.projector_plug_power",
    "auto_power_on_confirmed": True,
    "rearm_off_s": 10,
    "boot_timeout_s": 90,
    "cut_mains_after_off": False,
    "cut_mains_cooldown_s": 60,
}


DEMO_WAKE_OPTIONS: dict[str, Any] = {"wake_entity": WAKE_SCRIPT, "wake_wait_s": 30}


class MainsApi:
    """The simulator's mains/device API (the demo plays the person holding the remote)."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self.session = session
        self.base_url = f"http://127.0.0.1:{port}"

    async def device(self, action: str) -> None:
        async with self.session.post(
            f"{self.base_url}/api/device", json={"action": action}
        ) as response:
            response.raise_for_status()

    async def power_w(self) -> float:
        async with self.session.get(f"{self.base_url}/api/mains") as response:
            response.raise_for_status()
            return float((await response.json())["power_w"])


class HomeAssistantApi:
    """Just enough of HA's HTTP API to onboard, log in and add the projector."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.token: str | None = None

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with self.session.request(
            method, self.base_url + path, headers=headers, **kwargs
        ) as response:
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def _token(self, code: str) -> None:
        data = {"grant_type": "authorization_code", "code": code, "client_id": self.client_id}
        result = await self._json("POST", "/auth/token", data=data)
        self.token = result["access_token"]

    async def onboard_or_login(self) -> None:
        steps = await self._json("GET", "/api/onboarding")
        if not next(s["done"] for s in steps if s["step"] == "user"):
            created = await self._json(
                "POST",
                "/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": DEMO_NAME,
                    "username": DEMO_USER,
                    "password": DEMO_PASSWORD,
                    "language": "zh-Hans",
                },
            )
            await self._token(created["auth_code"])
        else:
            await self.login()
        for step in await self._json("GET", "/api/onboarding"):
            if step["done"]:
                continue
            if step["step"] == "core_config":
                await self._json("POST", "/api/onboarding/core_config")
            elif step["step"] == "analytics":
                await self._json("POST", "/api/onboarding/analytics")
            elif step["step"] == "integration":
                await self._json(
                    "POST",
                    "/api/onboarding/integration",
                    json={"client_id": self.client_id, "redirect_uri": self.client_id},
                )

    async def login(self) -> None:
        flow = await self._json(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = await self._json(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"username": DEMO_USER, "password": DEMO_PASSWORD, "client_id": self.client_id},
        )
        await self._token(result["result"])

    async def ensure_projector(self, adb_port: int, timeout_s: float = 120) -> tuple[str, bool]:
        """The projector's entry id, and whether it was added just now."""
        entries = await self._json("GET", "/api/config/config_entries/entry")
        for entry in entries:
            if entry["domain"] == DOMAIN:
                return str(entry["entry_id"]), False
        flow = await self._json("POST", "/api/config/config_entries/flow", json={"handler": DOMAIN})
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        result = await self._json(
            "POST", path, json={"host": "127.0.0.1", "port": adb_port, "name": "投影仪"}
        )
        deadline = time.monotonic() + timeout_s
        while result["type"] in ("progress", "progress_done"):
            if time.monotonic() > deadline:
                raise TimeoutError("the projector was not authorized in time")
            print("  (the simulated projector shows 'Allow USB debugging?'; it will accept)")
            await asyncio.sleep(1)
            result = await self._json("POST", path, json={})
        if result["type"] != "create_entry":
            raise RuntimeError(f"adding the projector failed: {result}")
        return str(result["result"]["entry_id"]), True

    async def configure_power(self, entry_id: str, mains: MainsApi) -> None:
        """The integration's own options flow: the demo plug, then the guided calibration,
        putting the simulated projector in each state through its mains API."""
        path = "/api/config/config_entries/options/flow"
        result = await self._json("POST", path, json={"handler": entry_id})
        step = f"{path}/{result['flow_id']}"
        result = await self._json("POST", step, json={"next_step_id": "power"})
        result = await self._json("POST", step, json=DEMO_POWER_OPTIONS)
        if result.get("step_id") != "calibrate":
            raise RuntimeError(f"power options failed: {result}")
        # As a person would: put the projector in each state, look at the reading in the
        # dialog until it shows the new draw, then submit.
        await self._settle(mains, "screen_on")
        result = await self._json("POST", step, json={})  # reading: on
        await self._settle(mains, "screen_off")
        result = await self._json("POST", step, json={"skip": False})  # reading: 关屏
        await self._settle(mains, "standby")
        result = await self._json("POST", step, json={})  # reading: standby
        if result["type"] != "create_entry":
            raise RuntimeError(f"calibration failed: {result}")

    async def configure_wake(self, entry_id: str) -> None:
        """The options flow's wake step: the demo's wake script."""
        path = "/api/config/config_entries/options/flow"
        result = await self._json("POST", path, json={"handler": entry_id})
        step = f"{path}/{result['flow_id']}"
        result = await self._json("POST", step, json={"next_step_id": "wake"})
        result = await self._json("POST", step, json=DEMO_WAKE_OPTIONS)
        if result["type"] != "create_entry":
            raise RuntimeError(f"wake options failed: {result}")

    async def _settle(self, mains: MainsApi, action: str, timeout_s: float = 20) -> None:
        """Switch the simulated projector and wait until HA's power sensor shows its draw."""
        await mains.device(action)
        expected = await mains.power_w()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            await self.call("homeassistant", "update_entity", entity_id=PLUG_POWER)
            state = await self.state(PLUG_POWER)
            if state is not None and state["state"] == f"{expected}":
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{PLUG_POWER} did not show {expected} W after {action}")

    async def call(self, domain: str, service: str, **data: Any) -> Any:
        return await self._json("POST", f"/api/services/{domain}/{service}", json=data)

    async def wait_for_entity(self, entity_id: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while (state := await self.state(entity_id)) is None or state["state"] == "unavailable":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{entity_id} did not appear")
            await asyncio.sleep(0.5)

    async def config(self) -> dict[str, Any]:
        """Home Assistant's ``/api/config``: language, time zone, loaded components."""
        result: dict[str, Any] = await self._json("GET", "/api/config")
        return result

    async def history(self, entity_id: str) -> list[str]:
        """The states ``entity_id`` went through (the last day, as the recorder has them)."""
        result = await self._json(
            "GET",
            f"/api/history/period?filter_entity_id={entity_id}&minimal_response&no_attributes",
        )
        return [str(state["state"]) for state in result[0]] if result else []

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = await self._json("GET", f"/api/states/{entity_id}")
        except RuntimeError:
            return None
        return result


async def bring_up(cfg: DemoConfig, session: aiohttp.ClientSession) -> HomeAssistantApi:
    """Wait for HA, onboard it (or log in), add the projector, wait for its entity."""
    await wait_http(session, f"{cfg.base_url}/api/onboarding", 180)
    api = HomeAssistantApi(session, cfg.base_url)
    await api.onboard_or_login()
    entry_id, added = await api.ensure_projector(cfg.adb_port)
    await api.wait_for_entity(PROJECTOR)
    if added:
        print("  configuring the smart plug and calibrating its power sensor …", flush=True)
        await api.configure_power(entry_id, MainsApi(session, cfg.mains_port))
        if cfg.wake:
            print("  setting up the wake action (上电自动开机 is off) …", flush=True)
            await api.configure_wake(entry_id)
        await api.wait_for_entity(PROJECTOR)
        way = "the wake action" if cfg.wake else "the plug"
        print(f"  turning the projector on through {way} (about 30 s) …", flush=True)
        await api.call("media_player", "turn_on", entity_id=PROJECTOR)
    return api


async def terminate(process: asyncio.subprocess.Process | None, timeout_s: float = 20) -> None:
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout_s)
    except TimeoutError:
        process.kill()
        await process.wait()


async def main(cfg: DemoConfig) -> int:
    write_config(cfg)
    simulator = await start_simulator(cfg)
    hass: asyncio.subprocess.Process | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        hass = await start_home_assistant(cfg)
        async with aiohttp.ClientSession() as session:
            bring = asyncio.create_task(bring_up(cfg, session))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({bring, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not bring.done():
                bring.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await bring
                return 130
            bring.result()
        wake_note = (
            "set up; 上电自动开机 is off" if cfg.wake else "add it in the options: Wake action"
        )
        print(
            textwrap.dedent(
                f"""
                ================================================================
                 Home Assistant:   {cfg.base_url}
                 Log in as:        {DEMO_USER} / {DEMO_PASSWORD}
                 Projector:        {PROJECTOR} (simulated, {cfg.profile})
                 Smart plug:       switch.projector_plug, sensor.projector_plug_power
                 Wake action:      {WAKE_SCRIPT} ({wake_note})
                 Say to Xiaoai:    input_text.xiaoai_demo (try 小爱同学，关闭投影仪)
                 Simulator (ADB):  adb connect 127.0.0.1:{cfg.adb_port}
                 Mains API:        http://127.0.0.1:{cfg.mains_port}/api/state
                 Ctrl-C stops everything.
                ================================================================
                """
            ),
            flush=True,
        )
        waiters = {asyncio.create_task(stop.wait()), asyncio.create_task(hass.wait())}
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        return 0
    finally:
        await terminate(hass)
        await terminate(simulator)


def parse_args(argv: list[str] | None = None) -> DemoConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / ".develop" / "config")
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's HTTP port")
    parser.add_argument("--adb-port", type=int, default=5555)
    parser.add_argument("--mains-port", type=int, default=8099)
    parser.add_argument("--profile", default="gmui_android9")
    parser.add_argument("--fresh", action="store_true", help="start from an empty config dir")
    parser.add_argument(
        "--wake",
        action="store_true",
        help="上电自动开机 off; only the wake action (a BLE/IR stand-in) turns it on",
    )
    args = parser.parse_args(argv)
    if args.fresh and args.config.exists():
        import shutil

        shutil.rmtree(args.config)
    return DemoConfig(
        config_dir=args.config.resolve(),
        ha_port=args.port,
        adb_port=args.adb_port,
        mains_port=args.mains_port,
        profile=args.profile,
        wake=args.wake,
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
