"""The ADB key: generated once, kept forever.

These functions do file I/O and RSA key generation, so they are synchronous on
purpose: callers on an event loop run them in an executor
(:func:`async_load_signer` does that for you).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
import stat

from adb_shell.auth.keygen import write_public_keyfile
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from .errors import KeyFileError

_LOGGER = logging.getLogger(__name__)

KEY_BITS = 2048


def ensure_key(path: Path) -> bool:
    """Create the private key at ``path`` (mode 0600) and ``path.pub`` unless they exist.

    An existing private key is never replaced: the projector trusts it. A missing
    ``.pub`` is rebuilt from the private key. Returns True when a key was created.
    """
    pub = Path(f"{path}.pub")
    created = False
    if path.is_symlink() and not path.exists():
        raise KeyFileError(path, "it is a link to a file that does not exist")
    if path.exists():
        _tighten(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # O_EXCL: never overwrite a key another process created in the meantime.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        created = True
    if created or not pub.exists():
        write_public_keyfile(str(path), str(pub))
    return created


def _tighten(path: Path) -> None:
    """The private key is readable by its owner only: a looser mode is tightened."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        _LOGGER.warning("The ADB key %s was readable by others (%o): now 0600", path, mode)
        path.chmod(0o600)


class KeySigner:
    """adb-shell's signer interface over ``cryptography``.

    Like adb-shell's ``CryptographySigner`` (PKCS#1 v1.5 over the pre-hashed SHA-1 token, 0.4 ms),
    but the key is loaded without OpenSSL's RSA consistency check: that check takes ~45 ms and holds
    the GIL, so even in an executor thread it would stall the event loop. The file is our own,
    written 0600 by :func:`ensure_key`.
    """

    def __init__(self, private_pem: bytes, public_key: bytes) -> None:
        key = serialization.load_pem_private_key(
            private_pem, password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("the ADB key must be an RSA key")
        self._key = key
        self._public_key = public_key

    def Sign(self, data: bytes) -> bytes:  # adb-shell's interface
        return self._key.sign(data, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))  # noqa: S303

    def GetPublicKey(self) -> bytes:  # adb-shell's interface
        return self._public_key


def load_signer(path: Path) -> KeySigner:
    """Ensure the key exists and return a signer for it (blocking).

    Raises :class:`KeyFileError` when the key cannot be used (unreadable, not a key, a
    dangling link): replacing it silently would lose every projector's authorization.
    """
    try:
        ensure_key(path)
        return KeySigner(path.read_bytes(), Path(f"{path}.pub").read_bytes())
    except KeyFileError:
        raise
    except (OSError, ValueError, TypeError) as err:
        raise KeyFileError(path, f"{type(err).__name__}: {err}") from err


async def async_load_signer(path: Path) -> KeySigner:
    """:func:`load_signer` in the default executor."""
    return await asyncio.get_running_loop().run_in_executor(None, load_signer, path)
