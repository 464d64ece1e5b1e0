"""Recording keys: AES-256 keys identified by a short hash, so a file names the key it needs.

The key id is the first 8 bytes of sha256("ivr-recording-key" || key): it identifies a key
without revealing it. Rotation: the new key encrypts, the previous ones still decrypt.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from ivr.config.secret import Secret

KEY_BYTES = 32
KEY_ID_BYTES = 8


class CryptoError(Exception):
    """A recording cannot be encrypted or decrypted; the message names the file, never a key."""


@dataclass(frozen=True)
class RecordingKey:
    key_id: bytes
    material: bytes = field(repr=False)

    @classmethod
    def from_bytes(cls, material: bytes) -> RecordingKey:
        if len(material) != KEY_BYTES:
            raise CryptoError(f"a recording key is {KEY_BYTES} bytes, got {len(material)}")
        tag = hashlib.sha256(b"ivr-recording-key" + material).digest()[:KEY_ID_BYTES]
        return cls(tag, material)

    @classmethod
    def from_secret(cls, secret: Secret) -> RecordingKey:
        try:
            return cls.from_bytes(bytes.fromhex(secret.reveal()))
        except ValueError:
            raise CryptoError(f"the key from {secret.source} is not hex digits") from None

    @property
    def key_id_hex(self) -> str:
        return self.key_id.hex()


def new_key_hex() -> str:
    """A fresh random key, as the 64 hex digits a key file holds."""
    return secrets.token_hex(KEY_BYTES)


class Keyring:
    """The current key (encrypts) and the previous ones (decrypt only), by key id."""

    def __init__(self, current: RecordingKey | None, previous: Iterable[RecordingKey] = ()) -> None:
        self.current = current
        keys = [*previous, *([current] if current else [])]
        self._by_id = {key.key_id: key for key in keys}

    @classmethod
    def from_secrets(cls, current: Secret | None, previous: Iterable[Secret] = ()) -> Keyring:
        mine = None if current is None else RecordingKey.from_secret(current)
        return cls(mine, [RecordingKey.from_secret(s) for s in previous])

    def find(self, key_id: bytes) -> RecordingKey:
        try:
            return self._by_id[key_id]
        except KeyError:
            raise CryptoError(f"no key with id {key_id.hex()} in the keyring") from None

    def __repr__(self) -> str:
        return f"Keyring({len(self._by_id)} keys)"
