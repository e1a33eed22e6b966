"""The simulated shell's sandbox: each client command line runs in its own bubblewrap jail.

`bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``) builds, for every command
line, a throw-away container out of Linux namespaces. What a client's command sees:

* **who**: uid/gid 2000 (Android's ``shell`` user) in a new user namespace, no capabilities, no
  further user namespaces (``--disable-userns``), its own session (no ``TIOCSTI`` into the
  simulator's terminal). ``bwrap`` maps that user to the host user that starts it: a simulator
  running as root starts it as ``nobody`` (65534, through util-linux's ``setpriv``), so the jail's
  processes are nobody on the host too (as root where the kernel refuses that);
* **network**: a new network namespace with only a loopback where nothing listens, so
  ``bash``'s ``/dev/tcp/127.0.0.1/…`` (or any program) reaches nothing of the host;
* **files**: a read-only root holding only ``/usr`` (and ``/bin``, ``/lib`` … as the host has
  them: symlinks into ``/usr`` or read-only binds), ``/system/bin`` (symlinks to the text tools),
  a minimal ``/dev``, the bridge's directory ``/sim`` (read-only) and a private ``/tmp``
  (a 16 MiB tmpfs: the working directory and ``$HOME``, gone when the command line ends).
  No ``/etc``, ``/proc``, ``/root``, ``/home``, ``/var``, ``/run`` or project checkout;
* **processes**: a new PID, IPC, UTS (hostname ``localhost``) and cgroup namespace; when the
  command line ends, or the simulator kills it, everything it started dies with it.

``bwrap`` needs user namespaces: it works as root, and for other users where the kernel allows
unprivileged ones (Debian/Ubuntu's default). When it is missing or cannot build the jail the shell
refuses to run (:class:`SandboxUnavailableError`, naming the package to install) instead of
silently running client commands on the host. The old unsandboxed mode stays available on purpose
only: ``python -m simulator --unsandboxed-shell`` or ``XGIMI_SIM_UNSANDBOXED_SHELL=1``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
import functools
import os
from pathlib import Path
import shutil

__all__ = [
    "BRIDGE_DIR",
    "BWRAP",
    "ENV",
    "UNSANDBOXED_ENV",
    "Jail",
    "SandboxUnavailableError",
    "ensure_available",
    "prepare",
    "sandbox_required",
]

BWRAP = "bwrap"
"""The bubblewrap program, looked up on ``PATH``."""

UNSANDBOXED_ENV = "XGIMI_SIM_UNSANDBOXED_SHELL"
"""Set to ``1`` to run client command lines on the host, restricted by ``PATH`` only (unsafe)."""

INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)"

BRIDGE_DIR = "/sim"
"""Where a command line sees its bridge directory (the model's output files)."""

SHELL_UID = 2000
"""Android's ``shell`` user, which ``adb shell`` runs as."""

NOBODY = 65534
"""The host uid/gid a root simulator starts ``bwrap`` as."""

TMP_SIZE = 16 * 1024 * 1024
"""Size of the private ``/tmp`` (memory-backed)."""

BIN_DIR = "/system/bin"
TMP_DIR = "/tmp"  # noqa: S108 -- the jail's own tmpfs, not the host's /tmp

ENV: Mapping[str, str] = {
    "PATH": BIN_DIR,
    "HOME": TMP_DIR,
    "TMPDIR": TMP_DIR,
}
"""The environment inside the jail that differs from the unsandboxed shell's."""

_HOST_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
_OPTIONAL_FLAGS = ("--disable-userns", "--size")
_PROBE_TIMEOUT_S = 15.0


class SandboxUnavailableError(RuntimeError):
    """The shell cannot sandbox client command lines on this host."""


def sandbox_required() -> bool:
    """False only when :data:`UNSANDBOXED_ENV` asks for the unsandboxed shell."""
    value = os.environ.get(UNSANDBOXED_ENV, "").strip().lower()
    return value not in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Jail:
    """The ``bwrap`` command line for one shell (its tools linked in ``/system/bin``)."""

    prefix: tuple[str, ...]
    bash: str
    user: int | None = None
    """Host uid and gid ``bwrap`` runs as (``None``: the simulator's own)."""

    def argv(self, bridge_dir: Path | None, script: str) -> list[str]:
        """``bwrap …`` running ``bash -c script`` with ``bridge_dir`` mounted at ``/sim``."""
        bridge = ("--ro-bind", str(bridge_dir), BRIDGE_DIR) if bridge_dir is not None else ()
        return [
            *self.prefix,
            *bridge,
            "--remount-ro",
            "/",
            "--chdir",
            TMP_DIR,
            "--",
            self.bash,
            "--noprofile",
            "--norc",
            "-c",
            script,
            "sh",
        ]


@functools.cache
def _host_layout() -> tuple[tuple[str, ...], frozenset[str]]:
    """bwrap options recreating the host's program directories, and their top-level names."""
    args: list[str] = []
    mounted: set[str] = set()
    for name in _HOST_DIRS:
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", str(path.readlink()), f"/{name}"]
        elif path.is_dir():
            args += ["--ro-bind", str(path), f"/{name}"]
            mounted.add(name)
    return tuple(args), frozenset(mounted)


def _reachable(path: str) -> bool:
    parts = Path(path).parts
    return len(parts) > 1 and parts[1] in _host_layout()[1]


def _resolve(program: str) -> str | None:
    """The real path of a host program if the jail can run it (``/etc/alternatives`` is gone)."""
    found = shutil.which(program)
    if found is None:
        return None
    real = os.path.realpath(found)
    return real if _reachable(real) else None


def _prefix(bwrap: str, flags: frozenset[str], tools: Mapping[str, str]) -> tuple[str, ...]:
    args = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        *(["--disable-userns"] if "--disable-userns" in flags else []),
        "--uid",
        str(SHELL_UID),
        "--gid",
        str(SHELL_UID),
        "--hostname",
        "localhost",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        *_host_layout()[0],
        "--dev",
        "/dev",
        "--remount-ro",
        "/dev",
        *(["--size", str(TMP_SIZE)] if "--size" in flags else []),
        "--tmpfs",
        TMP_DIR,
        "--dir",
        BIN_DIR,
    ]
    for name, target in sorted(tools.items()):
        args += ["--symlink", target, f"{BIN_DIR}/{name}"]
    return tuple(args)


