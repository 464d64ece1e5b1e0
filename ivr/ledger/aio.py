"""`AsyncLedger`: the ledger for asyncio code, on one dedicated worker thread.

The worker thread opens the backend and runs every call on it, in submission order: sqlite3
connections belong to the thread that made them, and the event loop never waits for an fsync.
Awaiting a write means it is on disk. Cancelling the await does not cancel the write: once
submitted it runs to its commit (or rollback) on the worker, like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

from ivr.ledger.chain import ChainHead
from ivr.ledger.codec import Detail
from ivr.ledger.errors import LedgerClosedError
from ivr.ledger.health import StoreHealth
from ivr.ledger.model import CallRecord, CallSummary, EventKind, KeptRecording
from ivr.ledger.privacy import ErasureProof, StoredCall, StoredRecording
from ivr.ledger.sqlite import Ledger
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, Source

P = ParamSpec("P")
OS_THREAD_NAME = "ivr-ledger"  # at most 15 bytes (the kernel's limit)
T = TypeVar("T")
_Batch = tuple[list[Callable[[LedgerStore], object]], "asyncio.Future[list[object]]"]


class AsyncLedger:
    """Awaitable twins of the `LedgerStore` methods. Make one with `open` or `start`."""

    def __init__(self, store: LedgerStore, worker: ThreadPoolExecutor) -> None:
        self._store = store
        self._worker = worker
        self._closed = False
        self._lock = threading.Lock()  # guards the two below, shared with the worker thread
        self._pending: list[_Batch] = []  # batches waiting for the next group commit
        self._flushing = False  # the worker is committing, or about to

    @classmethod
    async def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> Self:
        """The SQLite ledger at `path` (see `Ledger.open`), opened on the worker thread."""
        return await cls.start(functools.partial(Ledger.open, path, read_only=read_only))

    @classmethod
    async def start(cls, factory: Callable[[], LedgerStore]) -> Self:
        """Start the worker thread and make the backend on it with `factory`."""
        worker = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="ivr-ledger", initializer=_name_for_the_os
        )
        try:
            store = await asyncio.get_running_loop().run_in_executor(worker, factory)
        except BaseException:
            worker.shutdown(wait=False)
            raise
        return cls(store, worker)

    @property
    def location(self) -> str:
        return self._store.location

    @property
    def health(self) -> StoreHealth:
        return self._store.health

    async def heal(self) -> bool:
        """Reach the store again if it was lost, writing its spool (on the worker thread)."""
        return await self._run(self._store.heal)

    async def batch(self, writes: Sequence[Callable[[LedgerStore], object]]) -> list[object]:
        """Several writes in one transaction (see `LedgerStore.batch`); returns once they are on
        disk. Group commit: batches that arrive while one is being written go together in the
        next transaction, so many calls in flight share one fsync instead of one each.

        The worker thread takes the next group itself as soon as a commit is done, and the loop
        hears of each commit once (one wake-up for all its waiters): no task of the loop's and
        no `run_in_executor` future per commit (~20 µs less per commit, benchmarks/README.md,
        third pass). No window is waited for company: measured, 10 ms of it saved nothing
        beside the PBX, and every durable write would wait it."""
        if self._closed:
            raise LedgerClosedError(f"{self.location}: the ledger is closed")
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[object]] = loop.create_future()
        with self._lock:
            self._pending.append((list(writes), done))
            idle, self._flushing = not self._flushing, True
        if idle:
            self._worker.submit(self._commit_pending, loop)
        return await done

    def _commit_pending(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the worker thread: commit what is pending, again and again, until nothing is."""
        while True:
            with self._lock:
                taken, self._pending = self._pending, []
                if not taken:
                    self._flushing = False
                    return
            outcome: list[object] | BaseException
            try:
                outcome = self._store.batch([w for ws, _ in taken for w in ws])
            except BaseException as exc:  # every waiter hears of it; nothing is left hanging
                outcome = exc
            with contextlib.suppress(RuntimeError):  # a closed loop: no one is left to tell
                loop.call_soon_threadsafe(_resolve, taken, outcome)

    async def start_call(
        self,
        call_id: str,
        *,
        started_at: datetime,
        caller_number: str | None,
        caller_name: str | None,
        profile: str,
        language: str,
        notice_hash: str | None = None,
    ) -> bool:
        return await self._run(
            self._store.start_call,
            call_id,
            started_at=started_at,
            caller_number=caller_number,
            caller_name=caller_name,
            profile=profile,
            language=language,
            notice_hash=notice_hash,
        )

    async def add_event(
        self,
        call_id: str,
        *,
        at: datetime,
        kind: EventKind,
        source: Source,
        detail: Detail | None = None,
    ) -> int:
        return await self._run(
            self._store.add_event, call_id, at=at, kind=kind, source=source, detail=detail
        )

    async def set_notice_hash(self, call_id: str, notice_hash: str) -> None:
        await self._run(self._store.set_notice_hash, call_id, notice_hash)

    async def finish_call(
        self,
        call_id: str,
        *,
        ended_at: datetime,
        decision: Decision,
        recording: KeptRecording | None = None,
    ) -> bool:
        return await self._run(
            self._store.finish_call,
            call_id,
            ended_at=ended_at,
            decision=decision,
            recording=recording,
        )

    async def get_call(self, call_id: str) -> CallRecord | None:
        return await self._run(self._store.get_call, call_id)

    async def list_calls(
        self, *, since: datetime | None = None, limit: int = 100
    ) -> list[CallSummary]:
        return await self._run(self._store.list_calls, since=since, limit=limit)

    async def list_recordings(
        self, *, since: datetime | None = None, limit: int = 100, deleted: bool = False
    ) -> list[StoredRecording]:
        return await self._run(
            self._store.list_recordings, since=since, limit=limit, deleted=deleted
        )

    async def get_recording(self, call_id: str) -> StoredRecording | None:
        return await self._run(self._store.get_recording, call_id)

    async def recordings_started_before(self, cutoff: datetime) -> list[StoredRecording]:
        return await self._run(self._store.recordings_started_before, cutoff)

    async def calls_started_before(self, cutoff: datetime) -> list[StoredCall]:
        return await self._run(self._store.calls_started_before, cutoff)

    async def calls_of_caller(self, number: str) -> list[str]:
        return await self._run(self._store.calls_of_caller, number)

    async def redaction_of(self, call_id: str) -> str | None:
        return await self._run(self._store.redaction_of, call_id)

    async def mark_recording_deleted(self, call_id: str, *, at: datetime, why: str) -> bool:
        return await self._run(self._store.mark_recording_deleted, call_id, at=at, why=why)

    async def rehash_recording(
        self, call_id: str, *, sha256: str, at: datetime, detail: Detail
    ) -> int:
        return await self._run(
            self._store.rehash_recording, call_id, sha256=sha256, at=at, detail=detail
        )

    async def redact_calls(self, call_ids: Sequence[str], *, at: datetime, why: str) -> int:
        return await self._run(self._store.redact_calls, call_ids, at=at, why=why)

    async def record_erasure(self, proof: ErasureProof) -> int:
        return await self._run(self._store.record_erasure, proof)

    async def erasures(self) -> list[ErasureProof]:
        return await self._run(self._store.erasures)

    async def chain_head(self) -> ChainHead | None:
        return await self._run(self._store.chain_head)

    async def aclose(self) -> None:
        """Close the backend after the calls already submitted, then stop the worker."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._worker, self._store.close)
        finally:
            self._worker.shutdown(wait=False)  # idle by now: nothing left to wait for

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _run(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._closed:
            raise LedgerClosedError(f"{self.location}: the ledger is closed")
        call = functools.partial(method, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._worker, call)


def _name_for_the_os() -> None:
    """The writer thread named for `top -H`, `ps -L` and benchmarks/threads.py (Python 3.11
    names its threads for itself only): its share of the service's CPU is read per thread."""
    with contextlib.suppress(OSError):  # not Linux: the name is a convenience
        Path("/proc/thread-self/comm").write_text(OS_THREAD_NAME)


def _resolve(taken: list[_Batch], outcome: list[object] | BaseException) -> None:
    """On the loop: each batch's waiter gets its own results (or the commit's error)."""
    start = 0
    for writes, done in taken:
        if not done.done():  # a cancelled waiter: its writes were committed all the same
            if isinstance(outcome, BaseException):
                done.set_exception(outcome)
            else:
                done.set_result(outcome[start : start + len(writes)])
        start += len(writes)
