"""The SQLite ledger on real files: records, idempotence, order, filters, refusals."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from ivr.ledger import (
    CallRecord,
    EventKind,
    KeptRecording,
    Ledger,
    LedgerClosedError,
    LedgerConflictError,
    LedgerUnreadableError,
    UnknownCallError,
)
from ivr.ledger.schema import CURRENT_VERSION
from ivr.names import Decision, Source
from tests.unit.ledger.conftest import T0, at

SHA = "9f" * 32
KEPT = KeptRecording("/var/spool/asterisk/monitor/c1.wav", 61.25, SHA)


def start(ledger: Ledger, call_id: str = "c1", seconds: float = 0, **fields: str) -> bool:
    values = {
        "caller_number": "+33612345678",
        "caller_name": "Jean Dupont",
        "profile": "fr",
        "language": "fr",
        "notice_hash": "ab" * 32,
    } | fields
    return ledger.start_call(call_id, started_at=at(seconds), **values)


def kept_call(ledger: Ledger) -> CallRecord:
    start(ledger)
    ledger.add_event(
        "c1",
        at=at(1),
        kind=EventKind.NOTICE_STARTED,
        source=Source.DIALPLAN,
        detail={"prompt": "notice-short"},
    )
    ledger.add_event("c1", at=at(9), kind=EventKind.NOTICE_DONE, source=Source.DIALPLAN)
    ledger.add_event(
        "c1",
        at=at(10),
        kind=EventKind.RECORDING_STARTED,
        source=Source.SERVICE,
        detail={"file": KEPT.path, "channel": 7, "gain": 0.5, "note": None},
    )
    ledger.add_event("c1", at=at(70), kind=EventKind.HANGUP, source=Source.SERVICE)
    assert ledger.finish_call("c1", ended_at=at(71), decision=Decision.KEPT, recording=KEPT)
    call = ledger.get_call("c1")
    assert call is not None
    return call


def test_a_kept_call_round_trips(ledger: Ledger) -> None:
    call = kept_call(ledger)
    assert (call.call_id, call.started_at, call.ended_at) == ("c1", T0, at(71))
    assert call.start_recorded
    assert (call.caller_number, call.caller_name) == ("+33612345678", "Jean Dupont")
    assert (call.profile, call.language, call.notice_hash) == ("fr", "fr", "ab" * 32)
    assert call.decision is Decision.KEPT
    assert call.recording == KEPT
    assert [e.kind for e in call.events] == [
        EventKind.NOTICE_STARTED,
        EventKind.NOTICE_DONE,
        EventKind.RECORDING_STARTED,
        EventKind.HANGUP,
    ]
    assert call.events[2].source is Source.SERVICE
    assert call.events[2].detail == {"file": KEPT.path, "channel": 7, "gain": 0.5, "note": None}
    assert call.events[0].detail == {"prompt": "notice-short"}
    assert call.events[1].detail == {}
    assert all(e.at.tzinfo is not None for e in call.events)


def test_a_record_survives_reopening_and_has_a_json_form(ledger_path: Path) -> None:
    with Ledger.open(ledger_path) as ledger:
        before = kept_call(ledger)
    with Ledger.open(ledger_path, read_only=True) as ledger:
        assert ledger.get_call("c1") == before
    as_json = before.to_json()
    assert as_json["decision"] == "kept"
    assert as_json["started_at"] == "2026-11-01T09:30:00.000000+00:00"
    assert as_json["recording"] == {"path": KEPT.path, "duration_seconds": 61.25, "sha256": SHA}
    assert as_json["events"][0] == {
        "seq": 1,
        "at": "2026-11-01T09:30:01.000000+00:00",
        "kind": "notice-started",
        "source": "dialplan",
        "detail": {"prompt": "notice-short"},
    }


def test_a_second_start_neither_duplicates_nor_overwrites(ledger: Ledger) -> None:
    assert start(ledger)
    assert not start(ledger, seconds=5, caller_name="Mallory", profile="en")
    call = ledger.get_call("c1")
    assert call is not None
    assert (call.started_at, call.caller_name, call.profile) == (T0, "Jean Dupont", "fr")
    assert len(ledger.list_calls()) == 1


def test_events_come_back_in_time_order_then_insertion_order(ledger: Ledger) -> None:
    start(ledger)
    for seconds, kind in [
        (5, EventKind.OBJECTED),
        (2, EventKind.NOTICE_STARTED),
        (5, EventKind.RECORDING_STOPPED),
        (9, EventKind.HANGUP),
        (5, EventKind.RECORDING_DELETED),
    ]:
        ledger.add_event("c1", at=at(seconds), kind=kind, source=Source.SERVICE)
    call = ledger.get_call("c1")
    assert call is not None
    assert [e.kind for e in call.events] == [
        EventKind.NOTICE_STARTED,
        EventKind.OBJECTED,
        EventKind.RECORDING_STOPPED,
        EventKind.RECORDING_DELETED,
        EventKind.HANGUP,
    ]
    seqs = [e.seq for e in call.events]
    assert seqs == [2, 1, 3, 5, 4]


def test_an_event_for_an_unknown_call_is_kept_on_a_minimal_row(ledger: Ledger) -> None:
    ledger.add_event("late", at=at(30), kind=EventKind.OBJECTED, source=Source.RECONCILE)
    ledger.add_event("late", at=at(20), kind=EventKind.NOTICE_DONE, source=Source.RECONCILE)
    call = ledger.get_call("late")
    assert call is not None
    assert not call.start_recorded
    assert call.started_at == at(20)  # the earliest time seen
    assert (call.caller_number, call.profile, call.decision) == (None, None, None)
    assert start(ledger, "late", seconds=10)  # the start arrives after all: it fills the row
    call = ledger.get_call("late")
    assert call is not None
    assert call.start_recorded
    assert call.started_at == at(10)
    assert call.profile == "fr"
    assert len(call.events) == 2


def test_a_decision_for_an_unknown_call_is_kept(ledger: Ledger) -> None:
    assert ledger.finish_call("ghost", ended_at=at(5), decision=Decision.ABANDONED)
    call = ledger.get_call("ghost")
    assert call is not None
    assert (call.decision, call.ended_at, call.start_recorded) == (Decision.ABANDONED, at(5), False)


def test_the_decision_is_final(ledger: Ledger) -> None:
    start(ledger)
    assert ledger.finish_call("c1", ended_at=at(9), decision=Decision.OBJECTED)
    assert not ledger.finish_call("c1", ended_at=at(9), decision=Decision.OBJECTED)
    with pytest.raises(LedgerConflictError, match="already ended with 'objected'"):
        ledger.finish_call("c1", ended_at=at(9), decision=Decision.KEPT, recording=KEPT)
    with pytest.raises(LedgerConflictError):
        ledger.finish_call("c1", ended_at=at(10), decision=Decision.OBJECTED)
    call = ledger.get_call("c1")
    assert call is not None
    assert (call.decision, call.ended_at, call.recording) == (Decision.OBJECTED, at(9), None)


def test_a_kept_decision_is_idempotent_with_its_recording(ledger: Ledger) -> None:
    kept_call(ledger)
    assert not ledger.finish_call("c1", ended_at=at(71), decision=Decision.KEPT, recording=KEPT)
    other = KeptRecording(KEPT.path, KEPT.duration_seconds, "00" * 32)
    with pytest.raises(LedgerConflictError):
        ledger.finish_call("c1", ended_at=at(71), decision=Decision.KEPT, recording=other)


def test_a_recording_goes_with_kept_and_only_with_it(ledger: Ledger) -> None:
    start(ledger)
    with pytest.raises(ValueError, match="recording"):
        ledger.finish_call("c1", ended_at=at(9), decision=Decision.KEPT)
    with pytest.raises(ValueError, match="recording"):
        ledger.finish_call("c1", ended_at=at(9), decision=Decision.OBJECTED, recording=KEPT)
    call = ledger.get_call("c1")
    assert call is not None
    assert call.decision is None


@pytest.mark.parametrize(
    ("path", "duration", "sha"),
    [
        ("", 1.0, SHA),
        ("/r.wav", -1.0, SHA),
        ("/r.wav", float("inf"), SHA),
        ("/r.wav", 1.0, SHA.upper()),
        ("/r.wav", 1.0, "abc"),
    ],
)
def test_a_kept_recording_must_be_evidence(path: str, duration: float, sha: str) -> None:
    with pytest.raises(ValueError):
        KeptRecording(path, duration, sha)


def test_the_notice_hash_is_set_once(ledger: Ledger) -> None:
    start(ledger, notice_hash=None)  # type: ignore[arg-type]
    ledger.set_notice_hash("c1", "cd" * 32)
    ledger.set_notice_hash("c1", "cd" * 32)
    with pytest.raises(LedgerConflictError):
        ledger.set_notice_hash("c1", "ef" * 32)
    with pytest.raises(UnknownCallError):
        ledger.set_notice_hash("nobody", "cd" * 32)
    call = ledger.get_call("c1")
    assert call is not None
    assert call.notice_hash == "cd" * 32


def test_bad_values_are_refused_before_anything_is_written(ledger: Ledger) -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="naive"):
        ledger.add_event(
            "c1", at=datetime(2026, 11, 1), kind=EventKind.HANGUP, source=Source.SERVICE
        )
    with pytest.raises(ValueError):
        ledger.add_event("c1", at=at(1), kind="hung-up", source=Source.SERVICE)  # type: ignore[arg-type]
    unstorable: dict[str, Any] = {"x": object()}
    with pytest.raises(TypeError):
        ledger.add_event(
            "c1", at=at(1), kind=EventKind.HANGUP, source=Source.SERVICE, detail=unstorable
        )
    assert ledger.get_call("c1") is None


def test_list_filters_by_start_and_limits_newest_first(ledger: Ledger) -> None:
    for n in range(5):
        start(ledger, f"c{n}", seconds=n * 3600)
    ledger.add_event("c3", at=at(3 * 3600 + 1), kind=EventKind.HANGUP, source=Source.SERVICE)
    assert [c.call_id for c in ledger.list_calls()] == ["c4", "c3", "c2", "c1", "c0"]
    assert [c.call_id for c in ledger.list_calls(since=at(2 * 3600))] == ["c4", "c3", "c2"]
    assert [c.call_id for c in ledger.list_calls(since=at(2 * 3600), limit=2)] == ["c4", "c3"]
    assert ledger.list_calls(since=at(5 * 3600)) == []
    [c3] = [c for c in ledger.list_calls() if c.call_id == "c3"]
    assert c3.event_count == 1
    assert c3.caller_name == "Jean Dupont"
    assert c3.to_json()["started_at"] == "2026-11-01T12:30:00.000000+00:00"
    with pytest.raises(ValueError, match="limit"):
        ledger.list_calls(limit=0)


def test_unknown_call_reads_as_none(ledger: Ledger) -> None:
    assert ledger.get_call("nope") is None


def test_durability_settings_are_in_force(sqlite_ledger: Ledger, ledger_path: Path) -> None:
    assert sqlite_ledger.pragmas() == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
    with sqlite3.connect(ledger_path) as other:  # the journal mode is a property of the file
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    other.close()


def test_foreign_keys_are_enforced(ledger: Ledger) -> None:
    with pytest.raises(Exception, match=r"(?i)FOREIGN KEY"):
        ledger._connection().execute(
            "INSERT INTO events (call_id, at, kind, source) VALUES ('x', ?, 'hangup', 'service')",
            ("2026-11-01T09:30:00.000000+00:00",),
        )


def test_files_are_private(sqlite_ledger: Ledger, ledger_path: Path) -> None:
    start(sqlite_ledger)
    assert stat.S_IMODE(ledger_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(ledger_path.stat().st_mode) == 0o600
    wal = ledger_path.with_name(ledger_path.name + "-wal")
    assert wal.exists()
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_schema_version_is_recorded_once(ledger_path: Path) -> None:
    Ledger.open(ledger_path).close()
    Ledger.open(ledger_path).close()
    with sqlite3.connect(ledger_path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(CURRENT_VERSION,)]
    db.close()


def test_a_newer_schema_is_refused(ledger_path: Path) -> None:
    Ledger.open(ledger_path).close()
    with sqlite3.connect(ledger_path) as db:
        db.execute("INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00.000000+00:00')")
    db.close()
    for read_only in (False, True):
        with pytest.raises(LedgerUnreadableError, match=f"{ledger_path}: .*version 99"):
            Ledger.open(ledger_path, read_only=read_only)


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(LedgerUnreadableError, match="not an ivr ledger"):
        Ledger.open(path)


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\xff" * 200, b"hello" * 999])
def test_a_damaged_file_is_refused_naming_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(content)
    with pytest.raises(LedgerUnreadableError, match=str(path)):
        Ledger.open(path, read_only=True)
    if content:
        with pytest.raises(LedgerUnreadableError, match=str(path)):
            Ledger.open(path)


def test_read_only_never_creates_a_file(tmp_path: Path) -> None:
    path = tmp_path / "none" / "ledger.sqlite3"
    with pytest.raises(LedgerUnreadableError, match="no such ledger file"):
        Ledger.open(path, read_only=True)
    assert not path.parent.exists()


def test_read_only_cannot_write(ledger_path: Path) -> None:
    Ledger.open(ledger_path).close()
    with (
        Ledger.open(ledger_path, read_only=True) as ledger,
        pytest.raises(Exception, match="readonly"),
    ):
        start(ledger)


def test_a_closed_ledger_says_so(ledger_path: Path) -> None:
    ledger = Ledger.open(ledger_path)
    ledger.close()
    ledger.close()
    with pytest.raises(LedgerClosedError, match="closed"):
        ledger.get_call("c1")


def test_a_batch_is_one_transaction_and_a_refused_write_is_rolled_back_alone(
    ledger: Ledger,
) -> None:
    results = ledger.batch(
        [
            lambda s: s.add_event("b.1", at=at(1), kind=EventKind.HANGUP, source=Source.CALLER),
            lambda s: s.finish_call("b.1", ended_at=at(2), decision=Decision.KEPT),  # no file
            lambda s: s.finish_call("b.1", ended_at=at(2), decision=Decision.OBJECTED),
        ]
    )
    assert isinstance(results[1], ValueError)
    record = ledger.get_call("b.1")
    assert record is not None
    assert [e.kind for e in record.events] == [EventKind.HANGUP]
    assert record.decision is Decision.OBJECTED
