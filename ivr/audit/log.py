"""`AuditLog`: the append-only, hash-chained audit log in its own SQLite file.

Each append is one ``BEGIN IMMEDIATE`` transaction that reads the last hash and writes the new
row, so the service and a CLI command appending at once still build one chain. The file is
created 0600 in a 0700 folder (it names who heard which call). One connection is kept for the
log's life (opening one per row cost a file open, a schema check and a journal setup each
time); a lock serialises the threads that share it. Every stored field is capped (`limits`).
After an append, `on_append` (the checkpoint writer, when configured) sees the new head.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ivr.audit import retention
from ivr.audit.chain import Entry, Finding, Row, digest, verify
from ivr.audit.limits import capped

SCHEMA = """CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    reason    TEXT NOT NULL,
    origin    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
)"""
_FIELDS = "at, actor, role, action, target, reason, origin, outcome, detail"
_SELECT = f"SELECT seq, {_FIELDS}, prev_hash, hash FROM audit"  # noqa: S608


class AuditError(Exception):
    """The audit log cannot be opened, read or written; the message names the file."""


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AuditLog:
    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        on_append: Callable[[Row], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.on_append = on_append
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def append(self, entry: Entry) -> Row:
        """Write one row (capped), chained to the last; returns it with its seq and hash."""
        entry = capped(entry)
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            row = self._insert(db, entry)
            db.execute("COMMIT")
        if self.on_append is not None:
            self.on_append(row)
        return row

    @staticmethod
    def _insert(db: sqlite3.Connection, entry: Entry) -> Row:
        last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        if last is None:
            last = retention.read_anchor(db)  # an empty log starts after its anchor
        seq, prev = last[0] + 1, last[1]
        row = Row(seq, entry, prev, digest(prev, entry))
        db.execute(
            f"INSERT INTO audit (seq, {_FIELDS}, prev_hash, hash) VALUES "  # noqa: S608
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, *_values(entry), prev, row.hash),
        )
        return row

    def rows(self, *, since_seq: int = 0, limit: int | None = None) -> list[Row]:
        query = _SELECT + " WHERE seq > ? ORDER BY seq LIMIT ?"
        with self._connect(create=False) as db:
            found = db.execute(query, (since_seq, -1 if limit is None else limit))
            return [_row(r) for r in found]

    def head(self) -> Row | None:
        """The last row, or None when the log is empty."""
        with self._connect(create=False) as db:
            last = db.execute(_SELECT + " ORDER BY seq DESC LIMIT 1").fetchone()
            return None if last is None else _row(last)

    def verify(self) -> list[Finding]:
        rows = self.rows()
        anchor = self.anchor()
        return retention.vouched(anchor, rows) + verify(rows, anchor)

    def anchor(self) -> tuple[int, str]:
        """(seq, hash) the chain starts after: (0, genesis) until retention removed rows."""
        with self._connect(create=False) as db:
            return retention.read_anchor(db)

    def remove_older_than(self, cutoff: str, who: Entry, days: int) -> Row | None:
        """Apply the log's retention: rows before ``cutoff`` go, in one transaction with the
        chained row (from ``who``'s actor and origin) that records it; None if none was due."""
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            done = retention.remove_before(db, cutoff)
            if done is None:
                return None
            row = self._insert(db, capped(retention.retention_entry(who, *done, days)))
            db.execute("COMMIT")
        if self.on_append is not None:
            self.on_append(row)
        return row

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._open(create)
            try:
                yield db
            except sqlite3.Error as exc:
                raise AuditError(f"{self.path}: {exc}") from exc
            finally:
                if db.in_transaction:
                    db.rollback()

    def _open(self, create: bool) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            self._db = _open(self.path, create)
        except (sqlite3.Error, OSError) as exc:
            raise AuditError(f"{self.path}: cannot open the audit log: {exc}") from exc
        return self._db


def _row(r: tuple[object, ...]) -> Row:
    texts = [str(value) for value in r[1:]]
    return Row(int(str(r[0])), Entry(*texts[:9]), texts[9], texts[10])


def _values(entry: Entry) -> tuple[str, ...]:
    return (
        entry.at,
        entry.actor,
        entry.role,
        entry.action,
        entry.target,
        entry.reason,
        entry.origin,
        entry.outcome,
        entry.detail,
    )


def _open(path: Path, create: bool) -> sqlite3.Connection:
    if create:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    elif not path.is_file():
        raise AuditError(f"{path}: no such audit log")
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA synchronous = FULL")
    db.execute(SCHEMA)  # a log opened for reading first may be written to later
    return db
