"""Encryption at rest of recordings: `keys` (AES-256 keys with ids, rotation) and `stream`
(chunked AES-GCM: `encrypt_recording` once a file is closed, `open_recording` to read)."""

from ivr.crypto.keys import CryptoError, Keyring, RecordingKey, new_key_hex
from ivr.crypto.stream import SUFFIX, encrypt_recording, is_encrypted, open_recording

__all__ = [
    "SUFFIX",
    "CryptoError",
    "Keyring",
    "RecordingKey",
    "encrypt_recording",
    "is_encrypted",
    "new_key_hex",
    "open_recording",
]
