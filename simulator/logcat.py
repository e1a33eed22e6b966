"""The simulated projector's event log (``logcat -b events``) and its logcat processes.

:class:`EventLog` is the device's ``events`` buffer (a bounded ring) plus a small process table
of the ``logcat`` readers that follow it. The device model writes the lines real Android of the
profile's SDK writes for each change it makes (:mod:`simulator.eventlines` says which, following
the captures in ``tests/captures/logcat_events``); every live reader whose filter matches gets the
line at once, as logd hands it to its readers.

How a reader reaches the ADB client: the ``logcat`` command answers the shell bridge with a
:class:`LogcatProcess` (a *stream*); the bridge makes a FIFO in the command line's bridge
directory and bash cats it, so the lines flow through the real shell's stdout while the
process lives. The process ends when

* it is killed (``pkill``, :meth:`EventLog.kill`): the exit status is written next to the FIFO,
  the FIFO is closed, bash's ``logcat`` function returns ``128+signal``;
* its shell goes away: adbd sends ``SIGHUP`` to the shell's process when the host closes the
  stream (adbd ``shell_service.cpp``). With ``exec logcat`` that process *is* logcat, which
  dies at once; otherwise logcat was a child of ``sh``, keeps running, and dies of ``SIGPIPE``
  at its next write (the FIFO has no reader any more);
* the device halts (mains cut, reboot).

Faults (``simulator.faults``): ``events-stall`` (alive, never writes), ``events-close`` (exits
after ``events_close_after`` lines with ``read: unexpected EOF!``), ``events-flood`` (thousands
of matching lines a second, some overlong), ``events-refused`` (``logcat`` fails at once).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Sequence
import contextlib
from dataclasses import dataclass, field
import errno
import itertools
import logging
import os
from pathlib import Path
import re
import signal
import time
from typing import Final

from .backend import ShellResult
from .faults import Fault, FaultState

__all__ = ["Entry", "EventLog", "LogcatArgs", "LogcatProcess", "format_line", "parse_logcat_args"]

_LOGGER = logging.getLogger(__name__)

BUFFER_ENTRIES: Final = 512
"""How many entries the simulated ``events`` buffer keeps (logd keeps 256 KiB by default)."""
PENDING_MAX: Final = 256 * 1024
"""Bytes a reader may lag behind before lines are dropped (logd prunes lagging readers)."""
_OPEN_RETRY_S: Final = 0.005
_OPEN_GIVE_UP_S: Final = 10.0
REFUSED_MESSAGE: Final = b"logcat: permission denied\n"
"""``events-refused``: what the firmware without a readable event log prints (exit 1)."""
UNEXPECTED_EOF: Final = b"read: unexpected EOF!\n"
"""What logcat prints when logd drops it (``events-close``)."""
DIVIDER: Final = b"--------- beginning of events\n"


@dataclass(frozen=True, slots=True)
class Entry:
    """One event-log entry."""

    time: float
    pid: int
    tid: int
    tag: str
    body: str
    level: str = "I"


def format_line(entry: Entry) -> bytes:
    """``-v threadtime``: ``MM-DD HH:MM:SS.mmm  PID  TID L tag     : body``."""
    stamp = time.strftime("%m-%d %H:%M:%S", time.localtime(entry.time))
    millis = int(entry.time * 1000) % 1000
    return (
        f"{stamp}.{millis:03d} {entry.pid:5d} {entry.tid:5d} {entry.level} "
        f"{entry.tag:<8}: {entry.body}\n"
    ).encode("utf-8", "replace")


# --- the command line --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogcatArgs:
    """What a ``logcat`` command line asks for (the subset the simulator models)."""

    buffers: tuple[str, ...] = ("main", "system", "crash")  # DEFAULT_BUFFERS
    dump: bool = False
    """``-d``/``-t``: print and exit; otherwise follow."""
    tail: int | None = None
    """``-t``/``-T``: only the newest N entries of the buffer (before the tag filter)."""
    silent_default: bool = False
    """``-s`` or ``*:S``: tags not named are silenced."""
    tags: dict[str, str] = field(default_factory=dict)
    """Filter specs: tag → priority letter (``S`` silences)."""
    clear: bool = False

    @property
    def events(self) -> bool:
        return "events" in self.buffers or "all" in self.buffers

    def wants(self, tag: str, level: str = "I") -> bool:
        priority = self.tags.get(tag)
        if priority is None:
            priority = "S" if self.silent_default else self.tags.get("*", "V")
        return priority != "S" and _LEVELS.index(level) >= _LEVELS.index(priority)


_LEVELS: Final = "VDIWEFS"


class LogcatUsageError(ValueError):
    """A command line logcat refuses."""


DEFAULT_BUFFERS: Final = ("main", "system", "crash")
"""What logcat reads without ``-b``."""
_WITH_VALUE: Final = ("-b", "-v", "-T", "-t", "--pid", "-f", "-r", "-n", "-e", "-m", "-G")


def _split_attached(args: Sequence[str]) -> list[str]:
    """getopt's ``-bevents`` / ``-T1`` → ``-b events`` / ``-T 1``."""
    out: list[str] = []
    for arg in args:
        if len(arg) > 2 and arg[:2] in _WITH_VALUE and not arg.startswith("--"):
            out += [arg[:2], arg[2:]]
        else:
            out.append(arg)
    return out


