"""Retention and erasure in the ledger (either backend): statements over an open transaction.

Removing personal data keeps the call's row and events (times, kinds, decision, notice hash,
the recording's sha256) as the proof of what happened, and clears what identifies the caller:
number, name, and the free-form event details. See `Ledger` for the public methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ivr.ledger.codec import decode_time, encode_time, escape_text, unescape_text
from ivr.ledger.db import Db

_SEPARATORS = re.compile(r"[\s().\-/]")


def normalise_number(number: str) -> str:
    """A phone number as compared for erasure: spaces, dots, dashes, slashes, brackets dropped."""
    return _SEPARATORS.sub("", number)


# The same normalisation in SQL, on the stored (escaped) text.
_NORMALISED = (
    "replace(replace(replace(replace(replace(replace(replace(caller_number, ' ', ''), "
    "char(9), ''), '.', ''), '-', ''), '/', ''), '(', ''), ')', '')"
)


@dataclass(frozen=True)
class StoredRecording:
    """A kept recording as the ledger knows it; `deleted_at` once its file was deleted."""

    call_id: str
    started_at: datetime
    profile: str | None
    path: str
    duration_seconds: float
    sha256: str
    deleted_at: datetime | None
    deletion: str | None  # "purge" or "erasure"

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": self.started_at.isoformat(timespec="microseconds"),
            "profile": self.profile,
            "duration_seconds": self.duration_seconds,
            "sha256": self.sha256,
            "deleted_at": None if self.deleted_at is None else self.deleted_at.isoformat(),
            "deletion": self.deletion,
        }


@dataclass(frozen=True)
class StoredCall:
    """A call with personal data still in the ledger, for the purge."""

    call_id: str
    started_at: datetime
    profile: str | None


@dataclass(frozen=True)
class ErasureProof:
    seq: int
    at: datetime
    subject: str  # HMAC-SHA256 of the normalised number, hex
    calls: int
    recordings: int
    requested_by: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "subject": self.subject,
            "calls": self.calls,
            "recordings": self.recordings,
            "requested_by": self.requested_by,
            "reason": self.reason,
        }


_RECORDING = """
    SELECT r.call_id, c.started_at, c.profile, r.path, r.duration_seconds, r.sha256,
           r.deleted_at, r.deletion
    FROM recordings AS r JOIN calls AS c USING (call_id)
"""


def _recording(row: tuple[Any, ...]) -> StoredRecording:
    call_id, started, profile, path, duration, sha256, deleted, deletion = row
    return StoredRecording(
        unescape_text(call_id),
        decode_time(started),
        None if profile is None else unescape_text(profile),
        unescape_text(path),
        duration,
        sha256,
        None if deleted is None else decode_time(deleted),
        deletion,
    )


def list_recordings(
    db: Db, since: datetime | None, limit: int, deleted: bool
) -> list[StoredRecording]:
    where = "c.started_at >= ?" + ("" if deleted else " AND r.deleted_at IS NULL")
    query = f"{_RECORDING} WHERE {where} ORDER BY c.started_at DESC LIMIT ?"
    bound = "" if since is None else encode_time(since)
    return [_recording(row) for row in db.execute(query, (bound, limit))]


def get_recording(db: Db, call_id: str) -> StoredRecording | None:
    row = db.execute(f"{_RECORDING} WHERE r.call_id = ?", (escape_text(call_id),)).fetchone()
    return None if row is None else _recording(row)


def recordings_started_before(db: Db, cutoff: datetime) -> list[StoredRecording]:
    query = f"{_RECORDING} WHERE c.started_at < ? AND r.deleted_at IS NULL ORDER BY c.started_at"
    return [_recording(row) for row in db.execute(query, (encode_time(cutoff),))]


def calls_started_before(db: Db, cutoff: datetime) -> list[StoredCall]:
    query = """SELECT call_id, started_at, profile FROM calls
               WHERE started_at < ? AND redacted_at IS NULL ORDER BY started_at"""
    return [
        StoredCall(unescape_text(c), decode_time(s), None if p is None else unescape_text(p))
        for c, s, p in db.execute(query, (encode_time(cutoff),))
    ]


def calls_of_caller(db: Db, number: str) -> list[str]:
    query = f"SELECT call_id FROM calls WHERE {_NORMALISED} = ? ORDER BY started_at"  # noqa: S608
    wanted = escape_text(normalise_number(number))
    return [unescape_text(row[0]) for row in db.execute(query, (wanted,))]


def redaction_of(db: Db, call_id: str) -> str | None:
    """Why the call's personal data was removed ("purge", "erasure"), or None."""
    row = db.execute("SELECT redaction FROM calls WHERE call_id = ?", (escape_text(call_id),))
    found = row.fetchone()
    return None if found is None or found[0] is None else str(found[0])


def mark_recording_deleted(db: Db, call_id: str, at: datetime, why: str) -> bool:
    query = """UPDATE recordings SET deleted_at = ?, deletion = ?
               WHERE call_id = ? AND deleted_at IS NULL"""
    return db.execute(query, (encode_time(at), why, escape_text(call_id))).rowcount == 1


def redact_calls(db: Db, call_ids: Iterable[str], at: datetime, why: str) -> int:
    count, when = 0, encode_time(at)
    for call_id in call_ids:
        call = escape_text(call_id)
        count += db.execute(
            """UPDATE calls SET caller_number = NULL, caller_name = NULL, redacted_at = ?,
               redaction = ? WHERE call_id = ? AND redacted_at IS NULL""",
            (when, why, call),
        ).rowcount
        db.execute("UPDATE events SET detail = NULL WHERE call_id = ?", (call,))
    return count


def record_erasure(db: Db, proof: ErasureProof) -> int:
    cursor = db.execute(
        """INSERT INTO erasures (at, subject, calls, recordings, requested_by, reason)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (
            encode_time(proof.at),
            proof.subject,
            proof.calls,
            proof.recordings,
            escape_text(proof.requested_by),
            escape_text(proof.reason),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def erasures(db: Db) -> list[ErasureProof]:
    query = "SELECT seq, at, subject, calls, recordings, requested_by, reason FROM erasures"
    return [
        ErasureProof(s, decode_time(a), h, c, r, unescape_text(b), unescape_text(why))
        for s, a, h, c, r, b, why in db.execute(query + " ORDER BY seq")
    ]
