"""`AuditLog`: the append-only, hash-chained audit log in its own SQLite file.

Each append is one ``BEGIN IMMEDIATE`` transaction that reads the last hash and writes the new
row, so the service and a CLI command appending at once still build one chain. The file is
created 0600 in a 0700 folder (it names who heard which call). A connection per operation:
appends are rare (one per access), and it keeps the log usable from any thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ivr.audit.chain import GENESIS, Entry, Finding, Row, digest, verify

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


class AuditError(Exception):
    """The audit log cannot be opened, read or written; the message names the file."""


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AuditLog:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def append(self, entry: Entry) -> Row:
        """Write one row, chained to the last; returns it with its seq and hash."""
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
            row = Row(seq, entry, prev, digest(prev, entry))
            values = (seq, *_values(entry), prev, row.hash)
            db.execute(
                f"INSERT INTO audit (seq, {_FIELDS}, prev_hash, hash) VALUES "  # noqa: S608
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            db.execute("COMMIT")
        return row

    def rows(self, *, since_seq: int = 0, limit: int | None = None) -> list[Row]:
        query = f"SELECT seq, {_FIELDS}, prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq"  # noqa: S608
        with self._connect(create=False) as db:
            found = db.execute(query + " LIMIT ?", (since_seq, -1 if limit is None else limit))
            return [Row(r[0], Entry(*r[1:10]), r[10], r[11]) for r in found]

    def verify(self) -> list[Finding]:
        return verify(self.rows())

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        try:
            db = _open(self.path, create)
        except (sqlite3.Error, OSError) as exc:
            raise AuditError(f"{self.path}: cannot open the audit log: {exc}") from exc
        try:
            yield db
        except sqlite3.Error as exc:
            raise AuditError(f"{self.path}: {exc}") from exc
        finally:
            if db.in_transaction:
                db.rollback()
            db.close()


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
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    db.execute("PRAGMA synchronous = FULL")
    if create:
        db.execute(SCHEMA)
    return db
