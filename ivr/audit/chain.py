"""The audit log's hash chain, pure: each row's hash covers its content and the previous hash.

``hash = sha256(prev_hash || canonical JSON of the row's fields)``. The row's position (`seq`)
is not hashed: the chain itself gives the order, so a reordered row shows as a row whose own
hash is right but whose `prev_hash` names another row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

GENESIS = "0" * 64  # the prev_hash of the first row


@dataclass(frozen=True)
class Entry:
    """What one audit row says: who, what, on what, when, why, from where, and how it ended."""

    at: str  # UTC ISO 8601
    actor: str  # token id, "cli:<user>" or "service"
    role: str
    action: str  # listen, download, export, erase, purge, delete, refused, ...
    target: str  # call id, caller hash, "*"
    reason: str
    origin: str  # remote address or "cli"
    outcome: str  # ok, denied, failed, dry-run
    detail: str = ""  # compact JSON, no personal data
    site: str = ""  # the site/PBX whose service wrote it, in a shared store ("" in a file)


@dataclass(frozen=True)
class Row:
    seq: int
    entry: Entry
    prev_hash: str
    hash: str


def digest(prev_hash: str, entry: Entry) -> str:
    # vars() rather than asdict(): the same flat dict without asdict's deep copy, which made
    # `ivr audit verify` three times slower.
    fields = dict(vars(entry))
    if not entry.site:  # rows written before sites existed keep their hashes
        del fields["site"]
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode() + body.encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    seq: int
    problem: str  # edited, removed, reordered

    def __str__(self) -> str:
        return f"row {self.seq}: {self.problem}"


def verify(rows: Sequence[Row], start: tuple[int, str] = (0, GENESIS)) -> list[Finding]:
    """Every break in the chain, in row order; empty when the log is intact. ``start`` is the
    (seq, hash) the first row follows: the genesis, or the last row removed by retention."""
    hashes = {row.hash: row.seq for row in rows}
    findings: list[Finding] = []
    last_seq, prev = start
    for row in rows:
        if digest(row.prev_hash, row.entry) != row.hash:
            findings.append(Finding(row.seq, "edited: its content does not match its hash"))
        elif row.prev_hash != prev:
            findings.append(Finding(row.seq, _broken_link(row, last_seq, hashes)))
        prev, last_seq = row.hash, row.seq
    return findings


def _broken_link(row: Row, last_seq: int, hashes: dict[str, int]) -> str:
    follows = hashes.get(row.prev_hash)
    if follows is not None:
        return f"reordered: it was written right after row {follows}, not after row {last_seq}"
    if row.seq != last_seq + 1:
        return f"removed: row(s) {last_seq + 1}..{row.seq - 1} before it are missing"
    return f"removed or replaced: the row written before it (after row {last_seq}) is gone"
