"""Where signed checkpoints go: an append-only file and/or syslog, and `CheckpointWriter`,
which signs the audit chain's head at most every ``every_seconds`` (and on `flush`).

The file is opened ``O_APPEND`` (the operator may also ``chattr +a`` it) and never through a
link; syslog gets one ``authpriv.info`` datagram per checkpoint, so a copy leaves the machine
when syslog forwards it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ivr.audit.checkpoint import Checkpoint, load_private_key, sign
from ivr.audit.log import now_text
from ivr.config.audit import CheckpointSettings

log = logging.getLogger(__name__)

SYSLOG_PRIORITY = 10 * 8 + 6  # facility authpriv, severity info
SYSLOG_TAG = "ivr-audit-checkpoint"


def append_line(path: Path, line: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def send_syslog(address: str, line: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        sock.send(f"<{SYSLOG_PRIORITY}>{SYSLOG_TAG}: {line}".encode())


class Head(Protocol):
    """A chain's head: an audit row, or the ledger's last chained event."""

    @property
    def seq(self) -> int: ...

    @property
    def hash(self) -> str: ...


class CheckpointWriter:
    """Signs the head the log reports after each append, when one is due; thread-safe."""

    def __init__(
        self,
        settings: CheckpointSettings,
        chain: str = "audit",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.chain = chain
        self.key = load_private_key(settings.key_file)  # fails at start-up, not at first row
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: Head | None = None
        self._written_seq = 0
        self._written_at: float | None = None

    def __call__(self, row: Head) -> None:
        with self._lock:
            self._pending = row
            last = self._written_at
            if last is None or self._clock() - last >= self.settings.every_seconds:
                self._write()

    def flush(self, head: Head | None = None) -> bool:
        """Sign the last head seen (or ``head``, read from the log) if it is not signed yet;
        True if a checkpoint was written."""
        with self._lock:
            if head is not None and (self._pending is None or head.seq > self._pending.seq):
                self._pending = head
            return self._write()

    def _write(self) -> bool:
        row = self._pending
        if row is None or row.seq <= self._written_seq:
            return False
        line = sign(Checkpoint(self.chain, row.seq, row.hash, now_text()), self.key)
        try:
            if self.settings.file is not None:
                append_line(self.settings.file, line)
            if self.settings.syslog is not None:
                send_syslog(self.settings.syslog, line)
        except OSError as exc:
            # The row itself is written; the next append or flush retries the checkpoint.
            log.error("cannot export the %s checkpoint at row %s: %s", self.chain, row.seq, exc)
            return False
        self._written_seq, self._written_at = row.seq, self._clock()
        log.debug("%s checkpoint at row %s", self.chain, row.seq)
        return True
