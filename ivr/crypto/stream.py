"""Chunked authenticated encryption of recordings (AES-256-GCM, the STREAM construction).

File layout::

    header  = b"IVRENC" | version (1 byte) | key id (8) | [salt (32), version 2]
              | nonce prefix (7) | chunk size (4, BE)
    chunk i = AES-GCM(file key, nonce = prefix | i (4, BE) | last (1), plaintext[i], aad = header)

Version 2 (written now) encrypts each file under its own key, HKDF-SHA256(recording key, salt):
random 56-bit nonce prefixes under one key reach the birthday bound that NIST allows for GCM
(2^-32 collision chance) after a few thousand files, a fresh key per file never does.
Version 1 files (the recording key itself) are still read. The chunk size read from a header
is bounded before anything is allocated for it.

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
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ivr.crypto.keys import KEY_ID_BYTES, CryptoError, Keyring, RecordingKey
from ivr.recordings import safe

MAGIC = b"IVRENC"
VERSION = 2
SUFFIX = ".enc"
CHUNK = 64 * 1024
MAX_CHUNK = 1024 * 1024  # a header asking for more is refused, not allocated
_PREFIX = 7
_SALT = 32
_START = struct.Struct(f">6sB{KEY_ID_BYTES}s")
_HEADERS = {
    1: struct.Struct(f">6sB{KEY_ID_BYTES}s{_PREFIX}sI"),
    2: struct.Struct(f">6sB{KEY_ID_BYTES}s{_SALT}s{_PREFIX}sI"),
}
_TAG = 16
_HKDF_INFO = b"ivr recording file key v2"


def file_key(key: RecordingKey, salt: bytes) -> bytes:
    """The key of one file: HKDF-SHA256 of the recording key with the file's random salt."""
    return HKDF(hashes.SHA256(), len(key.material), salt, _HKDF_INFO).derive(key.material)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class Readable(Protocol):
    """Anything read like a binary file (a file, or audio rewritten on the way)."""

    def read(self, size: int = -1, /) -> bytes: ...


def encrypt_stream(source: Readable, sink: BinaryIO, key: RecordingKey, chunk: int = CHUNK) -> None:
    if not 1 <= chunk <= MAX_CHUNK:
        raise CryptoError(f"chunk size {chunk} is not between 1 and {MAX_CHUNK}")
    prefix, salt = secrets.token_bytes(_PREFIX), secrets.token_bytes(_SALT)
    header = _HEADERS[VERSION].pack(MAGIC, VERSION, key.key_id, salt, prefix, chunk)
    sink.write(header)
    aead, index = AESGCM(file_key(key, salt)), 0
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
    header, aead, prefix, chunk = _read_header(source, keyring, name)
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


def _read_header(source: BinaryIO, keyring: Keyring, name: str) -> tuple[bytes, AESGCM, bytes, int]:
    """The header's bytes (the chunks' aad), the file's cipher, nonce prefix and chunk size."""
    start = source.read(_START.size)
    magic, version, _ = _START.unpack(start) if len(start) == _START.size else (b"", 0, b"")
    if magic != MAGIC or version not in _HEADERS:
        raise CryptoError(f"{name}: not an ivr encrypted recording (version {version})")
    layout = _HEADERS[version]
    header = start + source.read(layout.size - _START.size)
    if len(header) != layout.size:
        raise CryptoError(f"{name}: too short for an encrypted recording")
    fields = layout.unpack(header)
    key_id, prefix, chunk = fields[2], fields[-2], fields[-1]
    if not 1 <= chunk <= MAX_CHUNK:
        raise CryptoError(f"{name}: chunk size {chunk} in its header is out of bounds")
    key = keyring.find(key_id)
    material = key.material if version == 1 else file_key(key, fields[3])
    return header, AESGCM(material), prefix, chunk


def encrypt_recording(path: Path | str, key: RecordingKey) -> Path:
    """Encrypt a closed recording to ``<path>.enc``, then remove the plaintext; the new path.

    Written to a temporary file, fsynced and renamed, so a crash leaves either the plaintext
    or the complete encrypted file (and at worst both): never a partial one under that name.
    Every step works on the folder's entries without following a link (`ivr.recordings.safe`):
    a link planted as the recording, its ``.partial`` or its ``.enc`` is refused or replaced,
    never written through.
    """
    path = Path(path)
    name, target = path.name, path.name + SUFFIX
    partial = target + ".partial"
    try:
        with safe.directory(path.parent) as folder, safe.open_regular(folder, name) as source:
            mode = os.fstat(source.fileno()).st_mode & 0o777
            safe.remove(folder, partial)  # a stale partial or a planted link: the entry only
            try:
                with safe.create_new(folder, partial, mode) as sink:
                    encrypt_stream(source, sink, key)
                    sink.flush()
                    os.fsync(sink.fileno())
                os.rename(partial, target, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                safe.remove(folder, partial)
                raise
            safe.remove(folder, name)
            os.fsync(folder)
    except OSError as exc:
        raise CryptoError(f"{path}: cannot encrypt: {exc.strerror or exc}") from exc
    return path.with_name(target)


def is_encrypted(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def open_recording(path: Path, keyring: Keyring) -> Iterator[bytes]:
    """A recording's audio, chunk by chunk, decrypted on the fly if it is encrypted."""
    with safe.read_regular(path) as source:
        if is_encrypted(path):
            yield from decrypt_chunks(source, keyring, str(path))
            return
        while block := source.read(CHUNK):
            yield block
