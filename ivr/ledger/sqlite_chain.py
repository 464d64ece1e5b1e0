"""The event chain (`ivr.ledger.chain`) in SQLite (and PostgreSQL, through the same
statements): each event inserted with its hash, in the transaction that inserts it (a write
transaction holds SQLite's one write lock, and PostgreSQL's ledger takes an advisory lock
first, so two writers never chain onto the same head), and the events read back in order for
`verify`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ivr.ledger import chain
from ivr.ledger.db import Db
from ivr.ledger.rows import INSERT_EVENT

_HEAD = "SELECT hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
_SET = "UPDATE events SET detail_sha256 = ?, hash = ? WHERE seq = ?"
_ALL = """SELECT e.seq, e.call_id, e.at, e.kind, e.source, e.detail, e.detail_sha256, e.hash,
                 c.redacted_at IS NOT NULL
          FROM events e LEFT JOIN calls c ON c.call_id = e.call_id ORDER BY e.seq"""


def insert_event(db: Db, values: tuple[str, str, str, str, str | None]) -> int:
    """Insert (call, at, kind, source, detail) as stored text, chained; its seq."""
    head = db.execute(_HEAD).fetchone()
    seq = db.execute(INSERT_EVENT, values).lastrowid
    assert seq is not None  # an INSERT into a rowid table always sets it
    call, at, kind, source, detail = values
    digest = chain.detail_digest(detail)
    prev = head[0] if head is not None else chain.GENESIS
    db.execute(_SET, (digest, chain.event_hash(prev, seq, call, at, kind, source, digest), seq))
    return seq


def stored_events(db: Db) -> Iterator[chain.StoredEvent]:
    for seq, call, at, kind, source, detail, digest, hashed, redacted in db.execute(_ALL):
        yield chain.StoredEvent(seq, call, at, kind, source, detail, digest, hashed, bool(redacted))


def head(db: Db) -> tuple[int, str] | None:
    """The last chained event's seq and hash (what a checkpoint signs)."""
    found = db.execute(
        "SELECT seq, hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return None if found is None else (int(found[0]), str(found[1]))


def hashes(db: Db, seqs: Sequence[int]) -> dict[int, str]:
    found = {}
    for seq in seqs:
        row = db.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
        if row is not None and row[0] is not None:
            found[seq] = str(row[0])
    return found
