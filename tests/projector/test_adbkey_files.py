"""The ADB key file: loose permissions are tightened, and a key that cannot be used is reported
(a typed, translated error), never replaced and never an unhandled crash."""

from __future__ import annotations

import os
from pathlib import Path
import stat

import pytest

from custom_components.xgimi_projector.projector import KeyFileError
from custom_components.xgimi_projector.projector.adbkey import ensure_key, load_signer


def test_loose_permissions_are_tightened(shared_key: Path, tmp_path: Path) -> None:
    key = tmp_path / "adbkey"
    key.write_bytes(shared_key.read_bytes())
    key.chmod(0o644)
    signer = load_signer(key)
    assert signer.GetPublicKey()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
)
def test_a_corrupt_key_is_reported_and_kept(tmp_path: Path, content: bytes) -> None:
    key = tmp_path / "adbkey"
    key.write_bytes(content)
    key.chmod(0o600)
    with pytest.raises(KeyFileError) as err:
        load_signer(key)
    assert err.value.translation_key == "adb_key_invalid"
    assert err.value.translation_placeholders["path"] == str(key)
    assert key.read_bytes() == content, "never replaced: the projectors trust the old one"


def test_a_dangling_link_is_reported(tmp_path: Path) -> None:
    key = tmp_path / "adbkey"
    os.symlink(tmp_path / "gone", key)
    with pytest.raises(KeyFileError, match="does not exist"):
        load_signer(key)
    assert key.is_symlink()
    assert not (tmp_path / "gone").exists(), "nothing created through the link"


def test_a_new_key_is_private(tmp_path: Path) -> None:
    key = tmp_path / "sub" / "adbkey"
    assert ensure_key(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not ensure_key(key), "kept forever"
