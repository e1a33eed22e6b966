"""The smart plug in front of the simulated projector, as a small HTTP API (aiohttp, loopback).

Home Assistant's stock ``rest`` switch and sensor can drive it: :data:`PLUG_YAML` is their
configuration (the demo's plug, and the tests'), ``PLUG_YAML.format(mains_port=8099)``.

Endpoints
---------
``GET /api/mains``
    ``{"on": bool, "power_w": float, "state": "...", "auto_power_on": bool}``
``POST /api/mains`` with ``{"on": true|false}``; ``POST /api/mains/on``; ``POST /api/mains/off``
    Switch the plug; answer as ``GET /api/mains``.
``GET /api/state``
    The full device snapshot, plus ``faults``, ``latency_s``, ``prompt_mode`` and
    ``shell_commands`` (shell command lines the ADB daemon has run since the simulator started:
    one per shell stream, whatever its length).
``POST /api/device``
    Demo and test controls; any combination of ``{"action": "screen_off"|"screen_on"|"standby"|
    "press"|"launch"|"reboot"|"wake"|"mains_on"|"mains_off"|"fast_forward", "key": 2100}``,
    ``{"action": "launch", "package": "com.ktcp.videoapp"}`` (the person opens an app from the
    launcher: its main activity starts; ignored unless the projector is on, as a key is),
    ``{"auto_power_on": false}``,
    ``{"prompt": "accept"|"reject"|"never"}``, ``{"faults": ["silent"], "latency_s": 0.2}``,
    ``{"volume": 7}``, ``{"media": {"package": "...", "state": 3}}``; answers with ``/api/state``.
Bad input gives ``400 {"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import functools
import json
import logging
from typing import Any

from aiohttp import web

from .device import DeviceModel
from .faults import Fault, FaultState, PromptMode
from .keys import keycode
from .media import PlaybackState

__all__ = ["PLUG_YAML", "MainsServer"]

_LOGGER = logging.getLogger(__name__)

PLUG_YAML = """\
switch:
  - platform: rest
    name: Projector plug
    unique_id: xgimi_demo_projector_plug
    resource: http://127.0.0.1:{mains_port}/api/mains
    method: post
    body_on: '{{"on": true}}'
    body_off: '{{"on": false}}'
    is_on_template: "{{{{ value_json.on }}}}"
    headers:
      Content-Type: application/json

sensor:
  - platform: rest
    name: Projector plug power
    unique_id: xgimi_demo_projector_plug_power
    resource: http://127.0.0.1:{mains_port}/api/mains
    value_template: "{{{{ value_json.power_w }}}}"
    unit_of_measurement: W
    device_class: power
    state_class: measurement
    scan_interval: 5
