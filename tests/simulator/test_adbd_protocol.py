"""The simulated adbd: services, keys, restarts, protocol and auth edge cases, Debian's adb."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from pathlib import Path
import shutil
from typing import Any

from adb_shell.auth.sign_cryptography import CryptographySigner
import pytest

from simulator.adb import AdbDaemon
from simulator.adb.auth import InvalidKeyError, KeyStore, fingerprint, parse_public_key
from simulator.adb.protocol import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_STLS,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    HEADER_SIZE,
    pack,
)
from simulator.backend import ShellResult
from simulator.faults import PromptMode
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
    RealAdb,
    StartDaemon,
    raw_client,
    read_stream,
    tcp_device,
    v2_frames,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_services(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()

    async def run(local_id: int, service: bytes) -> bytes | None:
        await client.send(A_OPEN, local_id, 0, service + b"\0")
        command, dev_id, arg1, _ = await client.recv()
        assert arg1 == local_id
        if command == A_CLSE:
            assert dev_id == 0
            return None
        assert command == A_OKAY
        return await read_stream(client, local_id)

    assert v2_frames(await run(1, b"shell,v2,raw:exit3") or b"") == [
        (1, b"out\n"),
        (2, b"err\n"),
        (3, b"\x03"),
    ]
    assert v2_frames(await run(2, b"shell,v2,TERM=xterm-256color,raw:echo hi") or b"") == [
        (1, b"hi\n"),
        (3, b"\x00"),
    ]
    # A PTY merges stderr into stdout and turns \n into \r\n.
    assert v2_frames(await run(3, b"shell,v2,pty:exit3") or b"") == [
        (1, b"out\r\nerr\r\n"),
        (3, b"\x03"),
    ]
    assert v2_frames(await run(4, b"shell,v2:") or b"") == [
        (2, b"simulator: interactive shell is not supported\n"),
        (3, b"\x01"),
    ]
    assert await run(5, b"shell,raw:exit3") == b"out\nerr\n"
    assert await run(6, b"exec:exit3") == b"out\n"
    assert await run(7, b"sync:") is None
    assert await run(8, b"reboot:") is None
    assert await run(9, b"shellfoo:echo hi") is None
    assert await run(12, b"shell,v2") is None
    assert await run(14, b"shell,pty:exit3") == b"out\r\nerr\r\n"
    assert await run(13, b"exec:") == b"simulator: interactive shell is not supported\n"

    # Without the shell_v2 feature there is no shell,v2 service.
    backend.features_value = frozenset({"cmd"})
    assert await run(10, b"shell,v2,raw:echo hi") is None
    assert await run(11, b"shell:echo hi") == b"hi\n"


async def test_host_writes_and_early_close(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.outputs["slow"] = ShellResult(b"late\n")
    backend.delays["slow"] = 0.2
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    await client.send(A_OPEN, 1, 0, b"shell,v2,raw:slow\0")
    command, dev_id, _, _ = await client.recv()
    assert command == A_OKAY
    # stdin and close-stdin are acknowledged and ignored.
    await client.send(A_WRTE, 1, dev_id, b"\x00\x03\x00\x00\x00abc")
    assert await client.recv() == (A_OKAY, dev_id, 1, b"")
    await client.send(A_WRTE, 1, dev_id, b"\x04\x00\x00\x00\x00")
    assert await client.recv() == (A_OKAY, dev_id, 1, b"")
    # The host closes before the output: the device answers CLSE and sends nothing more.
    await client.send(A_CLSE, 1, dev_id)
    assert await client.recv() == (A_CLSE, dev_id, 1, b"")
    with pytest.raises(TimeoutError):
        await client.recv(limit_s=0.3)
    assert daemon.connection_count == 1


async def test_keys_persisted_and_reloaded(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    devices: list[Any],
    signer: CryptographySigner,
    session_key: Path,
    tmp_path: Path,
) -> None:
    backend.adb_secure_value = True
    keys_file = tmp_path / "data" / "misc" / "adb" / "adb_keys"
    daemon = await start_daemon(keys_file=keys_file)
    assert await tcp_device(daemon.port, devices).connect(
        rsa_keys=[signer], auth_timeout_s=2.0, **FAST
    )
    pub = Path(f"{session_key}.pub").read_bytes().strip()
    assert keys_file.read_bytes() == pub + b"\n"
    await daemon.stop()

    # A new daemon (the device rebooted) trusts the key without asking.
    reborn = await start_daemon(keys_file=keys_file, prompt_mode=PromptMode.NEVER)
    assert reborn.trusted_keys == {pub}
    assert await tcp_device(reborn.port, devices).connect(
        rsa_keys=[signer], auth_timeout_s=2.0, **FAST
    )
    assert len(backend.prompts) == 1

    reborn.forget_keys()
    assert reborn.trusted_keys == frozenset()
    assert not keys_file.exists()


async def test_restart_keeps_port(
    start_daemon: StartDaemon, backend: FakeBackend, devices: list[Any]
) -> None:
    daemon = await start_daemon()
    port = daemon.port
    with pytest.raises(RuntimeError):
        await daemon.start()
    backend.set_reachable(False)
    await daemon.stop()  # while unreachable: the reserved port is released too
    backend.set_reachable(True)
    await daemon.start()
    assert daemon.port == port
    assert await tcp_device(port, devices).connect(**FAST)


async def test_port_in_use(start_daemon: StartDaemon, backend: FakeBackend) -> None:
    daemon = await start_daemon()
    other = AdbDaemon(backend, port=daemon.port)
    with pytest.raises(OSError, match="in use"):
        await other.start()
    await other.stop()


async def test_backend_failure_is_reported_on_stderr(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    raw_clients: list[RawClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(command: str) -> ShellResult:
        raise RuntimeError("boom")

    backend.run_shell = broken  # type: ignore[method-assign]
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    await client.send(A_OPEN, 1, 0, b"shell,v2,raw:echo hi\0")
    assert (await client.recv())[0] == A_OKAY
    assert v2_frames(await read_stream(client, 1)) == [
        (2, b"simulator: internal error\n"),
        (3, b"\xff"),
    ]
    assert "boom" in caplog.text


async def test_protocol_edge_cases(
    start_daemon: StartDaemon, backend: FakeBackend, raw_clients: list[RawClient]
) -> None:
    backend.outputs["slow"] = ShellResult(b"late\n")
    backend.delays["slow"] = 0.3
    daemon = await start_daemon()
    client = await raw_client(daemon.port, raw_clients)
    await client.connect()
    # OKAY and WRTE for streams that do not exist are ignored.
    await client.send(A_OKAY, 9, 9)
    await client.send(A_WRTE, 9, 9, b"stdin")
    await client.send(A_CLSE, 9, 9)
    # A second CNXN starts over: open streams are dropped without output.
    await client.send(A_OPEN, 1, 0, b"shell:slow\0")
    assert (await client.recv())[0] == A_OKAY
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::again\0")
    assert (await client.recv())[0] == A_CNXN
    with pytest.raises(TimeoutError):
        await client.recv(limit_s=0.4)
    await client.send(A_OPEN, 2, 0, b"shell:echo hi\0")
    assert (await client.recv())[0] == A_OKAY
    assert await read_stream(client, 2) == b"hi\n"

    # OPEN with local id 0, SYNC, STLS from the host, a short read: all end the connection.
    for packet in (
        pack(A_OPEN, 0, 0, b"shell:echo hi\0"),
        pack(0x434E5953, 0, 0),  # SYNC
        pack(A_STLS, 0x01000000, 0),
        pack(A_OKAY, 1, 1)[:10],
    ):
        client = await raw_client(daemon.port, raw_clients)
        await client.connect()
        client.writer.write(packet)
        if len(packet) < HEADER_SIZE:
            client.writer.write_eof()
        assert await client.assert_eof() == b""


async def test_auth_edge_cases(
    start_daemon: StartDaemon,
    backend: FakeBackend,
    raw_clients: list[RawClient],
    signer: CryptographySigner,
    session_key: Path,
    other_key: Path,
    tmp_path: Path,
) -> None:
    backend.adb_secure_value = True
    trusted_pub = Path(f"{session_key}.pub").read_bytes()
    other_pub = Path(f"{other_key}.pub").read_bytes()
    keys_file = tmp_path / "adb_keys"
    keys_file.write_bytes(b"# comment\n\nnot a key\n" + trusted_pub + b"\n")
    daemon = await start_daemon(prompt_mode=PromptMode.NEVER, keys_file=keys_file)
    assert daemon.trusted_keys == {trusted_pub.strip()}

    async def start_auth() -> tuple[RawClient, bytes]:
        client = await raw_client(daemon.port, raw_clients)
        await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
        command, kind, _, token = await client.recv()
        assert (command, kind, len(token)) == (A_AUTH, AUTH_TOKEN, 20)
        return client, token

    # AUTH before CNXN is ignored.
    client = await raw_client(daemon.port, raw_clients)
    await client.send(A_AUTH, AUTH_SIGNATURE, 0, b"x" * 256)
    await client.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert (await client.recv())[0] == A_AUTH

    # A trusted public key is let in without a prompt.
    client, _ = await start_auth()
    await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, trusted_pub + b"\0")
    assert (await client.recv())[0] == A_CNXN
    assert backend.prompts == []

    # A signature from a trusted key ends a pending prompt for another key.
    client, token = await start_auth()
    await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, other_pub + b"\0")
    await wait_until(lambda: daemon.prompt_pending)
    await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, other_pub + b"\0")  # ignored
    await client.send(A_AUTH, AUTH_SIGNATURE, 0, signer.Sign(token))
    assert (await client.recv())[0] == A_CNXN
    await wait_until(lambda: not daemon.prompt_pending)
    assert backend.hidden == 1

    # Two dialogs at once: hidden only when both are gone.
    first, _ = await start_auth()
    second, _ = await start_auth()
    for client in (first, second):
        await client.send(A_AUTH, AUTH_RSAPUBLICKEY, 0, other_pub + b"\0")
    await wait_until(lambda: len(backend.prompts) == 3)
    await first.close()
    await asyncio.sleep(0.05)
    assert daemon.prompt_pending
    assert backend.hidden == 1
    # A new CNXN on the same connection takes its dialog down too.
    await second.send(A_CNXN, PROTOCOL_V2, MAX_PAYLOAD_V2, b"host::raw\0")
    assert (await second.recv())[0] == A_AUTH
    await wait_until(lambda: not daemon.prompt_pending)
    assert backend.hidden == 2

    # A malformed key, and an unknown AUTH type, end the connection.
    for kind, payload in ((AUTH_RSAPUBLICKEY, b"garbage\0"), (7, b"")):
        client, _ = await start_auth()
        await client.send(A_AUTH, kind, 0, payload)
        assert await client.assert_eof() == b""


def test_key_parsing_and_signatures(session_key: Path, signer: CryptographySigner) -> None:
    pub = Path(f"{session_key}.pub").read_bytes()
    key = parse_public_key(pub + b"\0")
    assert key.line == pub.strip()
    assert key.fingerprint == fingerprint(key.blob)
    assert key.public_key.key_size == 2048
    token = os.urandom(20)
    assert key.verify(token, signer.Sign(token))
    assert not key.verify(os.urandom(20), signer.Sign(token))
    assert not key.verify(token, b"short")
    # Android's fingerprint: MD5 of the decoded struct, upper-case hex pairs joined by colons.
    digest = hashlib.md5(key.blob).hexdigest().upper()
    assert key.fingerprint == ":".join(digest[i : i + 2] for i in range(0, 32, 2))

    blob = bytearray(key.blob)
    blob[0] = 32  # a 1024-bit key
    for bad in (
        b"",
        b"\0",
        b"!!!not-base64!!! user@host",
        base64.b64encode(b"too short"),
        base64.b64encode(bytes(blob)),
    ):
        with pytest.raises(InvalidKeyError):
            parse_public_key(bad)


def test_key_store_files(
    session_key: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pub = Path(f"{session_key}.pub").read_bytes().strip()
    key = parse_public_key(pub)
    # A directory where the file should be: reading and writing fail with a warning.
    (tmp_path / "dir").mkdir()
    store = KeyStore(tmp_path / "dir")
    store.add(key)
    assert key in store
    assert len(store) == 1
    store.add(key)
    assert len(store) == 1
    store.clear()
    assert "Cannot read ADB keys file" in caplog.text
    assert "Cannot write ADB keys file" in caplog.text
    assert "Cannot remove ADB keys file" in caplog.text
    # No file yet: empty; keys land in a fresh file.
    path = tmp_path / "sub" / "adb_keys"
    store = KeyStore(path)
    assert store.lines == frozenset()
    store.add(key)
    assert KeyStore(path).lines == {pub}


# ------------------------------------------------------------------------------------ real adb


@pytest.mark.skipif(shutil.which("adb") is None, reason="Debian's adb client is not installed")
async def test_real_adb_client(start_daemon: StartDaemon, tmp_path: Path) -> None:
    # Android 9+ style device: auth with a prompt, protocol 0x01000001 (no checksums), shell_v2.
    secure = FakeBackend(adb_secure=True)
    # Old style device: no auth, protocol 0x01000000 (checksums checked), 4 KiB, no shell_v2.
    legacy = FakeBackend(
        protocol_version=PROTOCOL_V1, max_payload=MAX_PAYLOAD_V1, features=frozenset()
    )
    legacy.outputs["cat blob"] = ShellResult(b"0123456789abcdef" * 1000)
    modern_daemon = await start_daemon(secure, prompt_mode=PromptMode.ACCEPT, prompt_delay_s=0.2)
    legacy_daemon = await start_daemon(legacy)
    modern = f"{HOST}:{modern_daemon.port}"
    old = f"{HOST}:{legacy_daemon.port}"
    adb = RealAdb(tmp_path / "home")
    try:
        await adb.run("connect", modern)
        await adb.wait_for_state(modern, "device")
        assert len(secure.prompts) == 1
        assert len(modern_daemon.trusted_keys) == 1

        code, out, _ = await adb.run("-s", modern, "shell", "getprop", "ro.product.model")
        assert (code, out) == (0, "XGIMI Fake\n")
        # shell_v2 carries stderr and the exit code.
        code, out, err = await adb.run("-s", modern, "shell", "exit3")
        assert (code, out, err) == (3, "out\n", "err\n")
        # Reconnecting: the key is trusted now, so the signature suffices and no dialog shows.
        await adb.run("disconnect", modern)
        await adb.run("connect", modern)
        await adb.wait_for_state(modern, "device")
        assert len(secure.prompts) == 1

        await adb.run("connect", old)
        await adb.wait_for_state(old, "device")
        code, out, _ = await adb.run("-s", old, "shell", "getprop", "ro.product.model")
        assert (code, out) == (0, "XGIMI Fake\n")
        # No shell_v2: no exit code (adb exits 0) and stderr comes on stdout.
        code, out, _ = await adb.run("-s", old, "shell", "exit3")
        assert (code, out) == (0, "out\nerr\n")
        code, out, _ = await adb.run("-s", old, "shell", "cat", "blob")
        assert out == "0123456789abcdef" * 1000
    finally:
        await adb.run("kill-server")
