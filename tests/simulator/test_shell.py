"""The simulated shell: a real, restricted bash with Android's commands bridged to Python.

Every test runs twice: in the bubblewrap sandbox (the default) and in the unsandboxed reduced mode;
the sandbox's own guarantees are in ``test_sandbox.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
import time

import pytest

from simulator import ShellResult
from simulator.shell import ANDROID_COMMANDS, Shell


class Recorder:
    """A fake device: records argv, answers from a table."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> ShellResult:
        self.calls.append(list(argv))
        name, args = argv[0], list(argv[1:])
        if name == "getprop":
            return ShellResult(f"value-of-{args[0] if args else 'all'}\n".encode())
        if name == "dumpsys":
            return ShellResult(b"line one\nWake Locks: size=2\nlast line, no newline")
        if name == "screencap":
            return ShellResult(bytes(range(256)) * 4)
        if name == "am":
            return ShellResult(b"Starting: Intent { }\n", b"Error: boom\n", 1)
        if name == "id":
            return ShellResult(("x" * 100 + "\n").encode() * 5000)  # 500 kB
        if name == "log":
            return ShellResult(("|".join(args) + "\n").encode())
        raise RuntimeError("the model failed")


@pytest.fixture(params=[True, False], ids=["sandboxed", "unsandboxed"])
async def shell(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Shell, Recorder]]:
    recorder = Recorder()
    sh = Shell(recorder, sandbox=request.param)
    yield sh, recorder
    await sh.aclose()


@pytest.mark.parametrize(
    ("command", "stdout", "code"),
    [
        (r"echo -e '1\c'; echo -e '0\c'", "10", 0),
        (r"echo '2\c'", "2", 0),  # mksh's echo interprets escapes without -e
        ("X=abc/def && echo ${X%%/*} ${X#*/} ${#X}", "abc def 7\n", 0),
        ("V='hdmi_port=2' && echo ${V/hdmi_port=/HW}", "HW2\n", 0),
        ("A=$(echo hi) && [ $A = hi ] && echo yes || echo no", "yes\n", 0),
        ("if [ 1 -lt 2 ]; then echo a; else echo b; fi", "a\n", 0),
        ("false || echo recovered", "recovered\n", 0),
        ("echo a b | tr ' ' '\\n' | sort -r | head -1", "b\n", 0),
        ("printf '%s-%s\\n' x y | sed -r 's/(x)-/\\1+/' | awk '{print $1}'", "x+y\n", 0),
        ("exit 3", "", 3),
        ("echo 中文 | wc -c", "7\n", 0),
    ],
)
async def test_bash_builtins_and_tools(
    shell: tuple[Shell, Recorder], command: str, stdout: str, code: int
) -> None:
    sh, _ = shell
    result = await sh.run(command)
    assert result.stdout.decode() == stdout
    assert result.exit_code == code


async def test_path_is_restricted(shell: tuple[Shell, Recorder]) -> None:
    sh, _ = shell
    result = await sh.run("ls /; curl x")
    assert result.exit_code == 127
    assert result.stderr == b"/system/bin/sh: ls: not found\n/system/bin/sh: curl: not found\n"
    path = (await sh.run("echo $PATH")).stdout.decode().strip()
    listed = (await sh.run('for f in "$PATH"/*; do echo "${f##*/}"; done')).stdout.decode()
    assert set(listed.split()) <= {
        "awk",
        "cat",
        "cut",
        "echo",
        "expr",
        "false",
        "grep",
        "head",
        "printf",
        "sed",
        "sleep",
        "sort",
        "tail",
        "tee",
        "tr",
        "true",
        "uniq",
        "wc",
        "xargs",
    }
    assert {"grep", "sed", "awk", "cat"} <= set(listed.split())
    cwd = (await sh.run("pwd")).stdout.decode().strip()
    assert cwd == (await sh.run("echo $HOME")).stdout.decode().strip()
    if sh.sandboxed:
        assert (path, cwd) == ("/system/bin", "/tmp")
    else:
        assert Path(path).is_dir()
        assert cwd.startswith(str(Path(path).parent))


async def test_android_commands_are_functions(shell: tuple[Shell, Recorder]) -> None:
    sh, recorder = shell
    listed = (await sh.run("declare -F | cut -d' ' -f3")).stdout.decode().split()
    assert set(ANDROID_COMMANDS) <= set(listed)
    result = await sh.run("getprop ro.product.model && getprop 'two words' \"$(getprop x)\"")
    assert result.stdout == b"value-of-ro.product.model\nvalue-of-two words\n"
    assert recorder.calls == [
        ["getprop", "ro.product.model"],
        ["getprop", "x"],
        ["getprop", "two words", "value-of-x"],
    ]


