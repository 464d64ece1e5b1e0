"""The audit log's hash chain, pure: each row's hash covers its content and the previous hash.

``hash = sha256(prev_hash || canonical JSON of the row's fields)``. The row's position (`seq`)
is not hashed: the chain itself gives the order, so a reordered row shows as a row whose own
hash is right but whose `prev_hash` names another row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_text
from typing import Any

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
    return digest_of(
        prev_hash, entry.at, entry.actor, entry.role, entry.action, entry.target, entry.reason,
        entry.origin, entry.outcome, entry.detail, entry.site,
    )  # fmt: skip


def digest_of(
    prev_hash: str,
    at: str,
    actor: str,
    role: str,
    action: str,
    target: str,
    reason: str,
    origin: str,
    outcome: str,
    detail: str,
    site: str,
) -> str:
    """The row's hash over ``json.dumps(fields, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``'s very bytes, written out with the string encoder json.dumps uses and
    the keys in their sorted order: three times faster (``ivr audit verify`` is this per row),
    and the chains written before hash the same (tests/unit/audit/test_digest_bytes.py). A row
    written before sites existed has no ``site`` key: its hash stays."""
    q = _json_text
    site_key = f',"site":{q(site)}' if site else ""
    body = (
        f'{{"action":{q(action)},"actor":{q(actor)},"at":{q(at)},"detail":{q(detail)},'
        f'"origin":{q(origin)},"outcome":{q(outcome)},"reason":{q(reason)},"role":{q(role)}'
        f'{site_key},"target":{q(target)}}}'
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    seq: int
    problem: str  # edited, removed, reordered

    def __str__(self) -> str:
        return f"row {self.seq}: {self.problem}"


EDITED = "edited: its content does not match its hash"


def verify(rows: Sequence[Row], start: tuple[int, str] = (0, GENESIS)) -> list[Finding]:
    """Every break in the chain, in row order; empty when the log is intact. ``start`` is the
    (seq, hash) the first row follows: the genesis, or the last row removed by retention."""
    return verify_stored((_stored(row) for row in rows), start)


def verify_stored(stored: Iterable[Sequence[object]], start: tuple[int, str]) -> list[Finding]:
    """`verify` over rows as the table holds them (seq, the `Entry` fields in order, prev_hash,
    hash), read as they stream from the store: no `Row` objects, the time goes to hashing."""
    hashes: dict[object, int] = {}
    breaks: list[tuple[int, str, int]] = []  # a link broken: (seq, its prev_hash, last seq)
    findings: list[Finding] = []
    last_seq, prev = start
    for row in stored:
        seq, prev_hash, hashed = int(str(row[0])), row[10], row[11]
        try:
            expected = _digest_row(row)
        except TypeError:  # a value that is no text (written behind the log's back)
            expected = _digest_row(tuple(str(value) for value in row))
        if expected != hashed:
            findings.append(Finding(seq, EDITED))
        elif prev_hash != prev:
            breaks.append((seq, str(prev_hash), last_seq))
            findings.append(Finding(seq, ""))  # explained below, once every hash is known
        hashes[hashed] = seq
        prev, last_seq = str(hashed), seq
    explained = iter([_broken_link(seq, after, last, hashes) for seq, after, last in breaks])
    return [f if f.problem else Finding(f.seq, next(explained)) for f in findings]


def _digest_row(row: Sequence[Any]) -> str:
    at, actor, role, action, target, reason, origin, outcome, detail = row[1:10]
    site = row[12] if len(row) > 12 else ""
    return digest_of(
        row[10], at, actor, role, action, target, reason, origin, outcome, detail, site
    )


def _stored(row: Row) -> tuple[object, ...]:
    e = row.entry
    fields = (e.at, e.actor, e.role, e.action, e.target, e.reason, e.origin, e.outcome, e.detail)
    return (row.seq, *fields, row.prev_hash, row.hash, e.site)


def _broken_link(seq: int, prev_hash: str, last_seq: int, hashes: dict[object, int]) -> str:
    follows = hashes.get(prev_hash)
    if follows is not None:
        return f"reordered: it was written right after row {follows}, not after row {last_seq}"
    if seq != last_seq + 1:
        return f"removed: row(s) {last_seq + 1}..{seq - 1} before it are missing"
    return f"removed or replaced: the row written before it (after row {last_seq}) is gone"
