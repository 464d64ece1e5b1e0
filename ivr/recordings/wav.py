"""What a WAV recording's header says: whether the writer closed it, and how long it is."""

from __future__ import annotations

import wave
from pathlib import Path

from ivr.recordings import safe

HEADER_BYTES = 44
BYTES_PER_SECOND = 16000  # MixMonitor's .wav: 16-bit mono at 8 kHz


def frames(path: Path) -> int | None:
    """The sample count the header announces, or None when it cannot be read."""
    try:
        with safe.read_regular(path) as handle, wave.open(handle, "rb") as wav:
            return wav.getnframes()
    except (OSError, EOFError, wave.Error):
        return None


def is_closed(path: Path) -> bool:
    """True once the writer has closed the file: its header then counts every sample in it.

    A file with no sample at all is consistent from its first byte: callers that care tell it
    apart with ``frames``.
    """
    count = frames(path)
    return count is not None and count * 2 + HEADER_BYTES == size(path)


def seconds(size: int) -> float:
    """The length of a closed file of ``size`` bytes."""
    return max(size - HEADER_BYTES, 0) / BYTES_PER_SECOND


def size(path: Path) -> int:
    """The entry's size, -1 if it is missing (a link's own size: never matches a header)."""
    try:
        return path.lstat().st_size
    except OSError:
        return -1
