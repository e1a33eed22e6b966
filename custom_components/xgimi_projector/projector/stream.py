"""The event stream: a long-running ``logcat`` on the projector that says *when* to poll.

Each projector gets one :class:`EventStream`, on its **own** ADB connection (same key, same
address), so a stream never waits in the command queue and never delays a command or a poll.
What it reads is only a trigger: each parsed line (:func:`.events.parse_event_line`) calls
``on_event``, and the caller polls for the truth.

Lifecycle of one session: connect (refusing to show an authorization prompt: the command
connection is authorized already), kill any logcat a previous session or a previous Home
Assistant left behind (:func:`.events.kill_command`, by the marker only our streams carry), then
run :func:`.events.stream_command` until it ends. Then, with a back-off, again. Bounds:

- lines are split with a bounded buffer: a line longer than :data:`.events.EVENT_LINE_MAX` is
  dropped (and counted) without being kept or parsed; a packet is at most 1 MiB (the transport
  refuses more), so a flood costs CPU but never memory;
- a stream silent for ``idle_s`` is dropped and reopened (a half-open TCP connection, a stuck
  process); a stream that misses a change a poll saw (:meth:`EventStream.poll_done`) is too;
- a stream that ends at once :data:`UNSUPPORTED_AFTER` times in a row (firmware without
  ``logcat``, a refused shell) is marked unsupported and retried every
  :data:`UNSUPPORTED_RETRY_S`.

:attr:`EventStream.health` is a frozen snapshot for diagnostics; ``on_health`` is called when it
changes in a way that matters to a poller (not for every event).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import contextlib
from dataclasses import dataclass
import enum
import logging
from pathlib import Path
import time
from typing import Any, Final

from adb_shell.exceptions import (
    TcpTimeoutException,
)

from .connection import ADB_SESSION_ERRORS, AdbConnection, Backoff, Timeouts
from .errors import CommandFailedError, XgimiError
from .events import EVENT_LINE_MAX, DeviceEvent, kill_command, parse_event_line, stream_command

_LOGGER = logging.getLogger(__name__)

STREAM_BACKOFF: Final = Backoff(initial_s=1.0, factor=2.0, max_s=60.0)
"""Between failed sessions: a dropped stream is back within a second, a projector that keeps
refusing is tried once a minute."""
IDLE_S: Final = 15 * 60.0
"""A stream silent this long is reopened: the only way to notice a connection that died without
a FIN. An idle projector prints nothing, so this costs one reconnect (two commands) per quarter
hour of silence."""
QUICK_END_S: Final = 5.0
"""A stream that ends this soon without a single event "ended at once"."""
UNSUPPORTED_AFTER: Final = 3
"""Streams in a row that end at once before the firmware is taken to have no usable logcat."""
UNSUPPORTED_RETRY_S: Final = 3600.0
"""How often a stream marked unsupported is tried again (a firmware update may add it)."""
STABLE_S: Final = 60.0
"""A session that ran this long forgets the failures before it (a later drop retries at once)."""
MISSED_GRACE_S: Final = 1.0
"""After a poll saw a change no event announced, how long an event may still be on its way
before the stream is taken to be deaf and reopened."""
KILL_TIMEOUT_S: Final = 3.0
"""The most :meth:`EventStream.stop` spends killing the process on the projector."""


class StreamState(enum.StrEnum):
    """Where the stream is."""

    STOPPED = "stopped"
    """Not running (not started, or stopped: the projector is unreachable or unloaded)."""
    CONNECTING = "connecting"
    """Connecting, killing a leftover process, opening the stream."""
    STREAMING = "streaming"
    """``logcat`` runs and its lines are read."""
    BACKOFF = "backoff"
    """The last session failed or ended; the next one starts after a back-off."""
    UNSUPPORTED = "unsupported"
    """The firmware refuses the stream (it ended at once, several times); retried rarely."""


@dataclass(frozen=True, slots=True)
class StreamHealth:
    """The stream at one moment. Times are wall-clock (``time.time()``) seconds."""

    state: StreamState
    verified: bool
    """This session has delivered at least one event: the firmware emits the tags we ask for
    (``logcat -T 1`` replays the last one at once on a device that has them)."""
    connected: bool
    streaming_since: float | None
    last_event_at: float | None
    events: int
    """Events parsed since the stream was created."""
    dropped_lines: int
    """Lines dropped unparsed for being longer than :data:`.events.EVENT_LINE_MAX`."""
    sessions: int
    """Streams opened since the stream was created."""
    failures: int
    """Sessions in a row that failed or ended before running :data:`STABLE_S`."""
    last_error: str | None
    next_attempt_at: float | None
    """When the next session starts (BACKOFF and UNSUPPORTED)."""

    @property
    def healthy(self) -> bool:
        """Changes arrive as events: a poller may slow down."""
        return self.state is StreamState.STREAMING and self.verified

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics."""
        return {
            "state": self.state.value,
            "healthy": self.healthy,
            "verified": self.verified,
            "connected": self.connected,
            "streaming_since": self.streaming_since,
            "last_event_at": self.last_event_at,
            "events": self.events,
            "dropped_lines": self.dropped_lines,
            "sessions": self.sessions,
            "failures": self.failures,
            "last_error": self.last_error,
            "next_attempt_at": self.next_attempt_at,
        }