"""
"""Home Assistant YAML for a ``rest`` switch and power sensor on this API
(``switch.projector_plug``, ``sensor.projector_plug_power``): a :meth:`str.format` template
with ``{mains_port}``."""

_ACTIONS = (
    "screen_off",
    "screen_on",
    "standby",
    "press",
    "launch",
    "reboot",
    "wake",
    "mains_on",
    "mains_off",
    "fast_forward",
)


class _BadRequest(Exception):
    pass


class MainsServer:
    """The plug/demo HTTP API for one :class:`DeviceModel`."""

    def __init__(
        self,
        device: DeviceModel,
        *,
        faults: FaultState | None = None,
        set_prompt: Callable[[PromptMode], None] | None = None,
        get_prompt: Callable[[], PromptMode] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.device = device
        self.faults = faults if faults is not None else FaultState()
        self._set_prompt = set_prompt
        self._get_prompt = get_prompt
        self.host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._port = 0
        self.app = web.Application()
        self.app.add_routes(
            [
                web.get("/api/mains", self._get_mains),
                web.post("/api/mains", self._post_mains),
                web.post("/api/mains/on", self._post_mains_on),
                web.post("/api/mains/off", self._post_mains_off),
                web.get("/api/state", self._get_state),
                web.post("/api/device", self._post_device),
            ]
        )

    @property
    def port(self) -> int:
        """The TCP port, once started."""
        return self._port

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self._requested_port)
        await self._site.start()
        addresses = self._runner.addresses
        self._port = int(addresses[0][1]) if addresses else self._requested_port
        _LOGGER.info("mains API on http://%s:%d/api/mains", self.host, self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()
        self._runner = None
        self._site = None

    # ---------------------------------------------------------------- views

    def mains_json(self) -> dict[str, Any]:
        d = self.device
        return {
            "on": d.mains,
            "power_w": d.power_w,
            "state": d.state.value,
            "auto_power_on": d.auto_power_on,
        }

    def state_json(self) -> dict[str, Any]:
        snapshot = self.device.snapshot()
        snapshot["faults"] = sorted(f.value for f in self.faults.active)
        snapshot["latency_s"] = self.faults.latency_s
        snapshot["prompt_mode"] = self._get_prompt().value if self._get_prompt else None
        snapshot["shell_commands"] = len(self.device.shell_log)
        return snapshot

    async def _get_mains(self, request: web.Request) -> web.Response:
        return web.json_response(self.mains_json())

    async def _post_mains(self, request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
        except _BadRequest as err:
            return _bad(str(err))
        on = body.get("on")
        if not isinstance(on, bool):
            return _bad('expected {"on": true|false}')
        self._switch(on)
        return web.json_response(self.mains_json())

    async def _post_mains_on(self, request: web.Request) -> web.Response:
        self._switch(True)
        return web.json_response(self.mains_json())

    async def _post_mains_off(self, request: web.Request) -> web.Response:
        self._switch(False)
        return web.json_response(self.mains_json())

    def _switch(self, on: bool) -> None:
        _LOGGER.info("mains API: plug %s", "on" if on else "off")
        if on:
            self.device.mains_on()
        else:
            self.device.mains_off()

    async def _get_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state_json())

    async def _post_device(self, request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
            plan = self._validate(body)
        except _BadRequest as err:
            return _bad(str(err))
        for step in plan:
            step()
        return web.json_response(self.state_json())

    def _validate(self, body: dict[str, Any]) -> list[Callable[[], None]]:
        """Check everything first, then apply: a bad field changes nothing."""
        known = {
            "action",
            "key",
            "auto_power_on",
            "prompt",
            "faults",
            "latency_s",
            "volume",
            "media",
            "longpress",
            "package",
        }
        unknown = set(body) - known
        if unknown:
            raise _BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
        if not body:
            raise _BadRequest("empty request")
        device = self.device
        plan: list[Callable[[], None]] = []

        if "auto_power_on" in body:
            value = body["auto_power_on"]
            if not isinstance(value, bool):
                raise _BadRequest("auto_power_on must be true or false")
            plan.append(lambda: device.set_auto_power_on(value))

        if "prompt" in body:
            try:
                mode = PromptMode(body["prompt"])
            except ValueError as err:
                raise _BadRequest("prompt must be one of accept, reject, never") from err
            if self._set_prompt is None:
                raise _BadRequest("no ADB daemon to set the prompt on")
            set_prompt = self._set_prompt
            plan.append(lambda: set_prompt(mode))

        if "faults" in body:
            raw = body["faults"]
            if not isinstance(raw, list):
                raise _BadRequest("faults must be a list")
            try:
                faults = {Fault(str(f)) for f in raw}
            except ValueError as err:
                raise _BadRequest(
                    f"unknown fault; known: {', '.join(f.value for f in Fault)}"
                ) from err

            def set_faults() -> None:
                self.faults.active.clear()
                self.faults.active.update(faults)
                _LOGGER.info("faults now %s", sorted(f.value for f in faults) or "none")

            plan.append(set_faults)

        if "latency_s" in body:
            latency = body["latency_s"]
            if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
                raise _BadRequest("latency_s must be a number >= 0")
            plan.append(lambda: setattr(self.faults, "latency_s", float(latency)))

        if "volume" in body:
            volume = body["volume"]
            if (
                isinstance(volume, bool)
                or not isinstance(volume, int)
                or not 0 <= volume <= device.volume_max
            ):
                raise _BadRequest(f"volume must be an integer 0..{device.volume_max}")
            plan.append(lambda: device.set_volume(volume))

        if "media" in body:
            media = body["media"]
            if not isinstance(media, dict) or not isinstance(media.get("package"), str):
                raise _BadRequest('media must be {"package": "...", "state": 0..3}')
            try:
                state = PlaybackState(int(media.get("state", 3)))
            except (TypeError, ValueError) as err:
                raise _BadRequest("media state must be 0..3") from err
            pkg = media["package"]
            plan.append(lambda: _discard(device.start_media(pkg, state)))

        if "action" in body:
            action = body["action"]
            if action not in _ACTIONS:
                raise _BadRequest(f"action must be one of {', '.join(_ACTIONS)}")
            if action == "press":
                key = body.get("key")
                code = (
                    keycode(key)
                    if isinstance(key, int | str) and not isinstance(key, bool)
                    else None
                )
                if code is None:
                    raise _BadRequest("press needs a key code or KEYCODE name in 'key'")
                plan.append(
                    functools.partial(
                        device.press, code, longpress=bool(body.get("longpress", False))
                    )
                )
            elif action == "launch":
                plan.append(self._launch_step(body.get("package")))
            else:
                actions: dict[str, Callable[[], None]] = {
                    "screen_off": device.screen_off,
                    "screen_on": device.screen_on,
                    "standby": lambda: device.standby(),
                    "reboot": lambda: device.reboot(),
                    "wake": lambda: device.resume(),
                    "mains_on": device.mains_on,
                    "mains_off": device.mains_off,
                    "fast_forward": lambda: _discard(device.fast_forward()),
                }
                plan.append(actions[action])
        elif "key" in body:
            raise _BadRequest('\'key\' needs "action": "press"')
        if "package" in body and body.get("action") != "launch":
            raise _BadRequest('\'package\' needs "action": "launch"')
        return plan

    def _launch_step(self, package: object) -> Callable[[], None]:
        """Open an installed app from the launcher (its main activity), when the projector is on."""
        device = self.device
        spec = device.profile.packages.get(package) if isinstance(package, str) else None
        if spec is None or spec.main_activity() is None:
            raise _BadRequest("launch needs 'package': an installed app with a main activity")
        pkg = spec.name

        def launch() -> None:
            if not device.open_app(pkg):
                _LOGGER.info("launch of %s ignored in %s", pkg, device.state.value)

        return launch


def _discard(_value: object) -> None:
    return None


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        text = await request.text()
        body = json.loads(text) if text.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _BadRequest(f"invalid JSON: {err}") from err
    if not isinstance(body, dict):
        raise _BadRequest("expected a JSON object")
    return body


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
