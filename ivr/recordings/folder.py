"""The recordings folder as the service sees it: deleting, waiting for closed files, hashing.

Every path is built from a file name the service made (`naming.file_name`), checked against a
strict pattern and resolved inside the folder, so no name can reach outside it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ivr.crypto import SUFFIX
from ivr.recordings import safe, wav
from ivr.recordings.naming import DEFAULT_FORMAT, UnsafeRecordingName, file_name, is_safe_name

__all__ = ["ClosedRecording", "RecordingsFolder", "UnsafeRecordingName"]

CLOSE_DEADLINE = 10.0
EMPTY_SETTLE = 0.5  # a header-only file may still be written to: look again after this
POLL = 0.05


@dataclass(frozen=True)
class ClosedRecording:
    path: Path
    duration_seconds: float
    sha256: str


class RecordingsFolder:
    def __init__(self, root: Path, fmt: str = DEFAULT_FORMAT) -> None:
        self.root = root.resolve()
        self.fmt = fmt
        file_name("check", fmt)  # an unsupported format fails here, at start-up

    def name_of(self, call_id: str) -> str:
        return file_name(call_id, self.fmt)

    def path_of(self, name: str) -> Path:
        if not is_safe_name(name):
            raise UnsafeRecordingName(f"refusing recording name {name!r}")
        # A safe name has no separator and no "..": it names an entry of the (resolved) root;
        # only a symbolic link could lead elsewhere, and one lstat tells (not a full resolve).
        path = self.root / name
        if path.is_symlink():
            raise UnsafeRecordingName(f"{name!r} is a link: it may resolve outside {self.root}")
        return path

    def delete(self, name: str) -> bool:
        """Remove the file and its encrypted form; True if there was either. An entry that is
        a link is removed itself: what it points at is never touched."""
        if not is_safe_name(name):
            raise UnsafeRecordingName(f"refusing recording name {name!r}")
        try:
            with safe.directory(self.root) as folder_fd:
                found = [safe.remove(folder_fd, entry) for entry in (name, name + SUFFIX)]
        except FileNotFoundError:  # no folder: no file either
            return False
        return any(found)

    def exists(self, name: str) -> bool:
        """A regular file holds the recording, plain or encrypted (a link does not count)."""
        if not is_safe_name(name):
            raise UnsafeRecordingName(f"refusing recording name {name!r}")
        try:
            with safe.directory(self.root) as folder_fd:
                return any(safe.is_regular(folder_fd, entry) for entry in (name, name + SUFFIX))
        except FileNotFoundError:
            return False

    def clear_link(self, name: str) -> bool:
        """Before the PBX writes ``name``: a link planted there would make it write through;
        remove the link (the entry only). True if there was one."""
        if not is_safe_name(name):
            raise UnsafeRecordingName(f"refusing recording name {name!r}")
        try:
            with safe.directory(self.root) as folder_fd:
                return safe.is_link(folder_fd, name) and safe.remove(folder_fd, name)
        except FileNotFoundError:
            return False

    async def wait_closed(self, name: str, deadline: float = CLOSE_DEADLINE) -> bool:
        """Until MixMonitor has closed the file (its header counts every sample)."""
        path = self.path_of(name)
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        while not wav.is_closed(path):  # a stat and a 44-byte read: no thread hop
            if loop.time() > end:
                return False
            await asyncio.sleep(POLL)
        return True

    async def settled_empty(self, name: str, wait: float = EMPTY_SETTLE) -> bool:
        """True if the closed file holds no sample and none arrived in ``wait`` seconds."""
        path = self.path_of(name)
        if wav.frames(path) != 0:
            return False
        await asyncio.sleep(wait)
        return wav.frames(path) == 0 and wav.size(path) == wav.HEADER_BYTES

    async def describe(self, name: str) -> ClosedRecording:
        path = self.path_of(name)
        return await asyncio.to_thread(_describe, path)


def _describe(path: Path) -> ClosedRecording:
    digest = hashlib.sha256()
    with safe.read_regular(path) as handle:  # a link swapped in since is refused
        size = os.fstat(handle.fileno()).st_size
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return ClosedRecording(path, wav.seconds(size), digest.hexdigest())
