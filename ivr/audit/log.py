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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ivr.audit import retention
from ivr.audit.chain import Entry, Finding, Row, digest, verify_stored
from ivr.audit.limits import capped
from ivr.ledger.db import Db

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
SELECT_WITH_SITE = f"SELECT seq, {_FIELDS}, prev_hash, hash, site FROM audit"  # noqa: S608


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
        self.site = ""  # a file holds one site's rows: none is named
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        """Where the log lives, for messages (its file, or the store's URL without secret)."""
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def append(self, entry: Entry) -> Row:
        """Write one row (capped), chained to the last; returns it with its seq and hash."""
        entry = capped(entry)
        with self._connect(create=True) as db:
            self._begin_append(db)
            row = self._insert(db, entry)
            db.execute("COMMIT")
        if self.on_append is not None:
            self.on_append(row)
        return row

    def _begin_append(self, db: Db) -> None:
        """Begin a transaction no other appender can interleave with (SQLite: the write lock)."""
        db.execute("BEGIN IMMEDIATE")

    def _insert(self, db: Db, entry: Entry) -> Row:
        last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        if last is None:
            last = retention.read_anchor(db)  # an empty log starts after its anchor
        seq, prev = int(last[0]) + 1, str(last[1])
        if self.site and not entry.site:
            entry = replace(entry, site=self.site)
        row = Row(seq, entry, prev, digest(prev, entry))
        columns, values = _FIELDS, _values(entry)
        if self.site:
            columns, values = f"{_FIELDS}, site", (*values, entry.site)
        marks = ", ".join("?" * (len(values) + 3))
        db.execute(
            f"INSERT INTO audit (seq, {columns}, prev_hash, hash) VALUES ({marks})",  # noqa: S608
            (seq, *values, prev, row.hash),
        )
        return row

    def _select(self) -> str:
        return _SELECT

    def rows(self, *, since_seq: int = 0, limit: int | None = None) -> list[Row]:
        query = self._select() + " WHERE seq > ? ORDER BY seq"
        with self._connect(create=False) as db:
            if limit is None:
                return [_row(r) for r in db.execute(query, (since_seq,))]
            return [_row(r) for r in db.execute(query + " LIMIT ?", (since_seq, limit))]

    def head(self) -> Row | None:
        """The last row, or None when the log is empty."""
        with self._connect(create=False) as db:
            last = db.execute(self._select() + " ORDER BY seq DESC LIMIT 1").fetchone()
            return None if last is None else _row(last)

    def verify(self) -> list[Finding]:
        """Every break in the chain (`chain.verify`), the rows checked as they stream in."""
        anchor = self.anchor()
        kept: list[Row] = []  # the retention rows, which vouch for the anchor
        with self._connect(create=False) as db:
            stored = _retention_rows(self._stream(db, self._select() + " ORDER BY seq"), kept)
            findings = verify_stored(stored, anchor)
        return retention.vouched(anchor, kept) + findings

    def _stream(self, db: Db, query: str) -> Iterator[tuple[object, ...]]:
        """The query's rows, one by one (sqlite3 steps through them as they are asked for)."""
        yield from db.execute(query)

    def anchor(self) -> tuple[int, str]:
        """(seq, hash) the chain starts after: (0, genesis) until retention removed rows."""
        with self._connect(create=False) as db:
            return retention.read_anchor(db)

    def remove_older_than(self, cutoff: str, who: Entry, days: int) -> Row | None:
        """Apply the log's retention: rows before ``cutoff`` go, in one transaction with the
        chained row (from ``who``'s actor and origin) that records it; None if none was due."""
        with self._connect(create=True) as db:
            self._begin_append(db)
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
    def _connect(self, *, create: bool) -> Iterator[Db]:
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
    """A row as `_SELECT` (and the PostgreSQL log's, which adds ``site`` last) reads it."""
    texts = [str(value) for value in r[1:]]
    at, actor, role, action, target, reason, origin, outcome, detail = texts[:9]
    site = texts[11] if len(texts) > 11 else ""
    entry = Entry(at, actor, role, action, target, reason, origin, outcome, detail, site)
    return Row(int(str(r[0])), entry, texts[9], texts[10])


def _retention_rows(
    stored: Iterable[tuple[object, ...]], kept: list[Row]
) -> Iterator[tuple[object, ...]]:
    for row in stored:
        if row[4] == retention.ACTION:
            kept.append(_row(row))
        yield row


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
