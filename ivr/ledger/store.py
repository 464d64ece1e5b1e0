"""`LedgerStore`: what any ledger backend provides (SQLite now; PostgreSQL later, for several
PBXs sharing one ledger).

The interface is synchronous on purpose: a backend owns one connection and is driven from one
thread, and `AsyncLedger` puts any backend on its own worker thread for the event loop.
Every write method is one transaction: it is on disk when it returns, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from ivr.ledger.chain import ChainHead
from ivr.ledger.codec import Detail
from ivr.ledger.health import StoreHealth
from ivr.ledger.model import CallRecord, CallSummary, EventKind, KeptRecording
from ivr.ledger.privacy import ErasureProof, StoredCall, StoredRecording
from ivr.names import Decision, Source


class LedgerStore(Protocol):
    @property
    def health(self) -> StoreHealth:
        """Whether the store is reached, and what waits on this host (a shared store's spool)."""
        ...

    def heal(self) -> bool:
        """Try to reach the store again (and write what waits); True if it takes writes."""
        ...

    @property
    def location(self) -> str:
        """Where the ledger lives, for messages (a file path, a database URL without secret)."""
        ...

    def batch(self, writes: Sequence[Callable[[LedgerStore], object]]) -> list[object]:
        """Run ``writes`` (each given this store) in one transaction; each write's result, or
        the `LedgerError`/`ValueError` that refused it alone."""
        ...

    def start_call(
        self,
        call_id: str,
        *,
        started_at: datetime,
        caller_number: str | None,
        caller_name: str | None,
        profile: str,
        language: str,
        notice_hash: str | None = None,
    ) -> bool: ...

    def add_event(
        self,
        call_id: str,
        *,
        at: datetime,
        kind: EventKind,
        source: Source,
        detail: Detail | None = None,
    ) -> int: ...

    def set_notice_hash(self, call_id: str, notice_hash: str) -> None: ...

    def finish_call(
        self,
        call_id: str,
        *,
        ended_at: datetime,
        decision: Decision,
        recording: KeptRecording | None = None,
    ) -> bool: ...

    def get_call(self, call_id: str) -> CallRecord | None: ...

    def list_calls(
        self, *, since: datetime | None = None, limit: int = 100
    ) -> list[CallSummary]: ...

    def list_recordings(
        self, *, since: datetime | None = None, limit: int = 100, deleted: bool = False
    ) -> list[StoredRecording]: ...

    def get_recording(self, call_id: str) -> StoredRecording | None: ...

    def recordings_started_before(self, cutoff: datetime) -> list[StoredRecording]: ...

    def calls_started_before(self, cutoff: datetime) -> list[StoredCall]: ...

    def calls_of_caller(self, number: str) -> list[str]: ...

    def redaction_of(self, call_id: str) -> str | None: ...

    def mark_recording_deleted(self, call_id: str, *, at: datetime, why: str) -> bool: ...

    def rehash_recording(
        self, call_id: str, *, sha256: str, at: datetime, detail: Detail
    ) -> int: ...

    def redact_calls(self, call_ids: Sequence[str], *, at: datetime, why: str) -> int: ...

    def record_erasure(self, proof: ErasureProof) -> int: ...

    def erasures(self) -> list[ErasureProof]: ...

    def chain_head(self) -> ChainHead | None: ...

    def close(self) -> None: ...