def parse_logcat_args(args: Sequence[str]) -> LogcatArgs:
    buffers: list[str] = []
    dump = clear = silent = False
    tail: int | None = None
    tags: dict[str, str] = {}
    items = iter(_split_attached(args))
    for arg in items:
        if arg in _WITH_VALUE:
            value = next(items, None)
            if value is None:
                raise LogcatUsageError(f"option requires an argument -- '{arg[-1]}'")
            if arg == "-b":
                buffers.extend(value.split(","))
            elif arg in ("-T", "-t"):
                if not value.isdigit():
                    raise LogcatUsageError(f'-{arg[-1]} "{value}" not a number')
                tail = int(value)
                dump = dump or arg == "-t"
        elif arg == "-d":
            dump = True
        elif arg == "-c":
            clear = True
        elif arg == "-s":
            silent = True
        elif arg.startswith("-"):
            if arg not in ("-B", "-D", "-S", "-Z", "-q"):
                raise LogcatUsageError(f"invalid option -- '{arg.lstrip('-')[:1]}'")
        else:
            tag, _, priority = arg.partition(":")
            priority = (priority or "V")[:1].upper()
            if priority not in _LEVELS:
                raise LogcatUsageError(f"Invalid filter expression '{arg}'")
            if tag == "*" and priority == "S":
                silent = True
            tags[tag] = priority
    return LogcatArgs(
        buffers=tuple(buffers) or DEFAULT_BUFFERS,
        dump=dump,
        tail=tail,
        silent_default=silent,
        tags=tags,
        clear=clear,
    )


# --- a reader ----------------------------------------------------------------------------------


