"""The simulated projector's ``/system/bin/sh``: a real bash; Android's commands bridge to Python.

**Security.** Every shell command line an ADB client sends runs in a real
``bash --noprofile --norc -c …``, each in its own bubblewrap sandbox (:mod:`simulator.sandbox`):
uid 2000 without capabilities, no network, a read-only root with only ``/usr`` and the text tools
(:data:`HOST_TOOLS` in ``/system/bin``: ``grep sed awk cut head tail cat …``; anything else fails
with mksh's ``/system/bin/sh: ls: not found``, exit 127), and a private ``/tmp`` that is its
working directory and ``$HOME``. A client can neither read nor change the host, nor reach its
network. Without a working ``bwrap`` the shell refuses to run (it names the package to install).

``Shell(sandbox=False)`` (or ``XGIMI_SIM_UNSANDBOXED_SHELL=1``, ``python -m simulator
--unsandboxed-shell``) is the old reduced mode, for hosts that cannot sandbox: bash runs on the
host as the simulator's user, restricted only by ``PATH`` (a private directory of symlinks to the
same tools) and a private working directory; absolute paths (``/bin/rm``), ``cat /etc/passwd``
and ``/dev/tcp`` all work there. Keep such a simulator on 127.0.0.1 on a machine you do not mind.

Why a real shell: Home Assistant's ``androidtv`` library sends command lines such as
``CURRENT_APP=$(dumpsys window windows | grep -E 'mCurrentFocus|mFocusedApp') &&
CURRENT_APP=${CURRENT_APP#*ActivityRecord{* * } && …`` and
``… && echo -e '1\\c' || echo -e '0\\c'``;
re-implementing mksh's expansions would be a worse fake than bash (``shopt -s xpg_echo`` gives
mksh's ``echo``, which interprets backslash escapes).

How the bridge works. The Android commands (:data:`ANDROID_COMMANDS`: ``getprop dumpsys input am
pm cmd …``) are bash *functions* defined in a preamble. Each call

1. takes a one-byte token from a *lock pipe* (a mutex, so calls from concurrent pipeline stages
   or subshells never interleave),
2. writes its argv, NUL-separated and prefixed by the count, to the *request pipe*,
3. reads ``<exit code> <stdout mode> <stderr mode> <seq>`` from the *response pipe*; the Python
   side has by then applied the command to the device model and written its stdout/stderr to
   files ``<seq>.o`` / ``<seq>.e`` in a private directory (the jail sees it read-only at ``/sim``),
4. reads those files with the ``read`` builtin (no fork), puts the token back, prints the output
   (``cat`` only for binary output) and returns the exit code.

Because each call waits for the model, state changes apply in order within one command line:
``input keyevent 26 && dumpsys power`` shows the new state.

Measured overhead (2-core VM, Python 3.13, shared with other jobs; medians): unsandboxed, about
3 ms per command line (``bash`` start-up, the preamble, pipes); the sandbox adds 5–9 ms
(``setpriv`` + ``bwrap``: namespaces and mounts; 5 ms at best). A bridged call costs 0.4–0.9 ms
either way, and the library's whole poll takes about 16 ms unsandboxed, 25 ms sandboxed. Each extra
pipeline stage (``| grep``) costs a fork+exec, 1–3 ms. Under Home Assistant's test plugin (asyncio
debug mode) a bare unsandboxed command line takes 10–15 ms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
import contextlib
import itertools
import logging
import os
from pathlib import Path
import re
import shutil
import signal
import tempfile

from . import sandbox as _sandbox
from .backend import OutputCallback, OutputStream, ShellResult
from .sandbox import SandboxUnavailableError

__all__ = ["ANDROID_COMMANDS", "HOST_TOOLS", "BridgeHandler", "SandboxUnavailableError", "Shell"]

_LOGGER = logging.getLogger(__name__)

HOST_TOOLS: tuple[str, ...] = (
    "grep",
    "sed",
    "cut",
    "head",
    "tail",
    "cat",
    "tr",
    "wc",
    "sort",
    "uniq",
    "awk",
    "sleep",
    "true",
    "false",
    "printf",
    "echo",
    "expr",
    "tee",
    "xargs",
)
"""Host programs reachable through ``PATH`` (bash builtins shadow ``echo printf true false``)."""

ANDROID_COMMANDS: tuple[str, ...] = (
    "getprop",
    "setprop",
    "dumpsys",
    "input",
    "am",
    "pm",
    "cmd",
    "media",
    "settings",
    "monkey",
    "ps",
    "wm",
    "reboot",
    "uptime",
    "id",
    "service",
    "ip",
    "screencap",
    "log",
    "logcat",
    "pkill",
    "pgrep",
)
"""Commands implemented by the device model and defined as bash functions in every shell."""

BridgeHandler = Callable[[Sequence[str]], ShellResult]
"""Runs one Android command (``argv[0]`` is its name) against the device model."""

_INLINE_LIMIT = 256 * 1024

_PREAMBLE = r"""shopt -s xpg_echo
command_not_found_handle() { printf '/system/bin/sh: %s: not found\n' "$1" >&2; return 127; }
__sim_call() {
  local __sim_t __sim_rc __sim_om __sim_em __sim_n __sim_o= __sim_e=
  IFS= read -r -N 1 -u "$__SIM_LR" __sim_t || return 255
  printf '%s\0' "$#" "$@" >&"$__SIM_QW"
  IFS=' ' read -r -u "$__SIM_RR" __sim_rc __sim_om __sim_em __sim_n \
    || { printf x >&"$__SIM_LW"; return 255; }
  if [ "$__sim_om" = 3 ]; then
    printf x >&"$__SIM_LW"
    if [ "$__sim_em" = 1 ]; then command cat "$__SIM_D/$__sim_n.e" >&2; fi
    command cat "$__SIM_D/$__sim_n.f"
    if [ -r "$__SIM_D/$__sim_n.xe" ]; then command cat "$__SIM_D/$__sim_n.xe" >&2; fi
    __sim_rc=1
    IFS= read -r __sim_rc < "$__SIM_D/$__sim_n.x" 2>/dev/null
    return "$__sim_rc"
  fi
  if [ "$__sim_om" = 1 ]; then IFS= read -r -d '' __sim_o < "$__SIM_D/$__sim_n.o" || :; fi
  if [ "$__sim_em" = 1 ]; then IFS= read -r -d '' __sim_e < "$__SIM_D/$__sim_n.e" || :; fi
  printf x >&"$__SIM_LW"
  case "$__sim_em" in
    1) printf '%s' "$__sim_e" >&2 ;;
    2) command cat "$__SIM_D/$__sim_n.e" >&2 ;;
  esac
  case "$__sim_om" in
    1) printf '%s' "$__sim_o" ;;
    2) command cat "$__SIM_D/$__sim_n.o" ;;
  esac
  return "$__sim_rc"
}
"""


def _preamble(commands: Iterable[str], fds: tuple[int, ...], ipc_dir: Path | str) -> str:
    commands = tuple(commands)
    qw, rr, lr, lw = fds
    lines = [
        _PREAMBLE,
        f"__SIM_QW={qw} __SIM_RR={rr} __SIM_LR={lr} __SIM_LW={lw} __SIM_D='{ipc_dir}'",
        "readonly __SIM_QW __SIM_RR __SIM_LR __SIM_LW __SIM_D",
    ]
    lines.extend(f'{name}() {{ __sim_call {name} "$@"; }}' for name in commands)
    # ``exec logcat …``: bash's exec only runs programs, and the Android commands are functions;
    # the call is bridged as ``exec logcat …`` so the model knows the shell *became* logcat.
    # (A redirection-only ``exec 3>f`` keeps its effect only inside this function.)
    if commands:
        lines.append(
            'exec() { case "${1-}" in '
            f'{"|".join(commands)}) __sim_call exec "$@"; exit $? ;; '
            'esac; builtin exec "$@"; }'
        )
    return "\n".join(lines) + "\n"


class _Bridge:
    """The Python end of one shell's pipes: parses requests, answers them in order."""

    def __init__(
        self,
        req_fd: int,
        resp_fd: int,
        ipc_dir: Path,
        handler: BridgeHandler,
        *,
        shared: bool = False,
        command: str = "",
        on_call: Callable[[_Bridge | None], None] | None = None,
    ) -> None:
        self._req_fd = req_fd
        self._shared = shared
        self.command = command
        """The command line this bridge serves (``sh -c <command>`` on the device)."""
        self.streaming = asyncio.Event()
        """Set once a command of this line streams (its output must flow as it comes)."""
        self.became_stream = False
        """The shell ``exec``-ed a streaming command: it is that process now, not ``sh``."""
        self.streams: list[OutputStream] = []
        self.killed = False
        """A command of this line signalled the line's own shell: no answer, it is dying."""
        self._on_call = on_call
        self._resp_fd = resp_fd
        self._ipc_dir = ipc_dir
        self._handler = handler
        self._buffer = b""
        self._seq = itertools.count(1)
        self._loop = asyncio.get_running_loop()
        os.set_blocking(req_fd, False)
        self._loop.add_reader(req_fd, self._on_readable)
        self._closed = False

    def _on_readable(self) -> None:
        try:
            chunk = os.read(self._req_fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._loop.remove_reader(self._req_fd)
            return
        self._buffer += chunk
        while True:
            request = self._parse_one()
            if request is None:
                break
            self._answer(request)

    def _parse_one(self) -> list[str] | None:
        end = self._buffer.find(b"\0")
        if end < 0:
            return None
        try:
            count = int(self._buffer[:end])
        except ValueError:
            _LOGGER.exception("shell bridge: garbled request %r", self._buffer[:64])
            self._buffer = b""
            return None
        parts: list[bytes] = []
        pos = end + 1
        for _ in range(count):
            nxt = self._buffer.find(b"\0", pos)
            if nxt < 0:
                return None
            parts.append(self._buffer[pos:nxt])
            pos = nxt + 1
        self._buffer = self._buffer[pos:]
        return [p.decode("utf-8", "surrogateescape") for p in parts]

    def _write_stream(self, seq: int, suffix: str, data: bytes) -> int:
        if not data:
            return 0
        path = self._ipc_dir / f"{seq}.{suffix}"
        path.write_bytes(data)
        if self._shared:  # read by the jail's host user
            path.chmod(0o644)
        return 2 if (b"\0" in data or len(data) > _INLINE_LIMIT) else 1

    def _answer(self, argv: list[str]) -> None:
        if self._on_call is not None:
            self._on_call(self)
        try:
            result = self._handler(argv)
        except Exception:  # a bug in the model must not hang the shell
            _LOGGER.exception("simulated command failed: %s", argv)
            result = ShellResult(b"", f"{argv[0]}: internal simulator error\n".encode(), 1)
        finally:
            if self._on_call is not None:
                self._on_call(None)
        if self.killed:  # bash waits for an answer that never comes, until the signal lands
            return
        seq = next(self._seq)
        if result.stream is not None:
            self._answer_stream(seq, argv, result, result.stream)
            return
        try:
            om = self._write_stream(seq, "o", result.stdout)
            em = self._write_stream(seq, "e", result.stderr)
            code = result.exit_code & 0xFF
        except Exception:
            _LOGGER.exception("simulated command returned a bad result: %s", argv)
            om = em = 0
            code = 1
        with contextlib.suppress(OSError):
            os.write(self._resp_fd, f"{code} {om} {em} {seq}\n".encode())

    def _answer_stream(
        self, seq: int, argv: list[str], result: ShellResult, stream: OutputStream
    ) -> None:
        """A command that keeps running: bash ``cat``s a FIFO the command writes to."""
        fifo = self._ipc_dir / f"{seq}.f"
        try:
            os.mkfifo(fifo, 0o644)
            fifo.chmod(0o644)
            em = self._write_stream(seq, "e", result.stderr)
        except OSError:
            _LOGGER.exception("shell bridge: cannot stream %s", argv)
            stream.shell_gone()
            with contextlib.suppress(OSError):
                os.write(self._resp_fd, f"1 0 0 {seq}\n".encode())
            return
        self.streams.append(stream)
        self.became_stream = self.became_stream or argv[:1] == ["exec"]
        self.streaming.set()
        with contextlib.suppress(OSError):
            os.write(self._resp_fd, f"{result.exit_code & 0xFF} 3 {em} {seq}\n".encode())
        stream.attach(fifo)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for stream in self.streams:
            with contextlib.suppress(Exception):
                stream.shell_gone()
        with contextlib.suppress(Exception):
            self._loop.remove_reader(self._req_fd)
        for fd in (self._req_fd, self._resp_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


class Shell:
    """Runs command lines in bash with :data:`ANDROID_COMMANDS` bridged to ``handler``.

    ``sandbox``: run each command line in a bubblewrap jail (the default unless
    ``XGIMI_SIM_UNSANDBOXED_SHELL=1``); :meth:`run` raises :class:`SandboxUnavailableError`
    when it cannot. ``False`` runs bash on the host, restricted by ``PATH`` only.
    """

    def __init__(
        self,
        handler: BridgeHandler,
        *,
        commands: Iterable[str] = ANDROID_COMMANDS,
        tools: Iterable[str] = HOST_TOOLS,
        timeout_s: float | None = 300.0,
        env: dict[str, str] | None = None,
        sandbox: bool | None = None,
    ) -> None:
        self._handler = handler
        self._commands = tuple(commands)
        self._tools = tuple(tools)
        self.timeout_s = timeout_s
        self._extra_env = dict(env or {})
        self.sandboxed = _sandbox.sandbox_required() if sandbox is None else sandbox
        """Whether command lines run in the sandbox (fixed at construction)."""
        self._jail: _sandbox.Jail | None = None
        self._base: Path | None = None
        self._bash = ""
        self._ids = itertools.count(1)
        self._procs: set[asyncio.subprocess.Process] = set()
        self._running: dict[asyncio.subprocess.Process, _Bridge] = {}
        self.current: _Bridge | None = None
        """The command line whose Android command is being answered (set during the call)."""
        self.commands_run = 0

    # -- set-up ---------------------------------------------------------------------------

    @property
    def private_dir(self) -> Path | None:
        """The host directory of this shell (bridge files; unsandboxed: tools and home)."""
        return self._base

    async def _setup(self) -> Path:
        if self.sandboxed and self._jail is None:
            self._jail = await _sandbox.prepare(self._tools)
        if self._base is not None:
            return self._base
        base = Path(tempfile.mkdtemp(prefix="xgimi-sim-sh-"))
        (base / "ipc").mkdir()
        if self.sandboxed:  # the jail's host user may differ: let it reach the bridge files
            base.chmod(0o711)
            (base / "ipc").chmod(0o711)
        else:
            try:
                self._setup_unsandboxed(base)
            except BaseException:
                shutil.rmtree(base, ignore_errors=True)
                raise
        self._base = base
        return base

    def _setup_unsandboxed(self, base: Path) -> None:
        bash = shutil.which("bash")
        if bash is None:
            raise RuntimeError("the simulated shell needs bash on the host")
        self._bash = bash
        (base / "bin").mkdir()
        (base / "root").mkdir()
        for tool in self._tools:
            found = shutil.which(tool)
            if found:
                os.symlink(found, base / "bin" / tool)
        _LOGGER.warning(
            "simulated shell is NOT sandboxed: client commands run on this host as uid %s",
            os.getuid(),
        )

    def _env(self, base: Path) -> dict[str, str]:
        env = {
            "PATH": str(base / "bin"),
            "HOME": str(base / "root"),
            "TMPDIR": str(base / "root"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "USER": "shell",
            "LOGNAME": "shell",
            "SHELL": "/system/bin/sh",
            "HOSTNAME": "localhost",
            "ANDROID_ROOT": "/system",
            "ANDROID_DATA": "/data",
            "EXTERNAL_STORAGE": "/sdcard",
        }
        if self.sandboxed:
            env.update(_sandbox.ENV)
        env.update(self._extra_env)
        return env

    def _argv(self, ipc_dir: Path, script: str) -> list[str]:
        if self._jail is not None:
            return self._jail.argv(ipc_dir, script)
        return [self._bash, "--noprofile", "--norc", "-c", script, "sh"]

    # -- running --------------------------------------------------------------------------

    async def run(self, command: str, *, on_output: OutputCallback | None = None) -> ShellResult:
        """Run one command line; returns its stdout, stderr and exit code.

        With ``on_output``, once a command of the line streams (a following ``logcat``) its
        stdout goes to ``on_output`` as it comes, the timeout no longer applies, and the result
        holds only what was not passed on.
        """
        base = await self._setup()
        ipc_dir = base / "ipc" / str(next(self._ids))
        ipc_dir.mkdir(mode=0o711)
        ipc_dir.chmod(0o711)
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        lock_r, lock_w = os.pipe()
        os.write(lock_w, b"x")
        child_fds: tuple[int, ...] = (req_w, resp_r, lock_r, lock_w)
        seen_dir = _sandbox.BRIDGE_DIR if self.sandboxed else ipc_dir
        script = _preamble(self._commands, child_fds, seen_dir) + command
        bridge: _Bridge | None = None
        proc: asyncio.subprocess.Process | None = None
        try:
            spawn = asyncio.ensure_future(
                asyncio.create_subprocess_exec(
                    *self._argv(ipc_dir, script),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    cwd=base if self.sandboxed else base / "root",
                    env=self._env(base),
                    pass_fds=child_fds,
                    process_group=0,
                )
            )
            try:
                proc = await asyncio.shield(spawn)
            except asyncio.CancelledError:
                # Cancelled while asyncio was still connecting the child's pipes: asyncio's own
                # clean-up of a cancelled spawn can wait forever for the child (seen when the
                # simulator stops as a command starts). Let the spawn finish, then kill it.
                spawn.add_done_callback(_kill_spawned)
                raise
            for fd in child_fds:
                os.close(fd)
            child_fds = ()
            bridge = _Bridge(
                req_r,
                resp_w,
                ipc_dir,
                self._handler,
                shared=self.sandboxed,
                command=command,
                on_call=self._set_current,
            )
            self._procs.add(proc)
            self._running[proc] = bridge
            self.commands_run += 1
            return await self._wait(proc, bridge, on_output)
        except BaseException:
            if proc is not None and proc.returncode is None:
                _kill(proc)
                await _reap(proc)
            raise
        finally:
            if proc is not None:
                self._procs.discard(proc)
                self._running.pop(proc, None)
            for fd in child_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            if bridge is not None:
                bridge.close()
            else:
                for fd in (req_r, resp_w):
                    with contextlib.suppress(OSError):
                        os.close(fd)
            shutil.rmtree(ipc_dir, ignore_errors=True)

    async def _wait(
        self,
        proc: asyncio.subprocess.Process,
        bridge: _Bridge,
        on_output: OutputCallback | None,
    ) -> ShellResult:
        timed_out = False

        def on_timeout() -> None:
            nonlocal timed_out
            if not bridge.streaming.is_set():
                timed_out = True
                _kill(proc)

        loop = asyncio.get_running_loop()
        timer = None if self.timeout_s is None else loop.call_later(self.timeout_s, on_timeout)
        try:
            out, err = await self._collect(proc, bridge, on_output)
            await proc.wait()
        finally:
            if timer is not None:
                timer.cancel()
        if timed_out:
            return ShellResult(b"", b"simulator: command timed out\n", 124)
        code = proc.returncode if proc.returncode is not None else 255
        if code < 0:  # killed by a signal: report it as sh does
            code = 128 - code
        return ShellResult(out, err, code)

    @staticmethod
    async def _collect(
        proc: asyncio.subprocess.Process, bridge: _Bridge, on_output: OutputCallback | None
    ) -> tuple[bytes, bytes]:
        assert proc.stdout is not None
        assert proc.stderr is not None
        stderr = asyncio.ensure_future(proc.stderr.read())
        kept = bytearray()
        try:
            while chunk := await proc.stdout.read(65536):
                if on_output is not None and bridge.streaming.is_set():
                    data = bytes(kept) + chunk
                    kept.clear()
                    await on_output(data)
                else:
                    kept += chunk
            return bytes(kept), await stderr
        finally:
            stderr.cancel()

    @property
    def running(self) -> int:
        """How many command lines run now."""
        return len(self._running)

    def _set_current(self, bridge: _Bridge | None) -> None:
        self.current = bridge

    def kill_matching(self, pattern: re.Pattern[str], sig: int = signal.SIGTERM) -> int:
        """Signal every running command line whose ``sh -c <line>`` matches ``pattern`` (as
        ``pkill -f`` sees the shell); one that ``exec``-ed a streaming command is that
        command now, not ``sh``. Returns how many were signalled; the caller may be one."""
        count = 0
        for proc, bridge in list(self._running.items()):
            if bridge.became_stream or proc.returncode is not None:
                continue
            if pattern.search(f"sh -c {bridge.command}"):
                count += 1
                bridge.killed = bridge.killed or bridge is self.current
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, sig)
        return count

    async def aclose(self) -> None:
        """Kill running commands and remove the private directory."""
        procs = list(self._procs)
        for proc in procs:
            _kill(proc)
        for proc in procs:
            with contextlib.suppress(Exception):
                await proc.wait()
        self.close()

    def close(self) -> None:
        """Kill running commands (without waiting) and remove the private directory."""
        for proc in list(self._procs):
            _kill(proc)
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)
            self._base = None


async def _reap(proc: asyncio.subprocess.Process) -> None:
    """Wait for a killed process even if cancelled again meanwhile (no task is left behind);
    a cancellation that arrived is raised once it is reaped."""
    waiter = asyncio.ensure_future(proc.wait())
    cancelled = False
    while not waiter.done():
        try:
            await asyncio.shield(waiter)
        except asyncio.CancelledError:
            cancelled = True
        except Exception:
            break
    if cancelled:
        raise asyncio.CancelledError


def _kill_spawned(spawn: asyncio.Future[asyncio.subprocess.Process]) -> None:
    """Kill the child of a spawn its caller gave up on (its pipes close as it exits)."""
    if not spawn.cancelled() and spawn.exception() is None:
        _kill(spawn.result())


def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
