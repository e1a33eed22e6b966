"""ADB host keys: parsing, fingerprints, signature checks and the trusted-key store.

A host key travels in ``AUTH(RSAPUBLICKEY)`` as the text of the host's
``adbkey.pub``: base64 of Android's ``RSAPublicKey`` struct, a space, a
``user@host`` comment, and a NUL. The struct is ``<LL256s256sL``:
``modulus_size_words`` (64 for RSA-2048), ``n0inv``, the modulus
(little-endian), ``rr`` (little-endian) and the public exponent.

The host proves it holds the key by signing the device's 20-byte token with
PKCS#1 v1.5 over a SHA-1 DigestInfo whose "digest" is the raw token (the
token is not hashed again). So the check is: RSA-recover the signature and
compare with ``SHA1_DIGESTINFO_PREFIX + token``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
import hashlib
import logging
import pathlib
import struct
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_LOGGER = logging.getLogger(__name__)

SHA1_DIGESTINFO_PREFIX: Final = bytes.fromhex("3021300906052b0e03021a05000414")
"""DER DigestInfo header for SHA-1, which precedes the token in a signature."""

ANDROID_PUBKEY_STRUCT: Final = struct.Struct("<LL256s256sL")
ANDROID_PUBKEY_MODULUS_WORDS: Final = 64


class InvalidKeyError(ValueError):
    """The bytes are not an Android ADB public key."""


@dataclass(frozen=True, slots=True)
class HostKey:
    """One host public key, as received in AUTH(RSAPUBLICKEY) or read from ``adb_keys``."""

    blob: bytes
    """The decoded ``RSAPublicKey`` struct (what identifies the key)."""
    line: bytes
    """The key as Android stores it in ``adb_keys``: base64, optionally a space and a comment."""
    public_key: rsa.RSAPublicKey

    @property
    def fingerprint(self) -> str:
        """The MD5 fingerprint Android shows in its dialog, e.g. ``"1A:2B:…"``."""
        return fingerprint(self.blob)

    def verify(self, token: bytes, signature: bytes) -> bool:
        """True if ``signature`` is this key's ADB signature of ``token``."""
        return verify_signature(self.public_key, token, signature)


def fingerprint(blob: bytes) -> str:
    """Colon-separated upper-case MD5 of a decoded key struct, as Android's dialog shows it."""
    digest = hashlib.md5(blob, usedforsecurity=False).digest()
    return ":".join(f"{byte:02X}" for byte in digest)


def parse_public_key(payload: bytes) -> HostKey:
    """Parse the payload of AUTH(RSAPUBLICKEY), or one line of ``adb_keys``.

    Raises ``InvalidKeyError`` if it is not a 2048-bit Android RSA public key.
    """
    line = payload.split(b"\0", 1)[0].strip()
    if not line:
        raise InvalidKeyError("empty key")
    encoded = line.split(None, 1)[0]
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error as err:
        raise InvalidKeyError(f"key is not base64: {err}") from err
    if len(blob) != ANDROID_PUBKEY_STRUCT.size:
        raise InvalidKeyError(
            f"key struct has {len(blob)} bytes, expected {ANDROID_PUBKEY_STRUCT.size}"
        )
    words, _n0inv, modulus, _rr, exponent = ANDROID_PUBKEY_STRUCT.unpack(blob)
    if words != ANDROID_PUBKEY_MODULUS_WORDS:
        raise InvalidKeyError(f"modulus has {words} words, expected {ANDROID_PUBKEY_MODULUS_WORDS}")
    n = int.from_bytes(modulus, "little")
    try:
        public_key = rsa.RSAPublicNumbers(exponent, n).public_key()
    except ValueError as err:
        raise InvalidKeyError(f"not a usable RSA key: {err}") from err
    return HostKey(blob=blob, line=line, public_key=public_key)


def verify_signature(public_key: rsa.RSAPublicKey, token: bytes, signature: bytes) -> bool:
    """True if ``signature`` is the host's ADB signature of ``token``.

    That is PKCS#1 v1.5 over a SHA-1 DigestInfo that carries the raw token.
    """
    try:
        recovered = public_key.recover_data_from_signature(signature, padding.PKCS1v15(), None)
    except (InvalidSignature, ValueError):
        return False
    return recovered == SHA1_DIGESTINFO_PREFIX + token


class KeyStore:
    """The host keys a device trusts, like Android's ``/data/misc/adb/adb_keys``.

    Held in memory; with a ``path``, loaded from that file at creation and
    rewritten whenever a key is added or all keys are forgotten. The file has
    one key per line (base64, space, comment), exactly as Android writes it.
    """

    def __init__(self, path: pathlib.Path | None = None) -> None:
        self._path = path
        self._keys: dict[bytes, HostKey] = {}
        if path is not None:
            self._load(path)

    def _load(self, path: pathlib.Path) -> None:
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as err:
            _LOGGER.warning("Cannot read ADB keys file %s: %s", path, err)
            return
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            try:
                key = parse_public_key(line)
            except InvalidKeyError as err:
                _LOGGER.warning("Ignoring line %d of ADB keys file %s: %s", number, path, err)
                continue
            self._keys.setdefault(key.blob, key)

    def _save(self) -> None:
        if self._path is None:
            return
        data = b"".join(key.line + b"\n" for key in self._keys.values())
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_name(self._path.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(self._path)
        except OSError as err:
            _LOGGER.warning("Cannot write ADB keys file %s: %s", self._path, err)

    @property
    def lines(self) -> frozenset[bytes]:
        """Every trusted key as its ``adb_keys`` line (base64, space, comment; no NUL)."""
        return frozenset(key.line for key in self._keys.values())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, HostKey) and key.blob in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: HostKey) -> None:
        """Trust ``key`` ("Always allow from this computer") and persist the store."""
        if key.blob in self._keys:
            return
        self._keys[key.blob] = key
        self._save()

    def clear(self) -> None:
        """Forget every key ("Revoke USB debugging authorizations")."""
        self._keys.clear()
        if self._path is not None:
            try:
                self._path.unlink(missing_ok=True)
            except OSError as err:
                _LOGGER.warning("Cannot remove ADB keys file %s: %s", self._path, err)

    def find_signer(self, token: bytes, signature: bytes) -> HostKey | None:
        """The trusted key that made ``signature`` over ``token``, if any."""
        for key in self._keys.values():
            if key.verify(token, signature):
                return key
        return None
