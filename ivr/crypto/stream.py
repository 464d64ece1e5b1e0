"""Chunked authenticated encryption of recordings (AES-256-GCM, the STREAM construction).

File layout::

    header  = b"IVRENC" | version (1 byte) | key id (8) | nonce prefix (7) | chunk size (4, BE)
    chunk i = AES-GCM(key, nonce = prefix | i (4, BE) | last (1), plaintext[i], aad = header)

Every chunk but the last holds exactly `chunk size` plaintext bytes; the last one (possibly
empty) has the flag byte 1. So a reader needs one chunk in memory at a time, and reordered,
dropped, truncated or appended chunks all fail authentication: the counter and the last flag
are in each nonce, and a file must end with a chunk flagged last.
"""

from __future__ import annotations

import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ivr.crypto.keys import KEY_ID_BYTES, CryptoError, Keyring, RecordingKey

MAGIC = b"IVRENC"
VERSION = 1
SUFFIX = ".enc"
CHUNK = 64 * 1024
_PREFIX = 7
_HEADER = struct.Struct(f">6sB{KEY_ID_BYTES}s{_PREFIX}sI")
_TAG = 16


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def encrypt_stream(source: BinaryIO, sink: BinaryIO, key: RecordingKey, chunk: int = CHUNK) -> None:
    prefix = secrets.token_bytes(_PREFIX)
    header = _HEADER.pack(MAGIC, VERSION, key.key_id, prefix, chunk)
    sink.write(header)
    aead, index = AESGCM(key.material), 0
    block = source.read(chunk)
    while True:
        following = source.read(chunk) if len(block) == chunk else b""
        last = not following
        sink.write(aead.encrypt(_nonce(prefix, index, last), block, header))
        if last:
            return
        block, index = following, index + 1


def decrypt_chunks(source: BinaryIO, keyring: Keyring, name: str) -> Iterator[bytes]:
    """The plaintext, one chunk at a time; `CryptoError` (naming `name`) on any tampering.

    A chunk is only yielded once authenticated; a failure after some chunks means the file was
    cut or altered past that point.
    """
    header = source.read(_HEADER.size)
    if len(header) != _HEADER.size:
        raise CryptoError(f"{name}: too short for an encrypted recording")
    magic, version, key_id, prefix, chunk = _HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or chunk < 1:
        raise CryptoError(f"{name}: not an ivr encrypted recording (version {version})")
    aead = AESGCM(keyring.find(key_id).material)
    index, block = 0, source.read(chunk + _TAG)
    while True:
        following = source.read(chunk + _TAG) if len(block) == chunk + _TAG else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), block, header)
        except InvalidTag:
            raise CryptoError(f"{name}: chunk {index} fails authentication") from None
        if last:
            return
        block, index = following, index + 1


def encrypt_recording(path: Path | str, key: RecordingKey) -> Path:
    """Encrypt a closed recording to ``<path>.enc``, then remove the plaintext; the new path.

    Written to a temporary file, fsynced and renamed, so a crash leaves either the plaintext
    or the complete encrypted file (and at worst both): never a partial one under that name.
    """
    path = Path(path)
    target = path.with_name(path.name + SUFFIX)
    partial = path.with_name(path.name + SUFFIX + ".partial")
    try:
        mode = path.stat().st_mode & 0o777
        with path.open("rb") as source, _create(partial, mode) as sink:
            encrypt_stream(source, sink, key)
            sink.flush()
            os.fsync(sink.fileno())
        partial.replace(target)
        path.unlink()
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CryptoError(f"{path}: cannot encrypt: {exc.strerror}") from exc
    return target


def _create(path: Path, mode: int) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    return os.fdopen(fd, "wb")


def is_encrypted(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def open_recording(path: Path, keyring: Keyring) -> Iterator[bytes]:
    """A recording's audio, chunk by chunk, decrypted on the fly if it is encrypted."""
    with path.open("rb") as source:
        if is_encrypted(path):
            yield from decrypt_chunks(source, keyring, str(path))
            return
        while block := source.read(CHUNK):
            yield block
