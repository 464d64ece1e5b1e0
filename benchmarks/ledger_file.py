"""The ledger's outcome of each call, read straight from the service's SQLite file.

A benchmark that measures the service's CPU must not charge it for its own observation: read
through the API, every poll is an HTTP request, a ledger query on the service's writer thread
and an access row fsynced into its audit log. Here the benchmark's own process opens the file
read-only (WAL: readers never block the service's writer) and polls it on a thread of its own.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ivr.ledger.sqlite import Ledger

POLL = 0.05


class LedgerFile:
    """`final_entry` as `ivr.simulate.ledger_api.LedgerApi` has it, the same JSON entry."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ledger: Ledger | None = None
        # sqlite3 connections belong to the thread that made them: one thread, one connection.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-file")

    def _get(self, call_id: str) -> dict[str, Any] | None:
        if self._ledger is None:
            self._ledger = Ledger.open(self.path, read_only=True)
        record = self._ledger.get_call(call_id)
        return None if record is None else record.to_json()

    async def final_entry(self, call_id: str, timeout: float) -> dict[str, Any] | None:
        """The entry once its decision is written; the last entry seen (or None) past the
        deadline."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        entry: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            entry = await loop.run_in_executor(self._thread, self._get, call_id)
            if entry is not None and entry.get("decision"):
                return entry
            await asyncio.sleep(POLL)
        return entry

    def close(self) -> None:
        if self._ledger is not None:
            self._thread.submit(self._ledger.close).result()
        self._thread.shutdown()
