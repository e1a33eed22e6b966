"""Library paths that need no device: input validation, malformed output, the transport's guards."""

from __future__ import annotations

from pathlib import Path

from adb_shell.exceptions import TcpTimeoutException
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
import pytest

from custom_components.xgimi_projector.projector import (
    CommandFailedError,
    InvalidCommandError,
    Projector,
    UnknownSourceError,
    app_name,
)
from custom_components.xgimi_projector.projector.adbkey import KeySigner
from custom_components.xgimi_projector.projector.connection import AdbConnection
from custom_components.xgimi_projector.projector.errors import ConnectTimeoutError
from custom_components.xgimi_projector.projector.transport import (
    ConnectionClosedError,
    EofAwareTcpTransport,
)

PROBE = (
    "@@xg:7 getprop\n[ro.build.version.sdk]: [26]\n[ro.serialno]: [S1]\n"
    "@@xg:7 pm list packages\npackage:com.xgimi.home\npackage:com.xgimi.xhplayer\n@@xg:7 end\n"
)


class ScriptedConnection(AdbConnection):
    """Answers shell commands from a script, so output handling can be tested without a device."""

    def __init__(self, answers: dict[str, str]) -> None:
        super().__init__("127.0.0.1", 1, key_path=Path("unused"))
        self.answers = answers
        self.sent: list[str] = []

    async def shell(
        self, command: str, *, timeout_s: float | None = None, **_bounds: object
    ) -> str:
        self.sent.append(command)
        for prefix, answer in self.answers.items():
            if command.startswith(prefix):
                return answer
        return ""


def _projector(answers: dict[str, str]) -> tuple[Projector, ScriptedConnection]:
    projector = Projector("127.0.0.1", 1, key_path=Path("unused"))
    connection = ScriptedConnection(answers)
    projector.connection = connection
    return projector, connection


async def test_commands_probe_on_demand() -> None:
    projector, connection = _projector({'echo "@@xg:$$ getprop"': PROBE})
    await projector.turn_off()
    assert connection.sent[0].startswith('echo "@@xg:$$ getprop"')
    assert "input keyevent 26" in connection.sent[1]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda p: p.send_keys(["home"], repeats=0), InvalidCommandError),
        (lambda p: p.send_keys(["up"], repeats=501), InvalidCommandError),
        (lambda p: p.send_keys([]), InvalidCommandError),
        (lambda p: p.set_volume_level(1.5), InvalidCommandError),
        (lambda p: p.launch_app("not a package"), UnknownSourceError),
    ],
)
async def test_bad_input_sends_nothing(call, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    projector, connection = _projector({'echo "@@xg:$$ getprop"': PROBE})
    with pytest.raises(error):
        await call(projector)
    assert all(c.startswith('echo "@@xg:$$ getprop"') for c in connection.sent)


async def test_error_output_is_a_command_failure() -> None:
    projector, _ = _projector(
        {
            'echo "@@xg:$$ getprop"': PROBE,
            "am start": "Error: Activity not started, unable to resolve Intent\n",
        }
    )
    with pytest.raises(CommandFailedError, match="unable to resolve"):
        await projector.select_source("HDMI1")


@pytest.mark.parametrize("method", ["probe", "capture", "poll"])
async def test_malformed_output_is_a_command_failure(method: str) -> None:
    answers = {'echo "@@xg:$$ getprop"': "truncated", 'echo "@@xg:$$ power"': "truncated"}
    if method == "poll":
        answers['echo "@@xg:$$ getprop"'] = PROBE
    projector, _ = _projector(answers)
    with pytest.raises(CommandFailedError, match="malformed"):
        await getattr(projector, method)()


async def test_transport_guards() -> None:
    transport = EofAwareTcpTransport("127.0.0.1", 1)
    with pytest.raises(ConnectionClosedError):
        await transport.bulk_read(24, 1.0)
    with pytest.raises(ConnectionClosedError):
        await transport.bulk_write(b"x", 1.0)
    await transport.close()  # closing an unopened transport is harmless


async def test_transport_read_timeout(start_sim) -> None:  # type: ignore[no-untyped-def]
    from simulator import Fault

    sim = await start_sim(faults=[Fault.SILENT])
    transport = EofAwareTcpTransport("127.0.0.1", sim.port)
    await transport.connect(1.0)
    try:
        with pytest.raises(TcpTimeoutException):
            await transport.bulk_read(24, 0.05)
    finally:
        await transport.close()


def test_signer_rejects_a_non_rsa_key() -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(TypeError, match="RSA"):
        KeySigner(pem, b"pub")


@pytest.mark.parametrize(
    ("package", "overrides", "expected"),
    [
        (None, None, None),
        ("tv.danmaku.bili", None, "哔哩哔哩"),
        ("tv.danmaku.bili", {"tv.danmaku.bili": "B站"}, "B站"),
        ("org.example", None, "org.example"),
    ],
)
def test_app_name(
    package: str | None, overrides: dict[str, str] | None, expected: str | None
) -> None:
    assert app_name(package, overrides) == expected


async def test_a_huge_repeat_count_is_refused_before_anything_is_built() -> None:
    """Issue #12 (1): 1e8 repeats built a 763 MB list before the 500-press check."""
    import tracemalloc

    from custom_components.xgimi_projector.projector import InvalidCommandError

    projector, connection = _projector({})
    tracemalloc.start()
    try:
        with pytest.raises(InvalidCommandError):
            await projector.send_keys(["up", "down"], repeats=100_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert connection.sent == []


class CutOffConnection(ScriptedConnection):
    """The projector goes to standby during a poll: the output stops short, then nothing
    answers any more."""

    async def shell(
        self, command: str, *, timeout_s: float | None = None, **_bounds: object
    ) -> str:
        if command.startswith('echo "@@xg:$$ power"') and any(
            sent.startswith('echo "@@xg:$$ power"') for sent in self.sent
        ):
            self.sent.append(command)
            raise ConnectTimeoutError("nothing answers at 127.0.0.1:1")
        return await super().shell(command, timeout_s=timeout_s)


async def test_a_poll_cut_off_by_standby_reads_as_unreachable_not_malformed() -> None:
    projector = Projector("127.0.0.1", 1, key_path=Path("unused"))
    connection = CutOffConnection(
        {'echo "@@xg:$$ getprop"': PROBE, 'echo "@@xg:$$ power"': "@@xg:9 power\nmWakef"}
    )
    projector.connection = connection
    state = await projector.poll()
    assert not state.reachable
    polls = [c for c in connection.sent if c.startswith('echo "@@xg:$$ power"')]
    assert len(polls) == 2, "the cut-off poll is asked once more"
