"""The projector: connect, probe, poll and commands, over one :class:`AdbConnection`.

Commands are built only from whitelisted tokens (key codes from :mod:`.keycodes`,
HDMI inputs from :data:`.families.HDMI_INPUTS`, integers, and app packages that match
:data:`PACKAGE_RE` and are quoted anyway). Bad input raises before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import logging
import math
from pathlib import Path
import re
import shlex

from .connection import AdbConnection, Backoff, Timeouts
from .errors import (
    AdbRequiredError,
    CommandFailedError,
    InvalidCommandError,
    NotSupportedError,
    ProjectorUnreachableError,
    UnknownSourceError,
)
from .families import HDMI_INPUTS, Family, volume_command
from .keycodes import KEYCODES, LAN_KEYCODES, normalize_key_name
from .lan import LanKeys
from .probe import CAPTURE_COMMAND, PROBE_COMMAND, DeviceInfo, parse_probe
from .state import (
    POLL_COMMAND,
    UNREACHABLE,
    PollContext,
    PollParseError,
    PollTruncatedError,
    ProjectorState,
    parse_poll,
    split_sections,
)

_LOGGER = logging.getLogger(__name__)

PACKAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
"""What an Android package name may look like."""

SOURCE_HOME = "home"
SOURCE_MENU = "source_menu"
MAX_KEY_DELAY_S = 60.0
MAX_KEYS_PER_CALL = 500
MAX_STEP_PAUSE_S = 2.0
"""The most pause one step of :meth:`Projector.send_keys` spends on the projector: keys whose
pauses would add up to more go in further steps, and the wait between two steps is spent here,
outside the queue, so polls and other commands run in between (docs/adb.md §3.7)."""

PROBE_MAX_BYTES = 512 * 1024
"""The probe's budget: ``getprop`` and ``pm list packages`` of a big firmware are ~100 KB."""
CAPTURE_MAX_BYTES = 2 * 1024 * 1024
"""The diagnostics capture's budget (whole ``dumpsys`` sections; splitting 2 MiB of lines
takes ~10 ms on the loop)."""
RAW_MAX_BYTES = 1024 * 1024
"""The raw shell's default budget (:meth:`Projector.shell`)."""
CAPTURE_TIMEOUT_S = 30.0

LAN_FAMILIES = frozenset({Family.GMUI_ANDROID8, Family.GMUI_ANDROID9, Family.GMUI_ANDROID12})
"""Families whose firmware answers XGIMI's LAN key protocol (docs/lan.md §1)."""

_FAILED_OUTPUT = re.compile(
    r"^(Error|Exception|java\.|\*\* No activities found|Security exception)", re.MULTILINE
)


def normalize_source(source: str) -> str:
    """``HDMI1``/``HDMI2``, ``home``, ``source_menu``, or an app package.

    Raises :class:`UnknownSourceError` for anything else.
    """
    text = source.strip()
    compact = re.sub(r"[\s_\-]+", "", text).upper()
    if compact in HDMI_INPUTS:
        return compact
    if compact in {"HOME", "LAUNCHER"}:
        return SOURCE_HOME
    if compact in {"SOURCEMENU", "INPUTS", "SOURCES"}:
        return SOURCE_MENU
    if PACKAGE_RE.match(text):
        return text
    raise UnknownSourceError(source)


def key_sequence_command(codes: Sequence[int], delay_s: float) -> str:
    """``input keyevent`` for ``codes`` in order; with a delay, one ``sleep`` between keys."""
    if not codes:
        raise InvalidCommandError("no keys")
    if delay_s <= 0:
        return "input keyevent " + " ".join(str(int(code)) for code in codes)
    pause = f"; sleep {min(delay_s, MAX_KEY_DELAY_S):.3f}; "
    return pause.join(f"input keyevent {int(code)}" for code in codes)


def key_steps(codes: Sequence[int], delay_s: float) -> list[list[int]]:
    """``codes`` cut into steps whose pauses (``delay_s`` between keys) add up to at most
    :data:`MAX_STEP_PAUSE_S`; without a delay, one step."""
    if delay_s <= 0:
        return [list(codes)]
    per_step = 1 + math.floor(MAX_STEP_PAUSE_S / delay_s + 1e-9)
    return [list(codes[i : i + per_step]) for i in range(0, len(codes), per_step)]


def _check_output(command: str, output: str) -> str:
    if _FAILED_OUTPUT.search(output):
        first = output.strip().splitlines()[0] if output.strip() else ""
        raise CommandFailedError(f"{command.split(' ', 2)[:2]} failed: {first}")
    return output


