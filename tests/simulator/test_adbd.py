"""The simulated adbd, driven by real ADB hosts: adb-shell and a raw socket client."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
import time
from typing import Any

from adb_shell.auth.sign_cryptography import CryptographySigner
from adb_shell.exceptions import DeviceAuthError, InvalidCommandError, TcpTimeoutException
import pytest

from simulator.adb.auth import fingerprint, parse_public_key
from simulator.adb.protocol import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_STLS,
    A_WRTE,
    pack,
)
from simulator.backend import ShellResult
from simulator.faults import Fault, FaultState, PromptMode
from tests.simulator.fake_backend import (
    MAX_PAYLOAD_V1,
    MAX_PAYLOAD_V2,
    PROTOCOL_V1,
    PROTOCOL_V2,
    FakeBackend,
)

from .adbd_helpers import (
    FAST,
    HOST,
    RawClient,
    StartDaemon,
    eof_aware_device,
    raw_client,
    read_stream,
    tcp_device,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


# ------------------------------------------------------------------------------------ adb-shell


async def test_no_auth_connect_and_shell(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    daemon = await start_daemon()
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    assert await device.shell("echo hi", **FAST) == "hi\n"
    # v1 shell: stdout then stderr, no exit code.
    assert await device.shell("exit3", **FAST) == "out\nerr\n"
    assert await device.shell("nope", **FAST) == "/system/bin/sh: nope: not found\n"
    # exec: stdout only.
    assert await device.exec_out("exit3", **FAST) == "out\n"
    assert await device.shell("", **FAST) == "simulator: interactive shell is not supported\n"
    assert backend.commands == ["echo hi", "exit3", "nope", "exit3"]
    assert daemon.connection_count == 1
    assert backend.prompts == []


async def test_auth_prompt_accept_then_signature(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    signer: CryptographySigner,
    session_key: Path,
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon(prompt_mode=PromptMode.ACCEPT, prompt_delay_s=0.2)

    first = tcp_device(daemon.port, devices)
    connecting = asyncio.create_task(first.connect(rsa_keys=[signer], auth_timeout_s=2.0, **FAST))
    await wait_until(lambda: daemon.prompt_pending)
    pub = Path(f"{session_key}.pub").read_bytes()
    assert backend.prompts == [fingerprint(parse_public_key(pub).blob)]
    assert backend.prompts[0].count(":") == 15
    assert not connecting.done()
    assert await connecting
    assert not daemon.prompt_pending
    assert backend.hidden == 1
    assert daemon.trusted_keys == {pub.strip()}
    assert await first.shell("echo hi", **FAST) == "hi\n"
    await first.close()

    # Second connection: the signature over the token is enough, no prompt.
    second = tcp_device(daemon.port, devices)
    started = time.monotonic()
    assert await second.connect(rsa_keys=[signer], auth_timeout_s=2.0, **FAST)
    assert time.monotonic() - started < 0.2
    assert len(backend.prompts) == 1
    assert await second.shell("getprop ro.product.model", **FAST) == "XGIMI Fake\n"


async def test_auth_without_keys_is_refused(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon()
    with pytest.raises(DeviceAuthError):
        await tcp_device(daemon.port, devices).connect(**FAST)


@pytest.mark.parametrize(
    ("mode", "faults"),
    [(PromptMode.REJECT, set()), (PromptMode.ACCEPT, {Fault.PROMPT_REJECT})],
)
async def test_prompt_reject_closes_fast(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    signer: CryptographySigner,
    mode: PromptMode,
    faults: set[Fault],
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon(prompt_mode=mode, faults=FaultState(active=set(faults)))
    device = eof_aware_device(daemon.port, devices)
    started = time.monotonic()
    with pytest.raises(ConnectionResetError):
        await device.connect(rsa_keys=[signer], auth_timeout_s=5.0, **FAST)
    assert time.monotonic() - started < 1.0
    assert backend.hidden == 1
    assert not daemon.prompt_pending
    assert daemon.trusted_keys == frozenset()


async def test_prompt_never_times_out(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any], signer: CryptographySigner
) -> None:
    backend.adb_secure_value = True
    # The fault overrides the ACCEPT mode.
    daemon = await start_daemon(
        prompt_mode=PromptMode.ACCEPT, faults=FaultState(active={Fault.PROMPT_NEVER})
    )
    device = tcp_device(daemon.port, devices)
    started = time.monotonic()
    with pytest.raises(TcpTimeoutException):
        await device.connect(rsa_keys=[signer], auth_timeout_s=0.3, **FAST)
    assert 0.3 <= time.monotonic() - started < 1.0
    assert daemon.prompt_pending
    assert backend.hidden == 0
    await device.close()
    # The dialog goes away when its connection does.
    await wait_until(lambda: not daemon.prompt_pending)
    assert backend.hidden == 1
    assert daemon.trusted_keys == frozenset()


async def test_pending_prompt_is_answered_when_mode_changes(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any], signer: CryptographySigner
) -> None:
    backend.adb_secure_value = True
    daemon = await start_daemon(prompt_mode=PromptMode.NEVER)
    device = tcp_device(daemon.port, devices)
    connecting = asyncio.create_task(device.connect(rsa_keys=[signer], auth_timeout_s=2.0, **FAST))
    await wait_until(lambda: daemon.prompt_pending)
    await asyncio.sleep(0.2)
    assert not connecting.done()
    daemon.prompt_mode = PromptMode.ACCEPT
    assert await connecting
    assert len(daemon.trusted_keys) == 1


async def test_stls_fault(
    start_daemon: StartDaemon, devices: list[Any], raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon(faults=FaultState(active={Fault.STLS}))
    with pytest.raises(InvalidCommandError, match="STLS"):
        await tcp_device(daemon.port, devices).connect(**FAST)
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert await client.recv() == (A_STLS, 0x01000000, 0, b"")


async def test_silent_fault_times_out(start_daemon: StartDaemon, devices: list[Any]) -> None:
    daemon = await start_daemon(faults=FaultState(active={Fault.SILENT}))
    started = time.monotonic()
    with pytest.raises(TcpTimeoutException):
        await tcp_device(daemon.port, devices).connect(transport_timeout_s=0.3, read_timeout_s=1.0)
    assert time.monotonic() - started < 0.9
    assert daemon.connection_count == 1


async def test_close_after_cnxn_fault(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    faults = FaultState()
    daemon = await start_daemon(faults=faults)
    faults.set(Fault.CLOSE_AFTER_CNXN)  # switched at runtime
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert await client.assert_eof() == b""
    await wait_until(lambda: daemon.connection_count == 0)
    faults.clear(Fault.CLOSE_AFTER_CNXN)
    client = await raw_client(daemon.port, raw_clients)
    assert b"features=" in await client.connect()


async def test_close_mid_command_fault(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.outputs["long"] = ShellResult(b"0123456789" * 10)
    faults = FaultState()
    daemon = await start_daemon(faults=faults)
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    faults.set(Fault.CLOSE_MID_COMMAND)
    await client.send(A_OPEN, 1, 0, b"shell:long\0")
    command, dev_id, local_id, _ = await client.recv()
    assert (command, local_id) == (A_OKAY, 1)
    rest = await client.assert_eof()
    assert rest == pack(A_WRTE, dev_id, 1, b"0123456789012345")
    assert backend.commands == ["long"]


@pytest.mark.parametrize(
    ("protocol_version", "max_payload", "size"),
    [(PROTOCOL_V1, MAX_PAYLOAD_V1, 200_000), (PROTOCOL_V2, MAX_PAYLOAD_V2, 1_500_000)],
)
async def test_large_output_arrives_intact(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    protocol_version: int,
    max_payload: int,
    size: int,
) -> None:
    backend.protocol_version_value = protocol_version
    backend.max_payload_value = max_payload
    blob = os.urandom(size)
    backend.outputs["cat blob"] = ShellResult(blob)
    daemon = await start_daemon()
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    assert await device.shell("cat blob", decode=False, **FAST) == blob


async def test_large_output_is_flow_controlled(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.protocol_version_value = PROTOCOL_V1
    backend.max_payload_value = MAX_PAYLOAD_V1
    backend.outputs["cat blob"] = ShellResult(b"x" * 10_000)
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect(PROTOCOL_V1, MAX_PAYLOAD_V1)
    await client.send(A_OPEN, 5, 0, b"shell:cat blob\0")
    command, dev_id, _, _ = await client.recv()
    assert command == A_OKAY
    assert await client.recv() == (A_WRTE, dev_id, 5, b"x" * 4096)
    # No OKAY yet: nothing more may come.
    with pytest.raises(TimeoutError):
        await client.recv(limit_s=0.1)
    await client.send(A_OKAY, 5, dev_id)
    assert await client.recv() == (A_WRTE, dev_id, 5, b"x" * 4096)
    await client.send(A_OKAY, 5, dev_id)
    assert await client.recv() == (A_WRTE, dev_id, 5, b"x" * 1808)
    await client.send(A_OKAY, 5, dev_id)
    assert await client.recv() == (A_CLSE, dev_id, 5, b"")
    await client.send(A_CLSE, 5, dev_id)
    # A late second CLSE is tolerated.
    await client.send(A_CLSE, 5, dev_id)
    # The connection still works.
    await client.send(A_OPEN, 6, 0, b"shell:echo hi\0")
    command, _, local_id, _ = await client.recv()
    assert (command, local_id) == (A_OKAY, 6)
    assert await read_stream(client, 6) == b"hi\n"


async def test_concurrent_shells_on_one_connection(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    for i in range(5):
        backend.outputs[f"slow {i}"] = ShellResult(f"result {i}\n".encode())
        backend.delays[f"slow {i}"] = 0.2
    daemon = await start_daemon()
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    started = time.monotonic()
    results = await asyncio.gather(*(device.shell(f"slow {i}", **FAST) for i in range(5)))
    assert results == [f"result {i}\n" for i in range(5)]
    assert time.monotonic() - started < 0.6  # they ran side by side, not one after another


async def test_latency_fault_delays_output(start_daemon: StartDaemon, devices: list[Any]) -> None:
    faults = FaultState()
    daemon = await start_daemon(faults=faults)
    device = tcp_device(daemon.port, devices)
    assert await device.connect(**FAST)
    faults.latency_s = 0.3
    started = time.monotonic()
    assert await device.shell("echo hi", **FAST) == "hi\n"
    assert time.monotonic() - started >= 0.3
    faults.clear()
    started = time.monotonic()
    assert await device.shell("echo hi", **FAST) == "hi\n"
    assert time.monotonic() - started < 0.25


async def test_unreachable_refuses_then_listens_again_on_same_port(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    raw_clients: list[RawClient],
) -> None:
    daemon = await start_daemon()
    port = daemon.port
    client = await raw_client(port, raw_clients)
    await client.connect()
    assert daemon.connection_count == 1

    backend.set_reachable(False)
    assert daemon.connection_count == 0
    with contextlib.suppress(ConnectionResetError):
        assert await client.assert_eof() == b""
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(HOST, port)

    backend.set_reachable(True)
    assert daemon.port == port
    device = tcp_device(port, devices)
    assert await device.connect(**FAST)
    assert await device.shell("echo hi", **FAST) == "hi\n"


async def test_unreachable_at_start(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    backend.set_reachable(False)
    daemon = await start_daemon()
    assert daemon.port != 0
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(HOST, daemon.port)
    backend.set_reachable(True)
    assert await tcp_device(daemon.port, devices).connect(**FAST)


async def test_kick_all_drops_connections(
    start_daemon: StartDaemon, raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon()
    clients = [await raw_client(daemon.port, raw_clients) for _ in range(3)]
    for client in clients:
        await client.connect()
    assert daemon.connection_count == 3
    daemon.kick_all()
    assert daemon.connection_count == 0
    for client in clients:
        with contextlib.suppress(ConnectionResetError):
            assert await client.assert_eof() == b""
    # Still listening afterwards.
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()


@pytest.mark.parametrize(
    ("protocol_version", "checked"), [(PROTOCOL_V1, True), (PROTOCOL_V2, False)]
)
async def test_checksum_validated_only_on_v1(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    raw_clients: list[RawClient],
    protocol_version: int,
    checked: bool,
) -> None:
    backend.protocol_version_value = protocol_version
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    # The host offers v2; the device's version wins if lower.
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    command, version, max_data, _ = await client.recv()
    assert (command, version, max_data) == (A_CNXN, protocol_version, MAX_PAYLOAD_V2)
    # A zero checksum, as the real adb client sends after negotiating 0x01000001.
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0", data_checksum=0)
    if checked:
        assert await client.assert_eof() == b""
    else:
        command, _, local_id, _ = await client.recv()
        assert (command, local_id) == (A_OKAY, 1)
        assert await read_stream(client, 1) == b"hi\n"


async def test_invalid_packets_close_the_connection(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.max_payload_value = MAX_PAYLOAD_V1
    daemon = await start_daemon()
    # An unknown command.
    client = await raw_client(daemon.port, raw_clients)
    await client.send(0x12345678, 0, 0)
    assert await client.assert_eof() == b""
    # A payload larger than negotiated.
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    await client.send(A_WRTE, 1, 1, b"x" * (MAX_PAYLOAD_V1 + 1))
    assert await client.assert_eof() == b""
    # OPEN before the handshake.
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_OPEN, 1, 0, b"shell:echo hi\0")
    assert await client.assert_eof() == b""
    assert backend.commands == []
