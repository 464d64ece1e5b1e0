"""`SpooledLedger`: the shared ledger, with a durable spool on this host for when the
database is away.

The consent flow's writes (a call's start, its events, its decision) go to PostgreSQL while it
answers. When it does not (restarting, network cut), they go to a local SQLite ledger (the
spool, fsynced like any ledger) instead: the write is durable, so the call's recording may
start, and nothing is lost. While the spool holds rows every later write goes there too, so
the order is kept; once the database answers again the spool is replayed into it, in order
(starts, then every event in the order it was written, then the decisions), in ONE
transaction that also records the spool's id, so a crash between that commit and emptying the
spool never replays it twice. Attempts to reach the database are spaced (`RETRY_SECONDS`), so
an outage does not add a connection timeout to every write.

If neither the database nor the spool can take a write, it fails (`LedgerUnavailableError`):
the call's worker then refuses to start its recording (fail closed). Writes outside the call
flow (retention, erasure) and reads need the database itself.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ivr.ledger.chain import ChainHead
from ivr.ledger.codec import Detail
from ivr.ledger.errors import LedgerUnavailableError
from ivr.ledger.model import CallRecord, CallSummary, EventKind, KeptRecording
from ivr.ledger.postgres import PgLedger
from ivr.ledger.privacy import ErasureProof, StoredCall, StoredRecording
from ivr.ledger.sqlite import Ledger
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, Source
from ivr.store.alarm import SpoolHealth

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
T = TypeVar("T")
Write = Callable[[LedgerStore], object]
_META = "CREATE TABLE IF NOT EXISTS spool_meta (id TEXT NOT NULL)"


class SpooledLedger:
    def __init__(
        self, primary: PgLedger, spool_path: Path, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.primary = primary
        self.spool_path = spool_path
        self.health = SpoolHealth("postgresql")
        self._spool: Ledger | None = None
        self._clock = clock
        self._next_try = 0.0
        if spool_path.is_file():  # left by an outage before a restart: replay it first
            self._spool = Ledger.open(spool_path)
            self.health.spooled_rows = _rows(self._spool)
            self.heal()

    @property
    def location(self) -> str:
        return self.primary.location

    # --- The call flow's writes: the database, or the spool ------------------------------

    def batch(self, writes: Sequence[Write]) -> list[object]:
        return self._flow(lambda store: store.batch(writes))

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
    ) -> bool:
        return self._flow(
            lambda s: s.start_call(
                call_id, started_at=started_at, caller_number=caller_number,
                caller_name=caller_name, profile=profile, language=language,
                notice_hash=notice_hash,
            )
        )  # fmt: skip

    def add_event(
        self,
        call_id: str,
        *,
        at: datetime,
        kind: EventKind,
        source: Source,
        detail: Detail | None = None,
    ) -> int:
        return self._flow(
            lambda s: s.add_event(call_id, at=at, kind=kind, source=source, detail=detail)
        )

    def set_notice_hash(self, call_id: str, notice_hash: str) -> None:
        self._flow(lambda s: s.set_notice_hash(call_id, notice_hash))

    def finish_call(
        self,
        call_id: str,
        *,
        ended_at: datetime,
        decision: Decision,
        recording: KeptRecording | None = None,
    ) -> bool:
        return self._flow(
            lambda s: s.finish_call(
                call_id, ended_at=ended_at, decision=decision, recording=recording
            )
        )

    def _flow(self, write: Callable[[LedgerStore], T]) -> T:
        if self.heal():
            try:
                return write(self.primary)
            except LedgerUnavailableError as exc:
                self._lost(exc)
        try:
            spool = self._open_spool()
            result = write(spool)
        except Exception as exc:  # neither place takes it: the caller fails closed
            raise LedgerUnavailableError(
                f"{self.location}: unreachable, and the spool {self.spool_path} refused the "
                f"write: {exc}"
            ) from exc
        self.health.spooled_rows = _rows(spool)
        return result

    # --- Back to the database -----------------------------------------------------------

    def heal(self) -> bool:
        """True if the database takes writes now (the spool replayed into it, if any)."""
        if not self.health.reachable and self._clock() < self._next_try:
            return False
        try:
            if self._spool is not None:
                self._replay(self._spool)
            else:
                self.primary.ping()
        except LedgerUnavailableError as exc:
            self._lost(exc)
            return False
        if not self.health.reachable:
            log.info("%s: the store answers again", self.location)
        self.health.reachable, self.health.last_error = True, ""
        return True

    def _lost(self, exc: Exception) -> None:
        just_lost = self.health.reachable
        if just_lost:
            log.warning("%s: unreachable, writing to the spool %s: %s", self.location,
                        self.spool_path, exc)  # fmt: skip
        self.health.reachable, self.health.last_error = False, str(exc)
        self._next_try = self._clock() + RETRY_SECONDS
        if just_lost:
            self.health.lost.ring()  # the heal task sleeps until the store is lost

    def _replay(self, spool: Ledger) -> None:
        spool_id, writes = _replay_writes(spool)
        if writes:
            self.primary.apply_once(spool_id, writes)
            log.info("%s: %d spooled rows written", self.location, len(writes))
        spool.close()
        self.spool_path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.spool_path}{suffix}").unlink(missing_ok=True)
        self._spool, self.health.spooled_rows = None, 0

    def _open_spool(self) -> Ledger:
        if self._spool is None:
            self._spool = Ledger.open(self.spool_path)
            db = self._spool._sqlite()
            db.execute(_META)
            db.execute("INSERT INTO spool_meta (id) VALUES (?)", (uuid.uuid4().hex,))
        return self._spool

    # --- Everything else needs the database itself ----------------------------------------

    def _direct(self, read: Callable[[PgLedger], T]) -> T:
        self.heal()
        if self._spool is not None:
            raise LedgerUnavailableError(f"{self.location}: unreachable (rows are spooled)")
        return read(self.primary)

    def get_call(self, call_id: str) -> CallRecord | None:
        return self._direct(lambda p: p.get_call(call_id))

    def list_calls(self, *, since: datetime | None = None, limit: int = 100) -> list[CallSummary]:
        return self._direct(lambda p: p.list_calls(since=since, limit=limit))

    def list_recordings(
        self, *, since: datetime | None = None, limit: int = 100, deleted: bool = False
    ) -> list[StoredRecording]:
        return self._direct(lambda p: p.list_recordings(since=since, limit=limit, deleted=deleted))

    def get_recording(self, call_id: str) -> StoredRecording | None:
        return self._direct(lambda p: p.get_recording(call_id))

    def recordings_started_before(self, cutoff: datetime) -> list[StoredRecording]:
        return self._direct(lambda p: p.recordings_started_before(cutoff))

    def calls_started_before(self, cutoff: datetime) -> list[StoredCall]:
        return self._direct(lambda p: p.calls_started_before(cutoff))

    def calls_of_caller(self, number: str) -> list[str]:
        return self._direct(lambda p: p.calls_of_caller(number))

    def redaction_of(self, call_id: str) -> str | None:
        """The call flow asks at the close of every recording. While the store is away no
        erasure can be made (erasing needs the store), so the answer is None; an erasure
        asked for later still finds the call and its file."""
        try:
            return self._direct(lambda p: p.redaction_of(call_id))
        except LedgerUnavailableError:
            return None

    def mark_recording_deleted(self, call_id: str, *, at: datetime, why: str) -> bool:
        return self._direct(lambda p: p.mark_recording_deleted(call_id, at=at, why=why))

    def rehash_recording(self, call_id: str, *, sha256: str, at: datetime, detail: Detail) -> int:
        return self._direct(
            lambda p: p.rehash_recording(call_id, sha256=sha256, at=at, detail=detail)
        )

    def chain_head(self) -> ChainHead | None:
        return self._direct(lambda p: p.chain_head())

    def redact_calls(self, call_ids: Sequence[str], *, at: datetime, why: str) -> int:
        return self._direct(lambda p: p.redact_calls(call_ids, at=at, why=why))

    def record_erasure(self, proof: ErasureProof) -> int:
        return self._direct(lambda p: p.record_erasure(proof))

    def erasures(self) -> list[ErasureProof]:
        return self._direct(lambda p: p.erasures())

    def close(self) -> None:
        self.primary.close()
        if self._spool is not None:
            self._spool.close()


def _rows(spool: Ledger) -> int:
    db = spool._sqlite()
    return int(db.execute("SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM events)")
               .fetchone()[0])  # fmt: skip


def _replay_writes(spool: Ledger) -> tuple[str, list[Write]]:
    """The spool's content as the writes that made it, in order: starts (or the minimal rows
    of calls begun before the outage), events by their spool order, then decisions."""
    db = spool._sqlite()
    db.execute(_META)
    found = db.execute("SELECT id FROM spool_meta").fetchone()
    ids = [str(row[0]) for row in db.execute("SELECT call_id FROM calls ORDER BY rowid")]
    calls = [c for c in (spool.get_call(_plain(i)) for i in ids) if c is not None]
    writes: list[Write] = [_start(c) for c in calls if c.start_recorded]
    events = sorted((e.seq, c.call_id, e) for c in calls for e in c.events)
    writes += [_event(call_id, e.at, e.kind, e.source, e.detail) for _, call_id, e in events]
    writes += [_notice(c.call_id, c.notice_hash) for c in calls if not c.start_recorded
               and c.notice_hash is not None]  # fmt: skip
    writes += [_finish(c) for c in calls if c.decision is not None]
    return ("" if found is None else str(found[0])), writes


def _plain(stored: str) -> str:
    from ivr.ledger.codec import unescape_text

    return unescape_text(stored)


def _start(c: CallRecord) -> Write:
    return lambda s: s.start_call(
        c.call_id, started_at=c.started_at, caller_number=c.caller_number,
        caller_name=c.caller_name, profile=c.profile or "", language=c.language or "",
        notice_hash=c.notice_hash,
    )  # fmt: skip


def _event(call_id: str, at: datetime, kind: EventKind, source: Source, detail: Detail) -> Write:
    return lambda s: s.add_event(call_id, at=at, kind=kind, source=source, detail=detail or None)


def _notice(call_id: str, notice_hash: str | None) -> Write:
    assert notice_hash is not None
    return lambda s: s.set_notice_hash(call_id, notice_hash)


def _finish(c: CallRecord) -> Write:
    assert c.ended_at is not None
    assert c.decision is not None
    ended, decision = c.ended_at, c.decision
    return lambda s: s.finish_call(
        c.call_id, ended_at=ended, decision=decision, recording=c.recording
    )
