"""`Ledger`: the consent ledger in one SQLite file, driven from one thread.

Fsync policy: WAL journal with ``synchronous=FULL``: every commit fsyncs the WAL before it
returns. A write the ledger has acknowledged (the method returned) is on disk; it survives a
killed process, an OS crash and a power cut. ``synchronous=NORMAL`` would save about 1-2 ms
of CPU per call (benchmarks/README.md, 2026-12-05) and still survive a killed process, but an OS
crash or a power cut could lose the last commits: an objection whose recording was already
deleted, a kept recording's decision. The ledger is the evidence: it keeps FULL.

Every commit, not only those that gate an action (write-ahead: the rows before arming,
closing or deleting a recording): the ones that gate nothing are the objection with its
recording already stopped and deleted, and a kept call's decision, which reconciliation
cannot rebuild after an OS crash (docs/service-cpu.md, "Commits that gate nothing").

Each write method is ONE transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): killing the process
at any instant leaves the call as it was before that write or as it is after it, never in
between.

Foreign keys are on. A busy timeout lets the CLI read while the service writes (WAL readers
never block the writer). The parent folder is created 0700 and the file 0600, because the
ledger holds caller numbers; SQLite gives its -wal and -shm files the file's permissions.

Values are stored as `ivr.ledger.codec` describes (times as UTC ISO 8601 text, caller strings
escaped so that anything round-trips); every statement is parameterised.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from ivr.ledger import privacy, rows, sqlite_chain
from ivr.ledger.chain import ChainFinding, ChainHead, verify
from ivr.ledger.codec import Detail, encode_detail, encode_time, escape_text
from ivr.ledger.db import Db
from ivr.ledger.errors import (
    LedgerClosedError,
    LedgerConflictError,
    LedgerError,
    LedgerUnreadableError,
    UnknownCallError,
)
from ivr.ledger.health import StoreHealth
from ivr.ledger.model import CallRecord, CallSummary, EventKind, KeptRecording
from ivr.ledger.privacy import ErasureProof, StoredCall, StoredRecording
from ivr.ledger.schema import CURRENT_VERSION, migrate, version_of
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, Source

BUSY_TIMEOUT = 5.0


class Ledger:
    """The SQLite `LedgerStore`. Make one with `Ledger.open`; use it from one thread only
    (sqlite3 enforces this); `AsyncLedger` is the asyncio façade."""

    def __init__(self, db: Db, path: Path) -> None:
        self._db: Db | None = db
        self._path = path
        self._batching = False
        self.health = StoreHealth("sqlite")

    def batch(self, writes: Sequence[Callable[[LedgerStore], object]]) -> list[object]:
        """Run ``writes`` in one transaction (one fsync); each is a savepoint of its own, so
        one refused (a conflict, a bad value) is rolled back alone and returned as its error,
        the others kept."""
        results: list[object] = []
        with self._write() as db:
            self._batching = True
            try:
                for write in writes:
                    results.append(self._savepoint(db, write))
            finally:
                self._batching = False
        return results

    def heal(self) -> bool:
        """A file is always there: nothing to reach again."""
        return True

    def _savepoint(self, db: Db, write: Callable[[LedgerStore], object]) -> object:
        db.execute("SAVEPOINT one_write")
        try:
            result = write(self)
        except (LedgerError, ValueError) as exc:
            db.execute("ROLLBACK TO one_write")
            result = exc
        db.execute("RELEASE one_write")
        return result

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> Self:
        """Open the ledger at `path`, creating and migrating it unless `read_only`.

        Read-only opening (the CLI) never creates, migrates or writes anything.
        Raises `LedgerUnreadableError`, naming the file, if it cannot be used.
        """
        path = Path(path)
        try:
            db = _connect(path, read_only)
        except (sqlite3.Error, OSError) as exc:
            raise LedgerUnreadableError(f"{path}: cannot open the ledger: {exc}") from exc
        try:
            _configure(db, path, read_only)
        except sqlite3.Error as exc:
            db.close()
            raise LedgerUnreadableError(f"{path}: not a readable ivr ledger: {exc}") from exc
        except BaseException:
            db.close()
            raise
        return cls(db, path)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def location(self) -> str:
        return str(self._path)

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
        """Record a call's start; True if this call recorded it.

        Idempotent: a second start for the same id changes nothing and returns False. A call
        first learned from an event (see `add_event`) gets its start filled in.
        """
        values = rows.start_values(
            call_id, started_at, caller_number, caller_name, profile, language, notice_hash
        )
        with self._write() as db:
            return db.execute(rows.START_CALL, values).rowcount == 1

    def add_event(
        self,
        call_id: str,
        *,
        at: datetime,
        kind: EventKind,
        source: Source,
        detail: Detail | None = None,
    ) -> int:
        """Append an event to a call; its `seq` (the ledger's insertion order).

        Nothing is lost: for a call id the ledger has never seen (the service restarted
        mid-call, or the start was never written) a minimal call row is created, with
        `start_recorded` False and `started_at` the earliest time seen; `start_call` can
        still fill it in.
        """
        values = rows.event_values(call_id, at, kind, source, detail)  # refused before writing
        with self._write() as db:
            db.execute(rows.ENSURE_CALL, values[:2])
            return sqlite_chain.insert_event(db, values)

    def set_notice_hash(self, call_id: str, notice_hash: str) -> None:
        """Record the hash of the notice played, if the call has none yet.

        The same hash again is a no-op; a different one raises `LedgerConflictError`.
        Raises `UnknownCallError` if the call has no row: there is nothing to attach it to.
        """
        call, stored = escape_text(call_id), escape_text(notice_hash)
        with self._write() as db:
            row = db.execute("SELECT notice_hash FROM calls WHERE call_id = ?", (call,)).fetchone()
            if row is None:
                raise UnknownCallError(f"{self.location}: no call {call_id!r}")
            if row[0] is None:
                db.execute("UPDATE calls SET notice_hash = ? WHERE call_id = ?", (stored, call))
            elif row[0] != stored:
                raise LedgerConflictError(f"{self.location}: call {call_id!r} already has a notice")

    def finish_call(
        self,
        call_id: str,
        *,
        ended_at: datetime,
        decision: Decision,
        recording: KeptRecording | None = None,
    ) -> bool:
        """Record the final decision, and the kept recording with it; True if this call did.

        A recording goes with `Decision.KEPT` and only with it (ValueError otherwise). The
        decision is final: the same one again returns False, a different one raises
        `LedgerConflictError` and writes nothing. An unknown call id gets a minimal row, as in
        `add_event`.
        """
        call, wanted = rows.finish_values(call_id, ended_at, decision, recording)
        ended = wanted[0]
        with self._write() as db:
            db.execute(rows.ENSURE_CALL, (call, ended))
            found = rows.outcome_of(db.execute(rows.SELECT_OUTCOME, (call,)).fetchone())
            if found == wanted:
                return False
            if found is not None:
                raise LedgerConflictError(
                    f"{self.location}: call {call_id!r} already ended with {found[1]!r}"
                )
            db.execute(rows.FINISH_CALL, (ended, wanted[1], call))
            if recording is not None:
                db.execute(rows.INSERT_RECORDING, (call, *rows.recording_values(recording)))
        return True

    def get_call(self, call_id: str) -> CallRecord | None:
        """The call with its events (by time, then insertion order), or None."""
        call = escape_text(call_id)
        with self._read() as db:
            row = db.execute(rows.SELECT_CALL, (call,)).fetchone()
            if row is None:
                return None
            events = db.execute(rows.SELECT_EVENTS, (call,)).fetchall()
            return rows.call_record(row, events)

    def list_calls(self, *, since: datetime | None = None, limit: int = 100) -> list[CallSummary]:
        """Calls started at or after `since`, newest first, at most `limit`."""
        if limit < 1:
            raise ValueError(f"limit {limit}: must be at least 1")
        bound = "" if since is None else encode_time(since)
        with self._read() as db:
            return [rows.call_summary(r) for r in db.execute(rows.LIST_CALLS, (bound, limit))]

    # --- Retention and erasure (see `ivr.ledger.privacy`) --------------------------------

    def list_recordings(
        self, *, since: datetime | None = None, limit: int = 100, deleted: bool = False
    ) -> list[StoredRecording]:
        """Kept recordings of calls started at or after `since`, newest first; deleted ones
        (their proof rows) too if `deleted`."""
        if limit < 1:
            raise ValueError(f"limit {limit}: must be at least 1")
        with self._read() as db:
            return privacy.list_recordings(db, since, limit, deleted)

    def get_recording(self, call_id: str) -> StoredRecording | None:
        with self._read() as db:
            return privacy.get_recording(db, call_id)

    def recordings_started_before(self, cutoff: datetime) -> list[StoredRecording]:
        """Recordings not yet deleted of calls started before `cutoff`, oldest first."""
        with self._read() as db:
            return privacy.recordings_started_before(db, cutoff)

    def calls_started_before(self, cutoff: datetime) -> list[StoredCall]:
        """Calls started before `cutoff` whose personal data is still there, oldest first."""
        with self._read() as db:
            return privacy.calls_started_before(db, cutoff)

    def calls_of_caller(self, number: str) -> list[str]:
        """Ids of the calls from `number` (compared without spaces, dots, dashes, brackets)."""
        with self._read() as db:
            return privacy.calls_of_caller(db, number)

    def redaction_of(self, call_id: str) -> str | None:
        with self._read() as db:
            return privacy.redaction_of(db, call_id)

    def mark_recording_deleted(self, call_id: str, *, at: datetime, why: str) -> bool:
        """Note that the recording's file is gone; False if it already was noted."""
        with self._write() as db:
            return privacy.mark_recording_deleted(db, call_id, at, why)

    def rehash_recording(self, call_id: str, *, sha256: str, at: datetime, detail: Detail) -> int:
        """A kept recording's audio changed (a segment silenced): its new sha256, and one
        `recording-redacted` event keeping the old one (and ``detail``), in one transaction;
        the event's seq. `UnknownCallError` if no kept recording of this call is there."""
        call = escape_text(call_id)
        with self._write() as db:
            found = db.execute(rows.SELECT_KEPT_HASH, (call,)).fetchone()
            if found is None:
                raise UnknownCallError(f"{self.location}: no kept recording for call {call_id!r}")
            history = {**detail, "old_sha256": found[0], "new_sha256": sha256}
            db.execute(rows.UPDATE_HASH, (sha256, call))
            kind, source = str(EventKind.RECORDING_REDACTED), str(Source.OPERATOR)
            values = (call, encode_time(at), kind, source, encode_detail(history))
            return sqlite_chain.insert_event(db, values)

    def redact_calls(self, call_ids: Sequence[str], *, at: datetime, why: str) -> int:
        """Remove the callers' number and name and the event details; the rows stay."""
        with self._write() as db:
            count = privacy.redact_calls(db, call_ids, at, why)
        self._forget_old_pages()
        return count

    def _forget_old_pages(self) -> None:
        """Removed personal data must not survive in the write-ahead log: copy it into the
        database (whose freed pages secure_delete zeroes) and truncate the log."""
        self._sqlite().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def record_erasure(self, proof: ErasureProof) -> int:
        with self._write() as db:
            return privacy.record_erasure(db, proof)

    def erasures(self) -> list[ErasureProof]:
        with self._read() as db:
            return privacy.erasures(db)

    def chain_head(self) -> ChainHead | None:
        """The last chained event (what a signed checkpoint of the ledger holds)."""
        with self._read() as db:
            found = sqlite_chain.head(db)
        return None if found is None else ChainHead(*found)

    def chain_hashes(self, seqs: Sequence[int]) -> dict[int, str]:
        """The stored hash of each of these events that has one (for signed checkpoints)."""
        with self._read() as db:
            return sqlite_chain.hashes(db, seqs)

    def verify_chain(self) -> tuple[list[ChainFinding], int, str]:
        """The event chain checked (`chain.verify`): findings, last chained seq, its hash."""
        with self._read() as db:
            return verify(sqlite_chain.stored_events(db))

    def pragmas(self) -> dict[str, object]:
        """The connection's durability settings, as SQLite reports them."""
        db = self._sqlite()
        names = ("journal_mode", "synchronous", "foreign_keys")
        return {name: db.execute(f"PRAGMA {name}").fetchone()[0] for name in names}

    def close(self) -> None:
        if self._db is not None:
            self._sqlite().close()
            self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _connection(self) -> Db:
        if self._db is None:
            raise LedgerClosedError(f"{self.location}: the ledger is closed")
        return self._db

    def _sqlite(self) -> sqlite3.Connection:
        db = self._connection()
        assert isinstance(db, sqlite3.Connection)  # the PostgreSQL subclass overrides its users
        return db

    @contextmanager
    def _write(self) -> Iterator[Db]:
        if self._batching:  # inside `batch`: its transaction and savepoint hold this write
            yield self._connection()
            return
        with self._transaction("BEGIN IMMEDIATE") as db:
            yield db

    @contextmanager
    def _read(self) -> Iterator[Db]:
        try:
            with self._transaction("BEGIN") as db:  # one snapshot for the whole read
                yield db
        except ValueError as exc:  # a stored value this version cannot decode
            raise LedgerUnreadableError(f"{self.location}: {exc}") from exc

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Db]:
        db = self._sqlite()
        try:
            db.execute(begin)
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.rollback()
                raise
        except sqlite3.Error as exc:
            raise LedgerError(f"{self.location}: {exc}") from exc


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        if not path.is_file():
            raise LedgerUnreadableError(f"{path}: no such ledger file")
        uri = f"{path.resolve().as_uri()}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # An existing ledger keeps the permissions its administrator gave it.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)


def _configure(db: sqlite3.Connection, path: Path, read_only: bool) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA secure_delete = ON")  # redacted data is overwritten, not just unlinked
    db.execute("PRAGMA synchronous = FULL")
    if not read_only:
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise LedgerUnreadableError(f"{path}: SQLite refused WAL mode (journal_mode={mode})")
        migrate(db, str(path))
        return
    version = version_of(db, str(path))
    if version == 0:
        raise LedgerUnreadableError(f"{path}: empty file, not an ivr ledger")
    if version != CURRENT_VERSION:
        raise LedgerUnreadableError(
            f"{path}: ledger schema version {version}, this ivr reads {CURRENT_VERSION}: "
            "open it once read-write (start the service) to migrate it"
        )