class _NoAdb(AdbConnection):
    """The connection of a "LAN keys only" projector: whatever reaches for ADB (a power
    sequence, a diagnostics capture) is refused before anything is sent."""

    async def connect(
        self,
        *,
        auth_timeout_s: float | None = None,
        on_prompt: Callable[[], None] | None = None,
    ) -> None:
        raise AdbRequiredError("connecting over ADB")

    async def shell(
        self,
        command: str,
        *,
        timeout_s: float | None = None,
        idle_s: float | None = None,
        max_bytes: int | None = None,
    ) -> str:
        raise AdbRequiredError("this command")


class Projector:
    """A projector reached over network ADB.

    With ``lan`` (a :class:`LanKeys` for the same projector), :meth:`press` and
    :meth:`send_keys` fall back to XGIMI's LAN key protocol when ADB cannot be reached (e.g.
    while it boots) and the projector is known to be GMUI: only keys not yet sent over ADB go,
    and only when every key has a LAN code. A session that breaks mid-command is not retried
    over UDP (the key may have arrived). Everything else stays ADB-only.
    """

    def __init__(
        self,
        host: str,
        port: int = 5555,
        *,
        key_path: Path,
        timeouts: Timeouts | None = None,
        backoff: Backoff | None = None,
        lan: LanKeys | None = None,
    ) -> None:
        self.connection = AdbConnection(
            host, port, key_path=key_path, timeouts=timeouts, backoff=backoff
        )
        self.lan = lan
        self.info: DeviceInfo | None = None
        self.state: ProjectorState = UNREACHABLE
        self._last_hdmi: str | None = None
        self.adb_enabled = True
        """False for a "LAN keys only" projector (:meth:`lan_only`)."""
        self.assumed_on: bool | None = None
        """LAN keys only: what the commands sent suggest (on after a key, off after
        :meth:`turn_off`; None: nothing sent yet). Nothing confirms it."""

    @classmethod
    def lan_only(cls, lan: LanKeys, info: DeviceInfo) -> Projector:
        """A projector reached only through XGIMI's LAN key protocol (no ADB at all).

        ``info`` stands in for the probe (:func:`~.lan.lan_device_info`). :meth:`poll` reports
        :data:`UNREACHABLE` without touching the network; keys, the volume steps, the source
        menu, Home and :meth:`turn_off` go over UDP; everything that needs ADB raises
        :class:`~.errors.AdbRequiredError` before anything is sent.
        """
        projector = cls(lan.host, key_path=Path(), lan=lan)
        projector.connection = _NoAdb(lan.host, 5555, key_path=Path())
        projector.adb_enabled = False
        projector.info = info
        return projector

    @property
    def label(self) -> str:
        """``Name (host:port)``: how log lines name this projector."""
        if not self.adb_enabled and self.lan is not None:
            name = self.connection.name
            return f"{name} ({self.lan.label})" if name else self.lan.label
        return self.connection.label

    def _require_adb(self, what: str) -> None:
        if not self.adb_enabled:
            raise AdbRequiredError(what)

    @property
    def host(self) -> str:
        return self.connection.host

    async def connect(
        self,
        *,
        auth_timeout_s: float | None = None,
        on_prompt: Callable[[], None] | None = None,
    ) -> DeviceInfo:
        """Connect now (ignoring back-off) and probe. Raises the library's errors."""
        self._require_adb("connecting")
        await self.connection.connect(auth_timeout_s=auth_timeout_s, on_prompt=on_prompt)
        return await self.probe()

    async def probe(self) -> DeviceInfo:
        """Read identity and capabilities (one round trip); cached in :attr:`info`."""
        self._require_adb("the probe")
        output = await self.connection.shell(PROBE_COMMAND, max_bytes=PROBE_MAX_BYTES)
        try:
            info = parse_probe(output)
        except PollParseError as exc:
            raise CommandFailedError(f"probe output malformed: {exc}") from exc
        self.info = info
        return info

    async def capture(self) -> dict[str, str]:
        """Raw outputs of every command a simulator profile is built from (one round trip)."""
        self._require_adb("the capture")
        output = await self.connection.shell(
            CAPTURE_COMMAND,
            timeout_s=CAPTURE_TIMEOUT_S,
            idle_s=CAPTURE_TIMEOUT_S,
            max_bytes=CAPTURE_MAX_BYTES,
        )
        try:
            return split_sections(output)
        except PollParseError as exc:
            raise CommandFailedError(f"capture output malformed: {exc}") from exc

    async def poll(self) -> ProjectorState:
        """Observe the projector in one round trip.

        Unreachable is a normal observation (standby drops the network), returned as
        :data:`UNREACHABLE`; authorization problems and broken output raise. LAN keys only:
        :data:`UNREACHABLE` at once (nothing can be read over UDP).
        """
        if not self.adb_enabled:
            self.state = UNREACHABLE
            return self.state
        try:
            state = await self._poll_state()
        except (ProjectorUnreachableError, CommandFailedError) as exc:
            _LOGGER.debug("Poll of %s failed: %s", self.label, exc)
            self.state = UNREACHABLE
            return self.state
        except PollParseError as exc:
            raise CommandFailedError(f"poll output malformed: {exc}") from exc
        self.state = state
        return state

    async def _poll_state(self) -> ProjectorState:
        output = await self._poll_output()
        info = self.info
        assert info is not None
        context = PollContext(info.traits, self._last_hdmi)
        try:
            return parse_poll(output, context)
        except PollTruncatedError:
            # Cut off mid-command, as when the projector goes to standby during a poll: ask
            # again, so that an unreachable projector reads as unreachable, not as broken.
            _LOGGER.debug("Poll of %s was cut off; polling again", self.label)
            return parse_poll(await self._poll_output(), context)

    async def _poll_output(self) -> str:
        if self.info is None:
            await self.probe()
        reused = self.connection.connected
        try:
            return await self.connection.shell(POLL_COMMAND)
        except CommandFailedError:
            if not reused:
                raise
        # The session we reused had gone stale (projector rebooted, Wi-Fi blip): a poll
        # is idempotent, so it is safe to try once more on a fresh session.
        return await self.connection.shell(POLL_COMMAND)

    async def close(self) -> None:
        await self.connection.close()

    # --- commands -------------------------------------------------------------------

    async def _run(
        self, command: str, *, timeout_s: float | None = None, idle_s: float | None = None
    ) -> str:
        self._require_adb("this command")
        output = await self.connection.shell(command, timeout_s=timeout_s, idle_s=idle_s)
        return _check_output(command, output)

    async def _require_info(self) -> DeviceInfo:
        if self.info is None:
            await self.probe()
        assert self.info is not None
        return self.info

    async def turn_off(self) -> None:
        """Soft power-off (关机), the family's way. Only sent while Android is awake.

        LAN keys only: the protocol's power-off code, sent once (:meth:`LanKeys.turn_off`)."""
        if not self.adb_enabled and self.lan is not None:
            await self.lan.turn_off()
            self.assumed_on = False
            return
        info = await self._require_info()
        await self._run(info.traits.power_off_command)

    async def wake(self) -> None:
        """Bring the picture back from screen-off (关屏). Does nothing when already on."""
        self._require_adb("waking")
        await self._run(f"input keyevent {KEYCODES['WAKEUP']}")

    async def send_keys(
        self, names: Sequence[str], *, repeats: int = 1, delay_s: float = 0.0
    ) -> None:
        """Press ``names`` in order, ``repeats`` times, ``delay_s`` apart.

        Without a delay that is one round trip. With one, the keys go in steps of at most
        :data:`MAX_STEP_PAUSE_S` of pauses (:func:`key_steps`), and the wait between steps is
        spent outside the queue, so a long sequence never holds up the polls. Every name is
        checked before anything is sent (:class:`UnknownKeyError`). LAN keys only: every key
        over UDP (:meth:`LanKeys.send_keys`, which checks them the same way).
        """
        if not self.adb_enabled and self.lan is not None:
            await self.lan.send_keys(names, repeats=repeats, delay_s=delay_s)
            self.assumed_on = True
            return
        if repeats < 1:
            raise InvalidCommandError("repeats must be at least 1")
        if len(names) * repeats > MAX_KEYS_PER_CALL:  # before building anything of that size
            raise InvalidCommandError(f"at most {MAX_KEYS_PER_CALL} key presses per call")
        if not 0 <= delay_s <= MAX_KEY_DELAY_S:
            raise InvalidCommandError(f"the delay must be 0 to {MAX_KEY_DELAY_S:.0f} seconds")
        canonical = [normalize_key_name(name) for name in names]
        sequence = [KEYCODES[name] for name in canonical] * repeats
        if not sequence:
            raise InvalidCommandError("no keys")
        delay = delay_s
        timeouts = self.connection.timeouts
        sent = 0
        for index, step in enumerate(key_steps(sequence, delay)):
            if index:
                await asyncio.sleep(delay)
            pauses = delay * (len(step) - 1)
            # A step prints nothing while it sleeps on the projector: it may stay silent for
            # its pauses on top of the usual wait.
            try:
                await self._run(
                    key_sequence_command(step, delay),
                    timeout_s=timeouts.command_s + pauses,
                    idle_s=timeouts.transport_s + pauses,
                )
            except ProjectorUnreachableError:
                lan_codes = self._lan_codes(canonical)
                if self.lan is None or lan_codes is None:
                    raise
                # Nothing of this step reached the projector: send it and the rest over UDP.
                _LOGGER.debug("ADB of %s unreachable: keys go over the LAN protocol", self.label)
                await self.lan.send_codes((lan_codes * repeats)[sent:], delay)
                return
            sent += len(step)

    def _lan_codes(self, canonical: Sequence[str]) -> list[int] | None:
        """The LAN codes of these keys when the LAN fallback applies, else ``None``."""
        if self.lan is None or self.info is None or self.info.family not in LAN_FAMILIES:
            return None
        codes = [LAN_KEYCODES.get(name) for name in canonical]
        if any(code is None for code in codes):
            return None
        return [code for code in codes if code is not None]

    async def press(self, name: str) -> None:
        await self.send_keys([name])

    async def volume_up(self, steps: int = 1) -> None:
        await self.send_keys(["VOLUME_UP"], repeats=max(1, steps))

    async def volume_down(self, steps: int = 1) -> None:
        await self.send_keys(["VOLUME_DOWN"], repeats=max(1, steps))

    @property
    def volume_max(self) -> int:
        """STREAM_MUSIC's maximum as the last poll read it (15, 25, 60, 100… differ by device).

        Raises :class:`InvalidCommandError` while it is unknown: no maximum is assumed.
        """
        maximum = self.state.volume_max
        if not maximum:
            raise InvalidCommandError("the volume maximum is unknown until a poll reads it")
        return maximum

    async def set_volume(self, level: int) -> None:
        """Set STREAM_MUSIC to ``level`` (0 … :attr:`volume_max`)."""
        self._require_adb("setting a volume level")
        if not 0 <= level <= self.volume_max:
            raise InvalidCommandError(f"volume {level} outside 0…{self.volume_max}")
        info = await self._require_info()
        await self._run(volume_command(info.sdk, level))

    async def set_volume_level(self, fraction: float) -> None:
        """Set the volume as a 0.0–1.0 fraction of the maximum."""
        self._require_adb("setting a volume level")
        if not 0.0 <= fraction <= 1.0:
            raise InvalidCommandError(f"volume level {fraction} outside 0.0…1.0")
        await self.set_volume(round(fraction * self.volume_max))

    async def mute(self, mute: bool) -> None:
        """Mute or unmute; idempotent (the mute key is pressed only when needed)."""
        self._require_adb("muting (LAN keys can only toggle it)")
        check = "dumpsys audio | grep -m 1 -A 4 -e '- STREAM_MUSIC:' | grep -q 'Muted: true'"
        joiner = "||" if mute else "&&"
        await self._run(f"{check} {joiner} input keyevent {KEYCODES['MUTE']}; true")

    async def play(self) -> None:
        await self.press("PLAY")

    async def pause(self) -> None:
        await self.press("PAUSE")

    async def play_pause(self) -> None:
        await self.press("PLAY_PAUSE")

    async def stop(self) -> None:
        await self.press("STOP")

    async def next_track(self) -> None:
        await self.press("NEXT")

    async def previous_track(self) -> None:
        await self.press("PREVIOUS")

    async def select_source(self, source: str) -> None:
        """Switch to ``HDMI1``/``HDMI2``, ``home``, ``source_menu`` or an installed app."""
        target = normalize_source(source)
        info = await self._require_info()
        if target in HDMI_INPUTS:
            if not info.traits.direct_hdmi:
                raise NotSupportedError("direct HDMI switching", info.family)
            await self._run(info.traits.hdmi_command(target))
            self._last_hdmi = target
            return
        if target == SOURCE_HOME:
            await self.press("HOME")
            return
        if target == SOURCE_MENU:
            await self.press("SOURCE_MENU")
            return
        await self.launch_app(target)

    async def launch_app(self, package: str) -> None:
        """Start an installed app by package name."""
        self._require_adb("starting an app")
        if not PACKAGE_RE.match(package):
            raise UnknownSourceError(package)
        info = await self._require_info()
        if info.packages and package not in info.packages:
            raise UnknownSourceError(package)
        quoted = shlex.quote(package)
        await self._run(
            f"monkey -p {quoted} -c android.intent.category.LEANBACK_LAUNCHER "
            "-c android.intent.category.LAUNCHER 1"
        )

    async def shell(
        self, command: str, *, timeout_s: float | None = None, max_bytes: int = RAW_MAX_BYTES
    ) -> str:
        """Raw shell, for administrators only: the caller is trusted with the device.

        The command may run, silent or not, for its whole ``timeout_s``, and print up to
        ``max_bytes`` (output plus framing); more fails and drops the session.
        """
        self._require_adb("the shell")
        whole_s = timeout_s if timeout_s is not None else self.connection.timeouts.command_s
        return await self.connection.shell(
            command, timeout_s=whole_s, idle_s=whole_s, max_bytes=max_bytes
        )
