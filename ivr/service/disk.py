"""The recordings folder's health: free space and a write probe, checked in the background.

A full or read-only folder does not stop calls (the dialplan never waits on it) but every
recording started then is lost or truncated: the service says so on /healthz and /metrics.
The probe runs in a thread, off the event loop, so a stuck filesystem cannot stall the calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PROBE_EVERY = 1.0
PROBE_BYTES = 4096
MIN_FREE_BYTES = 256 * 1024  # about 16 s of one 8 kHz recording: below, new ones get cut


@dataclass(frozen=True)
class FolderHealth:
    ok: bool
    writable: bool
    free_bytes: int
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


UNKNOWN = FolderHealth(ok=False, writable=False, free_bytes=0, error="not checked yet")


def check(folder: Path) -> FolderHealth:
    try:
        stats = os.statvfs(folder)
    except OSError as exc:
        return FolderHealth(ok=False, writable=False, free_bytes=0, error=str(exc))
    free = stats.f_bavail * stats.f_frsize
    if (failed := _probe(folder)) is not None:
        return FolderHealth(ok=False, writable=False, free_bytes=free, error=failed)
    low = free < MIN_FREE_BYTES
    error = f"{free} bytes free, less than {MIN_FREE_BYTES}" if low else None
    return FolderHealth(ok=not low, writable=True, free_bytes=free, error=error)


def _probe(folder: Path) -> str | None:
    """Write a few blocks and remove them; the error, if that failed."""
    probe = folder / f".ivr-probe-{os.getpid()}"
    try:
        with probe.open("wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
    except OSError as exc:
        return f"write probe failed: {exc}"
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
    return None


class FolderWatch:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.health = UNKNOWN

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.update(await asyncio.to_thread(check, self.folder))
            try:
                async with asyncio.timeout(PROBE_EVERY):
                    await stop.wait()
            except TimeoutError:
                pass

    def update(self, health: FolderHealth) -> None:
        if health.ok != self.health.ok or self.health is UNKNOWN:
            level = logging.INFO if health.ok else logging.ERROR
            log.log(level, "recordings folder %s: %s", self.folder, health.error or "ok")
        self.health = health
