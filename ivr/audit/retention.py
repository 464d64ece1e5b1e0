"""The audit log's own retention: rows older than [audit] retention_days are removed.

Removing the oldest rows would break the chain (the first row left names a hash nobody can
recompute), so the last removed row's seq and hash are kept as the chain's new start (the
``audit_anchor`` table), and the removal is itself a chained row naming that anchor. `verify`
starts from the anchor, and accepts one only if a chained ``retention`` row vouches for it:
an anchor moved by hand to hide deleted rows is named as such.
"""

from __future__ import annotations

import json

from ivr.audit.chain import GENESIS, Entry, Finding, Row
from ivr.ledger.db import Db

ANCHOR_SCHEMA = """CREATE TABLE IF NOT EXISTS audit_anchor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
)"""
ACTION = "retention"


def read_anchor(db: Db) -> tuple[int, str]:
    db.execute(ANCHOR_SCHEMA)
    found = db.execute("SELECT seq, hash FROM audit_anchor WHERE id = 1").fetchone()
    return (0, GENESIS) if found is None else (int(found[0]), str(found[1]))


def remove_before(db: Db, cutoff: str) -> tuple[int, int, str] | None:
    """In an open transaction: drop the rows before ``cutoff`` (UTC ISO time), oldest first and
    never the last row; (rows removed, anchor seq, anchor hash), or None if none is due."""
    last = db.execute(
        "SELECT seq, hash FROM audit WHERE at < ? AND seq < (SELECT MAX(seq) FROM audit) "
        "ORDER BY seq DESC LIMIT 1",
        (cutoff,),
    ).fetchone()
    if last is None:
        return None
    seq, digest = int(last[0]), str(last[1])
    removed = db.execute("DELETE FROM audit WHERE seq <= ?", (seq,)).rowcount
    db.execute(ANCHOR_SCHEMA)
    db.execute(  # the same upsert in SQLite and PostgreSQL
        "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        (seq, digest),
    )
    return removed, seq, digest


def vouched(anchor: tuple[int, str], rows: list[Row]) -> list[Finding]:
    """A finding unless a chained retention row names this anchor (or there is none)."""
    seq, digest = anchor
    if seq == 0:
        return []
    for row in rows:
        if row.entry.action == ACTION:
            detail = json.loads(row.entry.detail or "{}")
            if detail.get("through_seq") == seq and detail.get("last_hash") == digest:
                return []
    return [Finding(seq, "removed: the chain starts after it, but no retention row says so")]


def retention_entry(base: Entry, removed: int, seq: int, digest: str, days: int) -> Entry:
    detail = {"rows": removed, "through_seq": seq, "last_hash": digest, "retention_days": days}
    return Entry(
        base.at, base.actor, base.role, ACTION, "audit-log", f"older than {days} days",
        base.origin, "ok", json.dumps(detail, sort_keys=True, separators=(",", ":")), base.site,
    )  # fmt: skip