class LineSplitter:
    """Splits a byte stream into lines with a bounded buffer.

    A line longer than ``max_line`` bytes (without its ``\\n``) is dropped: the bytes past the
    bound are never buffered, and :attr:`dropped` counts it once its end arrives. Empty lines are
    skipped.
    """

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self.dropped = 0
        self._partial = bytearray()
        self._skipping = False

    @property
    def buffered(self) -> int:
        """Bytes held for an unfinished line (at most ``max_line``)."""
        return len(self._partial)

    def feed(self, data: bytes) -> list[bytes]:
        """The complete lines ``data`` finishes, without their ``\\n``."""
        pieces = data.split(b"\n")
        tail = pieces.pop()
        lines: list[bytes] = []
        for piece in pieces:
            if self._skipping:
                self._skipping = False
                self.dropped += 1
            elif len(self._partial) + len(piece) > self.max_line:
                self._partial.clear()
                self.dropped += 1
            elif self._partial:
                self._partial += piece
                lines.append(bytes(self._partial))
                self._partial.clear()
            elif piece:
                lines.append(piece)
        if not self._skipping:
            if len(self._partial) + len(tail) > self.max_line:
                self._partial.clear()
                self._skipping = True
            else:
                self._partial += tail
        return lines

    def reset(self) -> None:
        """Forget an unfinished line (a new session starts)."""
        self._partial.clear()
        self._skipping = False


class _PromptRefusedError(Exception):
    """The stream's connection would have shown the authorization prompt: it never does (the
    command connection is the one a person authorizes). Never leaves this module."""


