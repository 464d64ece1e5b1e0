"""The ledger's events as a hash chain: each event's hash covers the previous event's hash and
a canonical encoding of the event, computed here in Python (not by SQL), so that every backend
(SQLite, PostgreSQL) stores and checks the same values.

The canonical encoding is compact JSON with sorted keys of the event as stored: seq, call id,
time, kind, source (the stored text of each) and ``detail_sha256``, the sha256 of the stored
detail (its JSON text, "" when empty). The detail enters through its digest because a purge or
an erasure removes details (personal data) and keeps the rows: the digest stays, so the chain
still verifies, and a detail that is present must still match its digest.

Events written before the chain existed (schema 3 and older) have no hash: the chain starts at
the first event that has one. Pure: no database here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _json_text

GENESIS = "0" * 64


@dataclass(frozen=True)
class StoredEvent:
    """An event's row as stored (text as in the table), with its chain columns."""

    seq: int
    call_id: str
    at: str
    kind: str
    source: str
    detail: str | None  # the stored JSON text; None when empty or removed by a redaction
    detail_sha256: str | None
    hash: str | None
    redacted: bool = False  # the call's personal data was removed (purge, erasure)


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


@dataclass(frozen=True)
class ChainFinding:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


def detail_digest(detail: str | None) -> str:
    return hashlib.sha256((detail or "").encode("utf-8", "surrogateescape")).hexdigest()


def event_hash(
    prev: str, seq: int, call_id: str, at: str, kind: str, source: str, detail_sha256: str
) -> str:
    """sha256 of the event's canonical JSON: the bytes of ``json.dumps(body, sort_keys=True,
    separators=(",", ":"), ensure_ascii=True)``, written out with the string encoder json.dumps
    itself uses (and the keys in their sorted order), twice as fast: chains written by earlier
    versions hash the same (tests/unit/ledger/test_chain_bytes.py)."""
    canonical = (
        f'{{"at":{_json_text(at)},"call":{_json_text(call_id)},'
        f'"detail_sha256":{_json_text(detail_sha256)},"kind":{_json_text(kind)},'
        f'"prev":{_json_text(prev)},"seq":{int.__repr__(seq)},"source":{_json_text(source)}}}'
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify(events: Iterable[StoredEvent]) -> tuple[list[ChainFinding], int, str]:
    """Check the chain in seq order; (findings, last chained seq, its hash)."""
    findings: list[ChainFinding] = []
    prev, last_seq, started = GENESIS, 0, False
    for event in events:
        if event.hash is None:
            if started:
                findings.append(ChainFinding(event.seq, "no hash after the chain began"))
            continue
        started = True
        digest = event.detail_sha256 or ""
        expected = event_hash(
            prev, event.seq, event.call_id, event.at, event.kind, event.source, digest
        )
        if expected != event.hash:
            findings.append(ChainFinding(event.seq, _broken(event)))
        elif event.detail is not None and detail_digest(event.detail) != digest:
            findings.append(ChainFinding(event.seq, "its detail was edited"))
        elif event.detail is None and not event.redacted and digest != detail_digest(None):
            findings.append(
                ChainFinding(event.seq, "its detail was removed, yet no purge or erasure")
            )
        prev, last_seq = event.hash, event.seq
    return findings, last_seq, prev


def _broken(event: StoredEvent) -> str:
    return (
        "its hash does not follow from the event before it: this event or one before it was "
        "edited, deleted or inserted"
    )