async def _output(argv: Sequence[str]) -> tuple[int, str]:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError as err:  # e.g. nobody may not run it
        return 126, str(err)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), _PROBE_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return 124, "timed out"
    return proc.returncode or 0, out.decode(errors="replace").strip()


def _launcher(user: int | None) -> tuple[str, ...]:
    """Starts bwrap as ``user`` (``setpriv`` keeps Python's fast ``vfork`` spawn, ``user=`` not)."""
    setpriv = shutil.which("setpriv")
    if user is None or setpriv is None:
        return ()
    return (setpriv, f"--reuid={user}", f"--regid={user}", "--clear-groups")


_Probed = tuple[frozenset[str], int | None] | str
_probed: dict[tuple[str, str], _Probed] = {}
"""(bwrap, bash) → the optional flags this bwrap knows and the user to start it as, or why it
cannot build the jail."""


async def _probe(bwrap: str, bash: str) -> _Probed:
    _, text = await _output([bwrap, "--help"])
    flags = frozenset(f for f in _OPTIONAL_FLAGS if f in text)
    users = [NOBODY, None] if os.geteuid() == 0 and _launcher(NOBODY) else [None]
    for user in users:
        jail = Jail((*_launcher(user), *_prefix(bwrap, flags, {})), bash, user)
        code, text = await _output(jail.argv(None, "exit 0"))
        if code == 0:
            return flags, user
    return (
        f"bubblewrap ({bwrap}) cannot build the simulated shell's sandbox on this host "
        f"(exit {code}: {text or 'no message'}); it needs user namespaces (run as root, or allow "
        f"unprivileged ones: sysctl kernel.unprivileged_userns_clone=1)"
    )


async def prepare(tools: Iterable[str]) -> Jail:
    """The jail for a shell with ``tools``; probes ``bwrap`` once per process.

    Raises :class:`SandboxUnavailableError` (naming what to install) when it cannot sandbox.
    """
    escape = f"or set {UNSANDBOXED_ENV}=1 to run client commands unsandboxed on this host (unsafe)"
    bwrap = shutil.which(BWRAP)
    if bwrap is None:
        raise SandboxUnavailableError(
            f"the simulated shell runs client commands in a sandbox, but bubblewrap ('{BWRAP}') "
            f"is not installed: {INSTALL_HINT}, {escape}"
        )
    bash = _resolve("bash")
    if bash is None:
        raise SandboxUnavailableError(f"the simulated shell needs bash under /usr; {escape}")
    key = (bwrap, bash)
    probed = _probed.get(key)
    if probed is None:
        probed = _probed[key] = await _probe(bwrap, bash)
    if isinstance(probed, str):
        raise SandboxUnavailableError(f"{probed}; {escape}")
    flags, user = probed
    links = {tool: real for tool in tools if (real := _resolve(tool)) is not None}
    return Jail((*_launcher(user), *_prefix(bwrap, flags, links)), bash, user)


async def ensure_available() -> None:
    """Raise :class:`SandboxUnavailableError` now rather than at the first client command."""
    await prepare(())
