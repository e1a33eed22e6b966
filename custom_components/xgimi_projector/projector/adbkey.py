"""The ADB key: generated once, kept forever.

These functions do file I/O and RSA key generation, so they are synchronous on
purpose: callers on an event loop run them in an executor
(:func:`async_load_signer` does that for you).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from adb_shell.auth.keygen import write_public_keyfile
from adb_shell.auth.sign_cryptography import CryptographySigner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048


def ensure_key(path: Path) -> bool:
    """Create the private key at ``path`` (mode 0600) and ``path.pub`` unless they exist.

    An existing private key is never replaced: the projector trusts it. A missing
    ``.pub`` is rebuilt from the private key. Returns True when a key was created.
    """
    pub = Path(f"{path}.pub")
    created = False
    if not path.exists():
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


def load_signer(path: Path) -> CryptographySigner:
    """Ensure the key exists and return a signer for it (blocking)."""
    ensure_key(path)
    return CryptographySigner(str(path))


async def async_load_signer(path: Path) -> CryptographySigner:
    """:func:`load_signer` in the default executor."""
    return await asyncio.get_running_loop().run_in_executor(None, load_signer, path)
