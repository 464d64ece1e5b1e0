"""Silencing a segment of a kept recording (card data recorded anyway, PCI DSS): the samples
between two moments become silence, in place, and the file keeps its form (re-encrypted under
the current key when it was encrypted; never written in the clear then).

The audio is streamed: decrypted chunk by chunk, the segment zeroed on the way, written to a
temporary entry created with ``O_EXCL`` and renamed over the recording, so a crash leaves
the old recording or the new one, never half of each. Both contents' sha256 (of the audio, as
the ledger keeps it) are returned for the ledger's history.
"""

from __future__ import annotations

import hashlib
import io
import os
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ivr.crypto import Keyring, open_recording
from ivr.crypto.stream import encrypt_stream, is_encrypted
from ivr.recordings import safe

_TEMPORARY = ".redacting"


class RedactionError(Exception):
    """The segment cannot be silenced (bad bounds, an unknown audio layout); nothing changed."""


@dataclass(frozen=True)
class Redacted:
    path: Path
    old_sha256: str
    new_sha256: str
    silenced_bytes: int


def silence(path: Path, start: float, end: float, keyring: Keyring) -> Redacted:
    """Silence ``start``..``end`` seconds of the recording at ``path`` (plain or ``.enc``)."""
    if not 0 <= start < end:
        raise RedactionError(f"segment {start:g}-{end:g} s: give 0 <= from < to")
    key = keyring.current if is_encrypted(path) else None
    if is_encrypted(path) and key is None:
        raise RedactionError(f"{path.name}: encrypted, but no current key to encrypt it again")
    old, new = hashlib.sha256(), hashlib.sha256()
    chunks = open_recording(path, keyring)
    header = _header(chunks)
    span = _byte_span(header, start, end)
    audio = _Silenced(_with_header(header, chunks), span, old, new)
    temporary = path.name + _TEMPORARY
    with safe.directory(path.parent) as folder:
        mode = os.stat(path.name, dir_fd=folder, follow_symlinks=False).st_mode & 0o777
        safe.remove(folder, temporary)  # a leftover of a crash, or a planted link: the entry
        try:
            with safe.create_new(folder, temporary, mode) as sink:
                if key is not None:
                    encrypt_stream(audio, sink, key)
                else:
                    while block := audio.read(1 << 16):
                        sink.write(block)
                sink.flush()
                os.fsync(sink.fileno())
            os.rename(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
            os.fsync(folder)
        except BaseException:
            safe.remove(folder, temporary)
            raise
    return Redacted(path, old.hexdigest(), new.hexdigest(), audio.silenced)


def _header(chunks: Iterator[bytes]) -> bytes:
    data = b""
    while len(data) < 44:
        block = next(chunks, b"")
        if not block:
            raise RedactionError("not a WAV recording: shorter than its header")
        data += block
    return data


def _with_header(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _byte_span(header: bytes, start: float, end: float) -> tuple[int, int]:
    """The bytes of the segment, whole frames, from the WAV header's own layout."""
    try:
        with wave.open(io.BytesIO(header[:44]), "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
    except (wave.Error, EOFError) as exc:
        raise RedactionError(f"not a WAV recording the service wrote: {exc}") from None
    if width != 2:
        raise RedactionError(f"{width * 8}-bit audio: only 16-bit PCM is silenced")
    frame = width * channels
    return 44 + round(start * rate) * frame, 44 + round(end * rate) * frame


class _Silenced:
    """The audio with the span's bytes zeroed (16-bit PCM silence), hashing before and after."""

    def __init__(
        self,
        chunks: Iterator[bytes],
        span: tuple[int, int],
        old: hashlib._Hash,
        new: hashlib._Hash,
    ) -> None:
        self._chunks, self._span, self._old, self._new = chunks, span, old, new
        self._offset, self._pending = 0, b""
        self.silenced = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._pending) < size:
            block = next(self._chunks, b"")
            if not block:
                break
            self._pending += self._zeroed(block)
        if size < 0:
            size = len(self._pending)
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def _zeroed(self, block: bytes) -> bytes:
        self._old.update(block)
        first, last = self._offset, self._offset + len(block)
        low, high = max(first, self._span[0]), min(last, self._span[1])
        if low < high:
            block = block[: low - first] + bytes(high - low) + block[high - first :]
            self.silenced += high - low
        self._offset = last
        self._new.update(block)
        return block