class _StreamConnection(AdbConnection):
    """An :class:`AdbConnection` that can also run one long stream."""

    def drop(self) -> None:
        """Drop the session at once: a running :meth:`stream` ends with
        :class:`CommandFailedError`."""
        self._abort_locked()

    async def stream(
        self,
        command: str,
        *,
        idle_s: float,
        on_open: Callable[[], None],
        on_chunk: Callable[[bytes], None],
    ) -> None:
        """Run ``command`` until the projector closes its stream, calling ``on_chunk`` for each
        piece of output. Raises :class:`TimeoutError` when it stays silent for ``idle_s``, and
        :class:`CommandFailedError` when the session breaks (or was never connected)."""
        async with self._lock:
            device, transport = self._device, self._transport
            if device is None or transport is None:
                raise CommandFailedError(f"{self.label}: not connected")
            transport.begin_command(None)  # long-lived: packets are bounded, the total is not
            open_s = self.timeouts.command_s
            try:
                # adb-shell's streaming_shell waits for the OPEN's answer as long as for output;
                # its two steps let the answer be bounded by the command timeout and the output
                # by ``idle_s`` (a refused OPEN, answered with CLSE, would otherwise hang).
                info = await device._open(b"shell:" + command.encode(), open_s, open_s, None)
                on_open()
                info.transport_timeout_s = idle_s
                info.read_timeout_s = idle_s
                async for chunk in device._read_until_close(info):
                    on_chunk(bytes(chunk))
            except asyncio.CancelledError:
                self._abort_locked()
                raise
            except TcpTimeoutException as exc:
                await self._close_locked()
                raise TimeoutError(f"{self.label}: stream silent for {idle_s:.0f} s") from exc
            except ADB_SESSION_ERRORS as exc:
                await self._close_locked()
                raise CommandFailedError(f"{type(exc).__name__}: {exc}") from exc
            except BaseException:
                await self._close_locked()
                raise


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class EventStream:
    """A projector's event stream, reconnecting by itself until :meth:`stop`.

    ``on_event`` is called (synchronously, on the event loop) for each parsed event and must be
    cheap; ``on_health`` when :attr:`health` changes state, verification or connection.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        key_path: Path,
        sdk: int,
        marker: str,
        on_event: Callable[[DeviceEvent], None],
        on_health: Callable[[StreamHealth], None] | None = None,
        timeouts: Timeouts | None = None,
        backoff: Backoff | None = None,
        idle_s: float | None = None,
        quick_end_s: float | None = None,
        unsupported_retry_s: float | None = None,
        missed_grace_s: float | None = None,
        create_task: Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        name: str | None = None,
    ) -> None:
        self.connection = _StreamConnection(host, port, key_path=key_path, timeouts=timeouts)
        self.connection.name = name
        self.sdk = sdk
        self.marker = marker
        self.on_event = on_event
        self.on_health = on_health
        # Unset timings are the module's (read now, so tests can shorten them for a whole run).
        self.backoff = backoff or STREAM_BACKOFF
        self.idle_s = IDLE_S if idle_s is None else idle_s
        self.quick_end_s = QUICK_END_S if quick_end_s is None else quick_end_s
        self.unsupported_retry_s = (
            UNSUPPORTED_RETRY_S if unsupported_retry_s is None else unsupported_retry_s
        )
        self.missed_grace_s = MISSED_GRACE_S if missed_grace_s is None else missed_grace_s
        self._create_task = create_task or (lambda coro, name: asyncio.create_task(coro, name=name))
        self._clock = clock
        self._wall = wall
        self._splitter = LineSplitter(EVENT_LINE_MAX + 1)  # + a "\r" before the "\n"
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._state = StreamState.STOPPED
        self._verified = False
        self._streaming_since: float | None = None
        self._last_event_at: float | None = None
        self._events = 0
        self._sessions = 0
        self._failures = 0
        self._quick_ends = 0
        self._last_error: str | None = None
        self._next_attempt_at: float | None = None
        self._unsupported_until: float | None = None
        """Monotonic time before which an unsupported stream is not tried (kept across stops)."""
        self._events_at_poll = 0
        self._missed_check: asyncio.TimerHandle | None = None
        self._deaf = False
        self._published: tuple[StreamState, bool, bool] | None = None

    # --- what callers see --------------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.connection.label

    @property
    def running(self) -> bool:
        """Started and not stopped (streaming, connecting or waiting to retry)."""
        return self._task is not None

    @property
    def health(self) -> StreamHealth:
        return StreamHealth(
            state=self._state,
            verified=self._verified,
            connected=self.connection.connected,
            streaming_since=self._streaming_since,
            last_event_at=self._last_event_at,
            events=self._events,
            dropped_lines=self._splitter.dropped,
            sessions=self._sessions,
            failures=self._failures,
            last_error=self._last_error,
            next_attempt_at=self._next_attempt_at,
        )

    def start(self) -> None:
        """Start streaming (does nothing while running or once closed)."""
        if self._closed or self._task is not None:
            return
        self._task = self._create_task(self._run(), f"xgimi event stream {self.label}")

    async def stop(self, *, kill: bool = True) -> None:
        """Stop: cancel the session, kill its process on the projector (``kill``: when it is
        reachable), close the connection. It may be started again."""
        task, self._task = self._task, None
        self._cancel_missed_check()
        was_open = self._state in (StreamState.STREAMING, StreamState.CONNECTING)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if kill and was_open:
            await self._kill_quietly()
        await self.connection.close()
        self._cancel_missed_check()  # a poll may have finished while this waited above
        self._streaming_since = None
        self._verified = False
        self._set_state(StreamState.STOPPED)

    async def close(self) -> None:
        """Stop for good (unload): :meth:`start` does nothing afterwards."""
        self._closed = True
        await self.stop()

    def poll_done(self, *, changed: bool) -> None:
        """A poll finished; ``changed``: it saw a change a stream event should have announced
        (the foreground activity, the screen, the power). If no event arrived since the previous
        poll, nor within :data:`MISSED_GRACE_S`, the stream is deaf: it is reopened (and is not
        healthy until a new session delivers an event)."""
        baseline, self._events_at_poll = self._events_at_poll, self._events
        if (
            not changed
            or self._events != baseline
            or self._state is not StreamState.STREAMING
            or self._task is None  # stopping
        ):
            return
        if self._missed_check is None:
            loop = asyncio.get_running_loop()
            self._missed_check = loop.call_later(self.missed_grace_s, self._check_missed, baseline)

    # --- the sessions --------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while True:
                until = self._unsupported_until
                if until is not None and (left := until - self._clock()) > 0:
                    self._schedule(StreamState.UNSUPPORTED, left)
                    await asyncio.sleep(left)
                delay = await self._one_session()
                if delay > 0:
                    await asyncio.sleep(delay)
        finally:
            self._cancel_missed_check()

    async def _one_session(self) -> float:
        """Run one session to its end; the wait before the next one."""
        self._set_state(StreamState.CONNECTING)
        started: float | None = None
        events_before = self._events
        self._deaf = False

        def _opened() -> None:
            nonlocal started
            started = self._clock()
            self._sessions += 1
            self._streaming_since = self._wall()
            self._set_state(StreamState.STREAMING)

        ended = False
        try:
            await self.connection.connect(on_prompt=self._refuse_prompt)
            # Whatever a previous session (or a previous Home Assistant) left running goes first.
            await self.connection.shell(kill_command(self.marker))
            self._splitter.reset()
            await self.connection.stream(
                stream_command(self.sdk, self.marker),
                idle_s=self.idle_s,
                on_open=_opened,
                on_chunk=self._on_chunk,
            )
        except (XgimiError, TimeoutError, _PromptRefusedError) as exc:
            error = _describe(exc)
        except Exception as exc:  # a bug must not end the stream for good: it retries
            _LOGGER.debug("%s: event stream failed", self.label, exc_info=True)
            error = f"{type(exc).__name__}: {exc}"
        else:
            error = "the stream ended"
            ended = True
        if self._deaf:
            error = "it missed a change a poll saw"
        await self.connection.close()  # no idle connection held while waiting
        return self._ended(started, error, ended=ended, had_events=self._events > events_before)

    def _ended(self, started: float | None, error: str, *, ended: bool, had_events: bool) -> float:
        """A session is over: count it, and say how long to wait before the next one."""
        self._cancel_missed_check()
        self._streaming_since = None
        self._verified = False
        self._last_error = error
        ran = 0.0 if started is None else self._clock() - started
        if ran >= STABLE_S:
            self._failures = 0
        self._failures += 1  # a stream that keeps closing after an event or two backs off too
        # Ended by itself soon after it opened, with nothing to show: the firmware's answer.
        quick = ended and started is not None and ran < self.quick_end_s and not had_events
        self._quick_ends = self._quick_ends + 1 if quick else 0
        if self._quick_ends >= UNSUPPORTED_AFTER:
            self._quick_ends = 0
            self._unsupported_until = self._clock() + self.unsupported_retry_s
            _LOGGER.info(
                "%s: no event stream (%s); the state is polled. Trying again in %.0f min",
                self.label,
                error,
                self.unsupported_retry_s / 60,
            )
            return 0.0  # the loop waits until then, showing UNSUPPORTED
        self._unsupported_until = None
        delay = self.backoff.delay(self._failures)
        _LOGGER.debug("%s: event stream over (%s); next in %.1f s", self.label, error, delay)
        self._schedule(StreamState.BACKOFF, delay)
        return delay

    def _schedule(self, state: StreamState, delay: float) -> None:
        self._next_attempt_at = self._wall() + delay
        self._set_state(state)

    def _refuse_prompt(self) -> None:
        raise _PromptRefusedError(f"{self.label}: the key is not trusted for a second connection")

    def _on_chunk(self, data: bytes) -> None:
        for line in self._splitter.feed(data):
            event = parse_event_line(line)
            if event is None:
                continue
            self._events += 1
            self._last_event_at = self._wall()
            if not self._verified:
                self._verified = True
                self._quick_ends = 0
                self._unsupported_until = None
                self._publish()
            self.on_event(event)

    async def _kill_quietly(self) -> None:
        """Kill the stream's process over a fresh session (the stream's was cancelled)."""
        try:
            async with asyncio.timeout(KILL_TIMEOUT_S):
                await self.connection.connect(on_prompt=self._refuse_prompt)
                await self.connection.shell(kill_command(self.marker))
        except (XgimiError, TimeoutError, _PromptRefusedError) as exc:
            _LOGGER.debug("%s: could not kill the event stream: %s", self.label, exc)

    # --- deafness --------------------------------------------------------------------------

    def _check_missed(self, baseline: int) -> None:
        self._missed_check = None
        if self._events != baseline or self._state is not StreamState.STREAMING:
            return
        _LOGGER.debug("%s: a poll saw a change the event stream missed; reopening", self.label)
        self._deaf = True
        self._verified = False
        self._publish()
        self.connection.drop()  # the session ends; the loop opens a new one after a back-off

    def _cancel_missed_check(self) -> None:
        if self._missed_check is not None:
            self._missed_check.cancel()
            self._missed_check = None

    # --- health --------------------------------------------------------------------------------

    def _set_state(self, state: StreamState) -> None:
        if state is not StreamState.BACKOFF and state is not StreamState.UNSUPPORTED:
            self._next_attempt_at = None
        self._state = state
        self._publish()

    def _publish(self) -> None:
        key = (self._state, self._verified, self.connection.connected)
        if key == self._published:
            return
        self._published = key
        if self.on_health is not None:
            self.on_health(self.health)