class LogcatProcess:
    """A following ``logcat``: a pid in the model's process table and the FIFO it writes to."""

    def __init__(
        self,
        log: EventLog,
        pid: int,
        argv: Sequence[str],
        args: LogcatArgs,
        *,
        exec_: bool,
        faults: FaultState | None,
    ) -> None:
        self._log = log
        self.pid = pid
        self.argv = tuple(argv)
        self.args = args
        self.exec_ = exec_
        """Started with ``exec``: it is the shell's process (SIGHUP reaches it on close)."""
        self.faults = faults
        self.alive = True
        self.lines_written = 0
        self.lines_dropped = 0
        self.exit_status: int | None = None
        self._backlog: list[bytes] = []
        self._divider_sent = False
        self._fd: int | None = None
        self._fifo: Path | None = None
        self._pending = bytearray()
        self._writer_registered = False
        self._opened_at = 0.0
        self._flood: asyncio.Task[None] | None = None

    @property
    def cmdline(self) -> str:
        return " ".join(self.argv)

    def _fault(self, fault: Fault) -> bool:
        return self.faults is not None and fault in self.faults

    # -- attaching to the shell ----------------------------------------------------------------

    def queue_backlog(self, lines: Iterable[bytes]) -> None:
        self._backlog.extend(lines)

    def attach(self, fifo: Path) -> None:
        """The bridge made ``fifo`` for this process; bash is about to ``cat`` it."""
        self._fifo = fifo
        self._opened_at = time.monotonic()
        self._try_open()

    def _try_open(self) -> None:
        if not self.alive or self._fifo is None:
            return
        try:
            fd = os.open(self._fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as err:
            if err.errno == errno.ENXIO and time.monotonic() - self._opened_at < _OPEN_GIVE_UP_S:
                asyncio.get_running_loop().call_later(_OPEN_RETRY_S, self._try_open)
                return
            _LOGGER.debug("logcat %d: FIFO never opened (%s)", self.pid, err)
            self._exit(signal.SIGPIPE)
            return
        self._fd = fd
        if self._fault(Fault.EVENTS_CLOSE) and self.faults and self.faults.events_close_after <= 0:
            self._exit(None, status=1, message=UNEXPECTED_EOF)
            return
        backlog, self._backlog = self._backlog, []
        for line in backlog:
            self.deliver(line)
        if self.faults is not None:
            self._flood = asyncio.get_running_loop().create_task(self._flood_loop())

    # -- writing -------------------------------------------------------------------------------

    def offer(self, entry: Entry) -> None:
        """A new entry in the buffer: written if this reader's filter wants it."""
        if self.alive and self.args.wants(entry.tag, entry.level):
            self.deliver(format_line(entry))

    def deliver(self, line: bytes) -> None:
        if not self.alive or self._fault(Fault.EVENTS_STALL):
            return
        if self._fd is None:
            if len(self._backlog) < 64:
                self._backlog.append(line)
            return
        if not self._divider_sent:
            self._divider_sent = True
            line = DIVIDER + line
        if len(self._pending) + len(line) > PENDING_MAX:
            self.lines_dropped += 1
            return
        self._pending += line
        self.lines_written += 1
        self._flush()
        if self.alive and self._fault(Fault.EVENTS_CLOSE):
            limit = self.faults.events_close_after if self.faults is not None else 1
            if self.lines_written >= limit:
                self._exit(None, status=1, message=UNEXPECTED_EOF)

    def _flush(self) -> None:
        fd = self._fd
        while fd is not None and self._pending:
            try:
                written = os.write(fd, self._pending)
            except BlockingIOError:
                break
            except OSError:  # EPIPE: nobody reads any more: SIGPIPE kills logcat
                self._exit(signal.SIGPIPE)
                return
            del self._pending[:written]
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # written from outside the loop: the rest goes with the next line
            return
        if self._pending and not self._writer_registered and fd is not None:
            loop.add_writer(fd, self._flush)
            self._writer_registered = True
        elif not self._pending and self._writer_registered and fd is not None:
            loop.remove_writer(fd)
            self._writer_registered = False

    async def _flood_loop(self) -> None:
        """``events-flood``: a burst of matching lines every 10 ms, every 50th one overlong."""
        tag = next(
            (t for t, p in self.args.tags.items() if p != "S" and "resume" in t),
            "wm_on_resume_called",
        )
        counter = itertools.count(1)
        while self.alive:
            await asyncio.sleep(0.01)
            faults = self.faults
            if faults is None or Fault.EVENTS_FLOOD not in faults:
                continue
            now = time.time()
            for _ in range(max(1, faults.flood_lines_per_s // 100)):
                n = next(counter)
                name = "x" * faults.flood_overlong_bytes if n % 50 == 0 else f"Flood{n % 7}"
                body = f"[{n},com.example.flood.{name},RESUME_ACTIVITY]"
                self.deliver(format_line(Entry(now, 4242, 4242, tag, body)))

    # -- ending --------------------------------------------------------------------------------

    def kill(self, sig: int = signal.SIGTERM) -> None:
        self._exit(sig)

    def shell_gone(self) -> None:
        """The command line that ran this logcat ended or was killed (its stream closed)."""
        if self.exec_:
            self._exit(signal.SIGHUP)  # adbd's SIGHUP reaches logcat itself
        # else: orphaned; it dies of SIGPIPE at its next write (its FIFO has no reader).

    def _exit(self, sig: int | None, *, status: int = 0, message: bytes = b"") -> None:
        if not self.alive:
            return
        self.alive = False
        self.exit_status = 128 + sig if sig is not None else status
        if self._flood is not None:
            self._flood.cancel()
        fd, self._fd = self._fd, None
        fifo = self._fifo
        if fifo is not None:
            with contextlib.suppress(OSError):
                _write_file(fifo.with_suffix(".x"), f"{self.exit_status}\n".encode())
                if message:
                    _write_file(fifo.with_suffix(".xe"), message)
        if fd is not None:
            if self._writer_registered:
                with contextlib.suppress(Exception):
                    asyncio.get_running_loop().remove_writer(fd)
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log._reap(self)
        _LOGGER.debug("logcat %d exited (%s)", self.pid, self.exit_status)


def _write_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    tmp.replace(path)


# --- the buffer and the table ------------------------------------------------------------------


class EventLog:
    """The ``events`` buffer and the ``logcat`` processes following it."""

    def __init__(self, *, first_pid: int = 5000, capacity: int = BUFFER_ENTRIES) -> None:
        self.entries: deque[Entry] = deque(maxlen=capacity)
        self.processes: dict[int, LogcatProcess] = {}
        self._pids = itertools.count(first_pid)
        self.written = 0

    def write(self, tag: str, body: str, *, pid: int, tid: int, when: float | None = None) -> None:
        entry = Entry(time.time() if when is None else when, pid, tid, tag, body)
        self.entries.append(entry)
        self.written += 1
        for process in list(self.processes.values()):
            process.offer(entry)

    def clear(self) -> None:
        self.entries.clear()

    def lines(self, args: LogcatArgs) -> list[bytes]:
        """What a dump (or a follower's start) prints from the buffer: ``-t``/``-T`` count the
        newest entries of the buffer, then the tag filter applies (logd tails, logcat filters)."""
        entries = list(self.entries)
        if args.tail is not None:
            entries = entries[-args.tail :] if args.tail else []
        return [format_line(e) for e in entries if args.wants(e.tag, e.level)]

    def run(self, argv: Sequence[str], *, exec_: bool, faults: FaultState | None) -> ShellResult:
        """The ``logcat`` command: a dump, an error, or a live :class:`LogcatProcess`."""
        if faults is not None and Fault.EVENTS_REFUSED in faults:
            return ShellResult(b"", REFUSED_MESSAGE, 1)
        try:
            args = parse_logcat_args(argv[1:])
        except LogcatUsageError as err:
            return ShellResult(b"", f"logcat: {err}\n".encode(), 1)
        if args.clear:
            if args.events:
                self.clear()
            return ShellResult(b"")
        backlog = self.lines(args) if args.events else []
        if args.dump:
            return ShellResult((DIVIDER if backlog else b"") + b"".join(backlog))
        process = LogcatProcess(self, next(self._pids), argv, args, exec_=exec_, faults=faults)
        process.queue_backlog(backlog)
        self.processes[process.pid] = process
        return ShellResult(b"", stream=process)

    def find(self, pattern: str, *, full: bool) -> list[LogcatProcess]:
        """Processes whose command line (``-f``) or name matches the regular expression."""
        regex = re.compile(pattern)
        return [
            p
            for p in list(self.processes.values())
            if regex.search(p.cmdline if full else "logcat")
        ]

    def kill(self, pid: int, sig: int = signal.SIGTERM) -> bool:
        process = self.processes.get(pid)
        if process is None:
            return False
        process.kill(sig)
        return True

    def halt(self) -> None:
        """The device stops (mains cut, reboot): every process dies."""
        for process in list(self.processes.values()):
            process.kill(signal.SIGKILL)
        self.entries.clear()

    def _reap(self, process: LogcatProcess) -> None:
        if self.processes.get(process.pid) is process:
            del self.processes[process.pid]
