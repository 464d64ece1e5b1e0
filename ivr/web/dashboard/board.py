"""The live board: the calls in progress as the service tracks them (`ivr.service.live`), with
their profile and language from the ledger, and the calls that just ended with their decision.

One task polls the service's read-only view a few times a second (reading memory only; the
ledger is read when a call appears or ends) and bumps a version when anything shown changed;
each browser's event stream waits on that version. Polling keeps the seam with the call
tracking to a single read-only method, whatever the core does with its sessions.

It polls only while a browser's event stream is open: unwatched, it would spend the service's
CPU and the ledger thread's turns (a read per new call, one per ended call every poll until its
decision is written) on a board nobody sees. The recent calls are those that ended while
someone watched.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from ivr.ledger.aio import AsyncLedger
from ivr.ledger.errors import LedgerUnavailableError
from ivr.service.live import EMPTY_HISTOGRAM, LatencyHistogram, LiveCall, LiveView

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
RECENT = 20  # ended calls kept on the board
DECISION_WAIT_SECONDS = 30.0  # an ended call's decision is looked for this long in the ledger


@dataclass(frozen=True)
class Row:
    call_id: str
    phase: str
    recording: bool
    paused: tuple[str, ...]
    profile: str
    language: str
    started: datetime | None
    decision: str | None = None  # once ended: the ledger's final decision


@dataclass(frozen=True)
class Snapshot:
    available: bool
    live: tuple[Row, ...]
    recent: tuple[Row, ...]


class LiveBoard:
    def __init__(self, view: LiveView | None, ledger: AsyncLedger) -> None:
        self._view = view
        self._ledger = ledger
        self._rows: dict[str, Row] = {}
        self._ending: dict[str, tuple[Row, float]] = {}  # ended, decision not read yet
        self._recent: deque[Row] = deque(maxlen=RECENT)
        self.version = 0
        self._tick = asyncio.Event()
        self._watchers = 0
        self._watched = asyncio.Event()
        self.closing = False

    def snapshot(self) -> Snapshot:
        live = sorted(self._rows.values(), key=lambda r: (r.started is None, r.started))
        return Snapshot(self._view is not None, tuple(live), tuple(self._recent))

    def stop_latencies(self) -> LatencyHistogram:
        return self._view.stop_latencies() if self._view is not None else EMPTY_HISTOGRAM

    async def wait(self, seen: int, timeout: float) -> bool:
        """True once the version differs from `seen` (or the board closes); False on timeout."""
        tick = self._tick
        if self.version != seen or self.closing:
            return True
        try:
            await asyncio.wait_for(tick.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.closing = True
        self._watched.set()  # the polling task ends
        self._bump()

    @contextmanager
    def watching(self) -> Iterator[None]:
        """While a browser's event stream is open: the board polls."""
        self._watchers += 1
        self._watched.set()
        try:
            yield
        finally:
            self._watchers -= 1
            if self._watchers == 0 and not self.closing:
                self._watched.clear()

    async def run(self) -> None:
        if self._view is None:
            return
        store_down = False
        while not self.closing:
            await self._watched.wait()
            if self.closing:
                return
            store_down = await self._refresh_once(store_down)
            await asyncio.sleep(POLL_SECONDS)

    async def _refresh_once(self, store_down: bool) -> bool:
        """One refresh; whether the store is down now (an outage is said once, not four times
        a second, and its end once)."""
        try:
            await self.refresh()
        except LedgerUnavailableError as exc:
            if not store_down:
                log.warning("live board: the store cannot be read, rows kept as they were: %s", exc)
            return True
        except Exception:  # the board must outlive a ledger hiccup; it shows stale rows
            log.exception("live board: refresh failed")
            return store_down
        if store_down:
            log.info("live board: the store reads again")
        return False

    async def refresh(self) -> None:
        assert self._view is not None
        calls = {call.call_id: call for call in self._view.calls()}
        changed = False
        for call_id in set(self._rows) - set(calls):
            self._ending[call_id] = (self._rows.pop(call_id), asyncio.get_running_loop().time())
            changed = True
        for call in calls.values():
            row = await self._row(call)
            if self._rows.get(call.call_id) != row:
                self._rows[call.call_id], changed = row, True
        changed = await self._settle_ended() or changed
        if changed:
            self._bump()

    async def _row(self, call: LiveCall) -> Row:
        known = self._rows.get(call.call_id)
        if known is not None and known.started is not None:  # its start row is final
            return replace(known, phase=call.phase, recording=call.recording, paused=call.paused)
        record = await self._ledger.get_call(call.call_id)
        return Row(
            call.call_id,
            call.phase,
            call.recording,
            call.paused,
            (record.profile or "") if record else "",
            (record.language or "") if record else "",
            record.started_at if record else None,
        )

    async def _settle_ended(self) -> bool:
        settled = False
        now = asyncio.get_running_loop().time()
        for call_id, (row, since) in list(self._ending.items()):
            record = await self._ledger.get_call(call_id)
            decision = str(record.decision) if record and record.decision else None
            if decision is None and now - since < DECISION_WAIT_SECONDS:
                continue
            del self._ending[call_id]
            self._recent.appendleft(replace(row, phase="ended", recording=False, decision=decision))
            settled = True
        return settled

    def _bump(self) -> None:
        self.version += 1
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