async def test_arguments_pass_through_unchanged(shell: tuple[Shell, Recorder]) -> None:
    sh, recorder = shell
    result = await sh.run("log -t 'a b' $'tab\\there' \"new\nline\" '' 'x;y' 小爱 '$(no)'")
    assert recorder.calls[-1] == [
        "log",
        "-t",
        "a b",
        "tab\there",
        "new\nline",
        "",
        "x;y",
        "小爱",
        "$(no)",
    ]
    assert result.stdout.decode() == "-t|a b|tab\there|new\nline||x;y|小爱|$(no)\n"


async def test_output_is_exact(shell: tuple[Shell, Recorder]) -> None:
    sh, _ = shell
    result = await sh.run("dumpsys power")
    assert result.stdout == b"line one\nWake Locks: size=2\nlast line, no newline"
    piped = await sh.run("dumpsys power | grep Locks | grep 'size='")
    assert piped.stdout == b"Wake Locks: size=2\n"
    binary = await sh.run("screencap -p")
    assert binary.stdout == bytes(range(256)) * 4
    big = await sh.run("id | wc -c; id | tail -1")
    assert big.stdout == b"505000\n" + b"x" * 100 + b"\n"


async def test_stderr_and_exit_codes(shell: tuple[Shell, Recorder]) -> None:
    sh, _ = shell
    result = await sh.run("am start -n x/.Y")
    assert result == ShellResult(b"Starting: Intent { }\n", b"Error: boom\n", 1)
    assert (
        await sh.run("am start 2>/dev/null; echo rc=$?")
    ).stdout == b"Starting: Intent { }\nrc=1\n"
    assert (
        await sh.run("am start >/dev/null 2>&1 && echo ok || echo failed")
    ).stdout == b"failed\n"
    crashed = await sh.run("settings get x y; echo rc=$?")
    assert crashed.stdout == b"rc=1\n"
    assert b"internal simulator error" in crashed.stderr
    assert (await sh.run("set -e; getprop a; echo after")).stdout == b"value-of-a\nafter\n"


async def test_calls_apply_in_order(shell: tuple[Shell, Recorder]) -> None:
    sh, recorder = shell
    await sh.run("getprop 1; getprop 2 && getprop 3 | cat; for i in 4 5; do getprop $i; done")
    assert [c[1] for c in recorder.calls] == ["1", "2", "3", "4", "5"]


async def test_concurrent_bridged_calls_in_one_line(shell: tuple[Shell, Recorder]) -> None:
    sh, recorder = shell
    result = await sh.run("getprop a | getprop b & getprop c & wait; (getprop d) | cat")
    assert sorted(c[1] for c in recorder.calls) == ["a", "b", "c", "d"]
    assert sorted(result.stdout.decode().split()) == ["value-of-b", "value-of-c", "value-of-d"]


async def test_many_shells_in_parallel(shell: tuple[Shell, Recorder]) -> None:
    sh, _ = shell
    results = await asyncio.gather(*(sh.run(f"getprop p{i}; echo {i}") for i in range(16)))
    for i, result in enumerate(results):
        assert result.stdout == f"value-of-p{i}\n{i}\n".encode()


async def test_cancel_kills_the_command(shell: tuple[Shell, Recorder]) -> None:
    sh, _ = shell
    task = asyncio.create_task(sh.run("sleep 30"))
    await asyncio.sleep(0.2)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("sandbox", [True, False])
async def test_timeout(sandbox: bool) -> None:
    sh = Shell(Recorder(), timeout_s=0.2, sandbox=sandbox)
    try:
        result = await sh.run("sleep 5")
        assert result.exit_code == 124
    finally:
        await sh.aclose()


@pytest.mark.parametrize("sandbox", [True, False])
async def test_close_removes_the_private_directory(sandbox: bool) -> None:
    sh = Shell(Recorder(), sandbox=sandbox)
    assert sh.private_dir is None
    await sh.run("true")
    private = sh.private_dir
    assert private is not None
    assert private.is_dir()
    if not sandbox:
        assert Path((await sh.run("echo $HOME")).stdout.decode().strip()).parent == private
    await sh.aclose()
    assert not private.exists()
    assert sh.private_dir is None


async def test_per_command_overhead(shell: tuple[Shell, Recorder]) -> None:
    """Reported in the module docstring: a few ms per command line, well under 1 ms per call."""
    sh, _ = shell
    await sh.run("true")
    n = 20
    start = time.perf_counter()
    for _ in range(n):
        await sh.run("true")
    bare_ms = (time.perf_counter() - start) / n * 1000
    start = time.perf_counter()
    await sh.run("i=0; while [ $i -lt 100 ]; do getprop x >/dev/null; i=$((i+1)); done")
    per_call_ms = (time.perf_counter() - start) * 1000 / 100
    mode = "sandboxed" if sh.sandboxed else "unsandboxed"
    print(
        f"shell overhead ({mode}): {bare_ms:.1f} ms per command line, "
        f"{per_call_ms:.2f} ms per bridged call"
    )
    # Each sandboxed command line also starts bwrap and builds namespaces (about 5 ms when the
    # machine is idle, far more on a loaded 2-core CI machine).
    assert bare_ms < (150 if sh.sandboxed else 50)
    assert per_call_ms < 5
