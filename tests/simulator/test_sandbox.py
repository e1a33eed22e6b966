"""The shell's sandbox: a client's command line can neither read nor change the host, nor reach it.

Each test runs the hostile command through the real :class:`Shell` (and, at the end, through a
whole simulated projector) and then checks the host from outside.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
import os
from pathlib import Path
import time
import uuid

import pytest

from simulator import ShellResult, sandbox
from simulator.__main__ import main
from simulator.sandbox import UNSANDBOXED_ENV, SandboxUnavailableError
from simulator.shell import Shell

from .conftest import Make

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_TOP = {
    "bin",
    "dev",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "sbin",
    "sim",
    "system",
    "tmp",
    "usr",
}


def _getprop(argv: Sequence[str]) -> ShellResult:
    return ShellResult(f"{argv[0]}:{','.join(argv[1:])}\n".encode())


@pytest.fixture
async def sh() -> AsyncIterator[Shell]:
    shell = Shell(_getprop, sandbox=True)
    yield shell
    await shell.aclose()


async def _err(shell: Shell, command: str) -> str:
    result = await shell.run(command)
    assert result.exit_code != 0, (command, result)
    return result.stderr.decode()


async def test_cannot_read_the_host(sh: Shell) -> None:
    assert Path("/etc/passwd").exists()
    assert "No such file" in await _err(sh, "cat /etc/passwd")
    assert "not found" in await _err(sh, "ls /work")  # not on PATH …
    assert "No such file" in await _err(sh, "/usr/bin/ls /work /root /home")  # … nor there
    readme = ROOT / "README.md"
    assert readme.is_file()
    assert "No such file" in await _err(sh, f"cat '{readme}'")
    assert "No such file" in await _err(sh, "cat /proc/1/environ")
    assert "No such file" in await _err(sh, f"cat '{Path(__file__)}'")
    top = (await sh.run("echo /*")).stdout.decode().split()
    assert {p.lstrip("/") for p in top} <= ALLOWED_TOP
    assert "etc" not in {p.lstrip("/") for p in top}
    assert (await sh.run("/usr/bin/id -u; /usr/bin/id -g")).stdout == b"2000\n2000\n"


async def test_cannot_change_the_host(sh: Shell, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (ROOT / "sandbox-was-here").unlink(missing_ok=True)
    for command in (
        f"/usr/bin/rm '{victim}'",
        f"echo pwned > '{victim}'",
        f"/usr/bin/touch '{ROOT}/sandbox-was-here' /work/x",
        "rm -rf /usr/share/doc",  # rm is not on PATH
        "/usr/bin/rm -rf /usr/share/doc/bash",
        "echo x > /usr/x",
        "echo x > /x",
        "echo x > /system/bin/ls",
        "echo x > /dev/shm/x",
        "echo x > /sim/x",
    ):
        await _err(sh, command)
    assert victim.read_text() == "keep me"
    assert not (ROOT / "sandbox-was-here").exists()
    assert not Path("/work/x").exists()
    assert Path("/usr/share/doc/bash").is_dir()


async def test_private_tmp(sh: Shell) -> None:
    name = f"sandbox-{uuid.uuid4().hex}"
    result = await sh.run(f"echo secret > /tmp/{name} && cat /tmp/{name}; echo $PWD $HOME")
    assert result.stdout == b"secret\n/tmp /tmp\n"
    assert not Path("/tmp", name).exists()  # not the host's /tmp
    assert "No such file" in await _err(sh, f"cat /tmp/{name}")  # each command line gets its own
    assert "No space left" in await _err(sh, "/usr/bin/head -c 20000000 /dev/zero > /tmp/big")


async def test_cannot_reach_the_network(sh: Shell) -> None:
    connected = asyncio.Event()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        # The host's side is reachable from the host …
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await asyncio.wait_for(connected.wait(), 5)
        connected.clear()
        # … but not from a client's command line.
        err = await _err(sh, f"echo hi > /dev/tcp/127.0.0.1/{port}")
        assert "Connection refused" in err
        err = await _err(sh, "echo hi > /dev/tcp/1.1.1.1/53")
        assert "unreachable" in err
        if Path("/usr/bin/curl").exists():
            await _err(sh, f"/usr/bin/curl -sS -m 2 http://127.0.0.1:{port}/")
        await asyncio.sleep(0.1)
        assert not connected.is_set()
    finally:
        server.close()
        await server.wait_closed()


async def test_no_privileges_and_nothing_outlives_the_command(sh: Shell) -> None:
    assert (await sh.run("echo $(getprop a b) | tr a-z A-Z")).stdout == b"GETPROP:A,B\n"
    if Path("/usr/bin/unshare").exists():
        await _err(sh, "/usr/bin/unshare -r /usr/bin/true")  # no nested namespaces
    start = time.monotonic()
    result = await sh.run("(/usr/bin/sleep 30 &); echo left a sleeper")
    assert result.stdout == b"left a sleeper\n"
    assert time.monotonic() - start < 10  # the sleeper died with the command line


async def test_refuses_without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", "no-such-bwrap-program")
    shell = Shell(_getprop)
    assert shell.sandboxed
    with pytest.raises(SandboxUnavailableError, match="apt-get install bubblewrap"):
        await shell.run("getprop x")
    assert shell.commands_run == 0
    await shell.aclose()
    with pytest.raises(SandboxUnavailableError, match=UNSANDBOXED_ENV):
        await sandbox.ensure_available()


async def test_refuses_when_bubblewrap_cannot_build_the_jail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "BWRAP", str(fake))
    for _ in range(2):  # the second attempt answers from the probe's cache
        with pytest.raises(SandboxUnavailableError, match="No permissions to create"):
            await sandbox.ensure_available()


async def test_refuses_without_bash_under_usr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "_resolve", lambda program: None)
    with pytest.raises(SandboxUnavailableError, match="needs bash"):
        await sandbox.ensure_available()


def test_unsandboxed_only_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UNSANDBOXED_ENV, "0")
    assert Shell(_getprop).sandboxed
    monkeypatch.setenv(UNSANDBOXED_ENV, "0")
    assert Shell(_getprop).sandboxed
    monkeypatch.setenv(UNSANDBOXED_ENV, "1")
    assert not Shell(_getprop).sandboxed
    assert Shell(_getprop, sandbox=True).sandboxed


def test_cli_refuses_without_bubblewrap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(UNSANDBOXED_ENV, "0")
    monkeypatch.setattr(sandbox, "BWRAP", "no-such-bwrap-program")
    assert main(["--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "apt-get install bubblewrap" in err
    assert UNSANDBOXED_ENV in err


def test_cli_flag_selects_the_unsandboxed_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UNSANDBOXED_ENV, "0")
    monkeypatch.setattr(sandbox, "BWRAP", "no-such-bwrap-program")
    monkeypatch.setattr("simulator.__main__.Simulator", _NoSim)
    with pytest.raises(_Started):
        main(["--port", "0", "--unsandboxed-shell"])
    assert os.environ[UNSANDBOXED_ENV] == "1"


class _Started(Exception):
    pass


class _NoSim:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise _Started


async def test_a_whole_device_is_sandboxed(make: Make) -> None:
    device = make("gmui_android12")
    result = await device.run_shell("cat /etc/passwd; getprop ro.product.model | sed 's/^/m=/'")
    assert b"No such file" in result.stderr
    assert result.stdout.startswith(b"m=")
    power = await device.run_shell("dumpsys power | grep -q mWakefulness= && echo awake-known")
    assert power.stdout == b"awake-known\n"


@pytest.mark.parametrize("sandbox_on", [True, False])
async def test_missing_tools_are_left_out(sandbox_on: bool) -> None:
    shell = Shell(_getprop, tools=("grep", "no-such-tool-here"), sandbox=sandbox_on)
    try:
        result = await shell.run("echo a | grep a; no-such-tool-here")
        assert result.stdout == b"a\n"
        assert result.stderr == b"/system/bin/sh: no-such-tool-here: not found\n"
    finally:
        await shell.aclose()


async def test_unsandboxed_shell_needs_bash(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = Shell(_getprop, sandbox=False)
    monkeypatch.setattr("simulator.shell.shutil.which", lambda name: None)
    with pytest.raises(RuntimeError, match="needs bash"):
        await shell.run("true")
    assert shell.private_dir is None


async def test_probe_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "BWRAP", str(fake))
    monkeypatch.setattr(sandbox, "_PROBE_TIMEOUT_S", 0.2)
    with pytest.raises(SandboxUnavailableError, match="timed out"):
        await sandbox.ensure_available()


@pytest.mark.skipif(os.geteuid() != 0, reason="a non-root simulator's jail is its own user")
async def test_a_root_simulator_jails_as_nobody(sh: Shell) -> None:
    task = asyncio.create_task(sh.run("/usr/bin/sleep 3.0731; echo done"))
    uids: set[str] = set()
    for _ in range(100):
        await asyncio.sleep(0.05)
        for proc in Path("/proc").iterdir():
            try:
                if b"3.0731" in (proc / "cmdline").read_bytes():
                    status = (proc / "status").read_text()
                    uids.add(next(ln for ln in status.splitlines() if ln.startswith("Uid:")))
            except OSError:
                continue
        if uids:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert uids == {f"Uid:\t{sandbox.NOBODY}\t{sandbox.NOBODY}\t{sandbox.NOBODY}\t{sandbox.NOBODY}"}


async def test_refuses_when_bubblewrap_cannot_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/no/such/interpreter\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "BWRAP", str(fake))
    with pytest.raises(SandboxUnavailableError, match="cannot build"):
        await sandbox.ensure_available()
