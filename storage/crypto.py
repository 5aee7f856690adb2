"""AES-256-GCM encryption at rest with a key ring, so keys can rotate without re-encrypting at once.

Ciphertext layout: b"v1" | key id (8 bytes) | nonce (12 bytes) | AES-GCM ciphertext+tag.
The key id is the first 8 bytes of SHA-256 of the key, so no key material is stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import weakref
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_VERSION = b"v1"
_KEY_ID_LEN = 8
_NONCE_LEN = 12


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


def generate_key() -> str:
    """A new ENCRYPTION_KEY value: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:_KEY_ID_LEN]


class KeyRing:
    """The first key encrypts; every key decrypts."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        for key in keys:
            if len(key) != 32:
                raise ValueError("AES-256 keys are 32 bytes")
        self._primary = keys[0]
        self._primary_id = _key_id(keys[0])
        self._by_id = {_key_id(key): AESGCM(key) for key in keys}

    @classmethod
    def from_setting(cls, value: str) -> KeyRing:
        return cls([base64.b64decode(part.strip(), validate=True) for part in value.split(",") if part.strip()])

    def encrypt(self, plaintext: bytes, associated_data: bytes | None = None) -> bytes:
        nonce = os.urandom(_NONCE_LEN)
        sealed = self._by_id[self._primary_id].encrypt(nonce, plaintext, associated_data)
        return _VERSION + self._primary_id + nonce + sealed

    def decrypt(self, ciphertext: bytes, associated_data: bytes | None = None) -> bytes:
        if not ciphertext.startswith(_VERSION):
            raise DecryptionError("stored value is not in the expected encrypted format")
        key_id = ciphertext[2 : 2 + _KEY_ID_LEN]
        nonce = ciphertext[2 + _KEY_ID_LEN : 2 + _KEY_ID_LEN + _NONCE_LEN]
        sealed = ciphertext[2 + _KEY_ID_LEN + _NONCE_LEN :]
        aes = self._by_id.get(key_id)
        if aes is None:
            raise DecryptionError(
                "stored value was encrypted with a key that is not in ENCRYPTION_KEY; "
                "add the old key after the new one to rotate"
            )
        try:
            return aes.decrypt(nonce, sealed, associated_data)
        except InvalidTag:
            raise DecryptionError("stored value failed authentication: it was altered or the key is wrong") from None

    def needs_rotation(self, ciphertext: bytes) -> bool:
        return ciphertext[2 : 2 + _KEY_ID_LEN] != self._primary_id

    def rotate(self, ciphertext: bytes) -> bytes:
        """The same plaintext sealed under the first key (raises DecryptionError if no key opens it)."""
        return self.encrypt(self.decrypt(ciphertext))

    @property
    def primary_key_id(self) -> bytes:
        """What every ciphertext sealed by the first key carries after its version (bytes 3 to 10)."""
        return self._primary_id

    @property
    def key_count(self) -> int:
        return len(self._by_id)


# The encrypted column types find their key ring through the engine's dialect, so two engines
# (say, two tests with different keys) never share one and nothing is configured at import time.
_KEYRINGS: weakref.WeakKeyDictionary[Dialect, KeyRing] = weakref.WeakKeyDictionary()


def attach_keyring(dialect: Dialect, keyring: KeyRing) -> None:
    _KEYRINGS[dialect] = keyring


def _keyring_for(dialect: Dialect) -> KeyRing:
    try:
        return _KEYRINGS[dialect]
    except KeyError:
        raise RuntimeError("no key ring attached to this engine; create it with storage.db.create_engine") from None


class EncryptedBytes(TypeDecorator[bytes]):
    """Bytes encrypted with the engine's key ring."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else _keyring_for(dialect).encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else _keyring_for(dialect).decrypt(bytes(value))


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document (token sets) encrypted with the engine's key ring."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return _keyring_for(dialect).encrypt(json.dumps(value, sort_keys=True).encode("utf-8"))

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(_keyring_for(dialect).decrypt(bytes(value)))
