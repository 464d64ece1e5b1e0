"""The recordings folder as the service sees it: deleting, waiting for closed files, hashing.

Every path is built from a file name the service made (``ivr-<uniqueid>.wav``), checked against
a strict pattern and resolved inside the folder, so no name can reach outside it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ivr.qa.audio import wav_frames, wav_is_closed

SAFE_NAME = re.compile(r"ivr-[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.wav")
CLOSE_DEADLINE = 10.0
EMPTY_SETTLE = 0.5  # a header-only file may still be written to: look again after this
POLL = 0.05


class UnsafeRecordingName(ValueError):
    """A recording name that is not one the service makes."""


@dataclass(frozen=True)
class ClosedRecording:
    path: Path
    duration_seconds: float
    sha256: str


class RecordingsFolder:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_of(self, file_name: str) -> Path:
        if not SAFE_NAME.fullmatch(file_name) or ".." in file_name:
            raise UnsafeRecordingName(f"refusing recording name {file_name!r}")
        path = (self.root / file_name).resolve()
        if path.parent != self.root:
            raise UnsafeRecordingName(f"{file_name!r} resolves outside {self.root}")
        return path

    def delete(self, file_name: str) -> bool:
        """Remove the file; True if there was one."""
        try:
            self.path_of(file_name).unlink()
        except FileNotFoundError:
            return False
        return True

    def exists(self, file_name: str) -> bool:
        return self.path_of(file_name).exists()

    async def wait_closed(self, file_name: str, deadline: float = CLOSE_DEADLINE) -> bool:
        """Until MixMonitor has closed the file (its header counts every sample)."""
        path = self.path_of(file_name)
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        while not await asyncio.to_thread(wav_is_closed, path):
            if loop.time() > end:
                return False
            await asyncio.sleep(POLL)
        return True

    async def settled_empty(self, file_name: str, wait: float = EMPTY_SETTLE) -> bool:
        """True if the closed file holds no sample and none arrived in ``wait`` seconds."""
        path = self.path_of(file_name)
        if await asyncio.to_thread(wav_frames, path) != 0:
            return False
        await asyncio.sleep(wait)
        return await asyncio.to_thread(wav_frames, path) == 0 and path.stat().st_size == 44

    async def describe(self, file_name: str) -> ClosedRecording:
        path = self.path_of(file_name)
        return await asyncio.to_thread(_describe, path)


def _describe(path: Path) -> ClosedRecording:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    size = path.stat().st_size
    return ClosedRecording(path, max(size - 44, 0) / 16000, digest.hexdigest())
