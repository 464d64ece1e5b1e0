"""The SQLite ledger's statements, and rows turned back into records (see `schema`, `codec`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ivr.ledger.codec import (
    Detail,
    decode_detail,
    decode_time,
    encode_detail,
    encode_time,
    escape_text,
    unescape_text,
)
from ivr.ledger.model import CallRecord, CallSummary, Event, EventKind, KeptRecording
from ivr.names import Decision, Source

Row = Sequence[Any]
# (ended_at, decision, (path, duration_seconds, sha256) | None), all in their stored forms.
Outcome = tuple[str, str, tuple[str, float, str] | None]

START_CALL = """
    INSERT INTO calls (call_id, started_at, start_recorded, caller_number, caller_name,
                       profile, language, notice_hash)
    VALUES (?, ?, 1, ?, ?, ?, ?, ?)
    ON CONFLICT (call_id) DO UPDATE SET
        started_at = excluded.started_at,
        start_recorded = 1,
        caller_number = excluded.caller_number,
        caller_name = excluded.caller_name,
        profile = excluded.profile,
        language = excluded.language,
        notice_hash = coalesce(calls.notice_hash, excluded.notice_hash)
    WHERE calls.start_recorded = 0
"""

# The minimal row of a call known only from an event or its decision. Fixed-width UTC text
# compares as time, so min() keeps the earliest moment seen until the real start arrives.
ENSURE_CALL = """
    INSERT INTO calls (call_id, started_at) VALUES (?, ?)
    ON CONFLICT (call_id) DO UPDATE SET started_at = min(calls.started_at, excluded.started_at)
    WHERE calls.start_recorded = 0
"""

INSERT_EVENT = "INSERT INTO events (call_id, at, kind, source, detail) VALUES (?, ?, ?, ?, ?)"
SELECT_KEPT_HASH = "SELECT sha256 FROM recordings WHERE call_id = ? AND deleted_at IS NULL"
UPDATE_HASH = "UPDATE recordings SET sha256 = ? WHERE call_id = ?"
FINISH_CALL = "UPDATE calls SET ended_at = ?, decision = ? WHERE call_id = ?"
INSERT_RECORDING = """
    INSERT INTO recordings (call_id, path, duration_seconds, sha256) VALUES (?, ?, ?, ?)
"""

SELECT_OUTCOME = """
    SELECT c.ended_at, c.decision, r.path, r.duration_seconds, r.sha256
    FROM calls AS c LEFT JOIN recordings AS r USING (call_id) WHERE c.call_id = ?
"""

SELECT_CALL = """
    SELECT c.call_id, c.started_at, c.start_recorded, c.caller_number, c.caller_name,
           c.profile, c.language, c.notice_hash, c.ended_at, c.decision,
           r.path, r.duration_seconds, r.sha256
    FROM calls AS c LEFT JOIN recordings AS r USING (call_id) WHERE c.call_id = ?
"""

SELECT_EVENTS = """
    SELECT seq, at, kind, source, detail FROM events WHERE call_id = ? ORDER BY at, seq
"""

LIST_CALLS = """
    SELECT c.call_id, c.started_at, c.start_recorded, c.caller_number, c.caller_name,
           c.profile, c.language, c.ended_at, c.decision,
           (SELECT count(*) FROM events AS e WHERE e.call_id = c.call_id)
    FROM calls AS c WHERE c.started_at >= ?
    ORDER BY c.started_at DESC, c.rowid DESC LIMIT ?
"""


def opt_text(value: str | None) -> str | None:
    return None if value is None else escape_text(value)


def _text(stored: str | None) -> str | None:
    return None if stored is None else unescape_text(stored)


def start_values(
    call_id: str,
    started_at: datetime,
    caller_number: str | None,
    caller_name: str | None,
    profile: str,
    language: str,
    notice_hash: str | None,
) -> tuple[str, str, str | None, str | None, str, str, str | None]:
    """`START_CALL`'s parameters, in their stored forms."""
    return (
        escape_text(call_id),
        encode_time(started_at),
        opt_text(caller_number),
        opt_text(caller_name),
        escape_text(profile),
        escape_text(language),
        opt_text(notice_hash),
    )


def event_values(
    call_id: str, at: datetime, kind: EventKind, source: Source, detail: Detail | None
) -> tuple[str, str, str, str, str | None]:
    """`INSERT_EVENT`'s parameters, in their stored forms; ValueError for a bad kind or source
    (refused before anything is written)."""
    kind, source = EventKind(kind), Source(source)
    return escape_text(call_id), encode_time(at), str(kind), str(source), encode_detail(detail)


def finish_values(
    call_id: str, ended_at: datetime, decision: Decision, recording: KeptRecording | None
) -> tuple[str, Outcome]:
    """The stored call id and the outcome a decision writes; ValueError for a bad decision or a
    recording without 'kept' (or 'kept' without one)."""
    decision = Decision(decision)
    if (recording is not None) != (decision is Decision.KEPT):
        raise ValueError(f"decision {decision}: a recording goes with 'kept', and only then")
    return escape_text(call_id), outcome(encode_time(ended_at), decision, recording)


def recording_values(recording: KeptRecording) -> tuple[str, float, str]:
    return escape_text(recording.path), float(recording.duration_seconds), recording.sha256


def outcome(ended_at: str, decision: Decision, recording: KeptRecording | None) -> Outcome:
    return ended_at, str(decision), None if recording is None else recording_values(recording)


def outcome_of(row: Row) -> Outcome | None:
    ended_at, decision, path, duration, sha256 = row
    if decision is None:
        return None
    return ended_at, decision, None if path is None else (path, duration, sha256)


def call_record(row: Row, events: Sequence[Row]) -> CallRecord:
    call_id, started, start_recorded, number, name, profile, language = row[:7]
    notice_hash, ended, decision, path, duration, sha256 = row[7:]
    return CallRecord(
        call_id=unescape_text(call_id),
        started_at=decode_time(started),
        start_recorded=bool(start_recorded),
        caller_number=_text(number),
        caller_name=_text(name),
        profile=_text(profile),
        language=_text(language),
        notice_hash=_text(notice_hash),
        ended_at=None if ended is None else decode_time(ended),
        decision=None if decision is None else Decision(decision),
        recording=None if path is None else KeptRecording(unescape_text(path), duration, sha256),
        events=tuple(_event(event) for event in events),
    )


def _event(row: Row) -> Event:
    seq, at, kind, source, detail = row
    return Event(seq, decode_time(at), EventKind(kind), Source(source), decode_detail(detail))


def call_summary(row: Row) -> CallSummary:
    call_id, started, start_recorded, number, name, profile, language, ended, decision = row[:9]
    return CallSummary(
        call_id=unescape_text(call_id),
        started_at=decode_time(started),
        start_recorded=bool(start_recorded),
        caller_number=_text(number),
        caller_name=_text(name),
        profile=_text(profile),
        language=_text(language),
        ended_at=None if ended is None else decode_time(ended),
        decision=None if decision is None else Decision(decision),
        event_count=row[9],
    )
