"""The ledger's events are chained and the chain's head signed like the audit log's: ``ivr
ledger verify`` names an edited event, a removed detail, and — through a signed checkpoint — a
ledger rewritten from a deleted event onwards (issue 15, item 5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ivr.audit.checkpoint import new_private_key
from ivr.audit.sinks import CheckpointWriter
from ivr.cli.main import main
from ivr.config.audit import CheckpointSettings
from ivr.ledger import Ledger
from ivr.ledger.chain import GENESIS, detail_digest, event_hash
from ivr.names import EventKind, Source
from tests.unit.ledger.conftest import at


@pytest.fixture
def ledger(sqlite_ledger: Ledger) -> Ledger:
    """`ivr ledger verify --ledger FILE` and the tampering read a file: SQLite here (the chain
    on PostgreSQL is checked in tests/unit/store/test_store_cli.py)."""
    return sqlite_ledger


def fill(ledger: Ledger, calls: int = 3) -> None:
    for n in range(calls):
        call = f"17000000{n:02d}.1"
        ledger.start_call(
            call,
            started_at=at(n),
            caller_number="+331",
            caller_name="J",
            profile="fr",
            language="fr",
        )
        for kind in (EventKind.NOTICE_STARTED, EventKind.NOTICE_DONE, EventKind.HANGUP):
            ledger.add_event(
                call, at=at(n + 1), kind=kind, source=Source.DIALPLAN, detail={"n": str(n)}
            )


def verify(path: Path, *extra: str) -> int:
    return main(["ledger", "verify", "--ledger", str(path), *extra])


def tamper(path: Path, statement: str, *values: object) -> None:
    with sqlite3.connect(path) as db:
        db.execute(statement, values)


def test_an_untouched_ledger_verifies(ledger: Ledger, ledger_path: Path) -> None:
    fill(ledger)
    assert verify(ledger_path) == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET at = '2026-11-01T09:30:09.000000+00:00' WHERE seq = 5",
        "UPDATE events SET kind = 'recording-kept' WHERE seq = 5",
        "DELETE FROM events WHERE seq = 5",
    ],
    ids=["time", "kind", "deleted"],
)
def test_an_edited_or_deleted_event_is_named(
    ledger: Ledger, ledger_path: Path, statement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(ledger)
    tamper(ledger_path, statement)
    assert verify(ledger_path) == 1
    assert "event " in capsys.readouterr().out


def test_a_detail_edited_or_removed_outside_a_purge_is_named(
    ledger: Ledger, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(ledger)
    tamper(ledger_path, 'UPDATE events SET detail = \'{"n":"9"}\' WHERE seq = 2')
    tamper(ledger_path, "UPDATE events SET detail = NULL WHERE seq = 3")
    assert verify(ledger_path) == 1
    out = capsys.readouterr().out
    assert "event 2: its detail was edited" in out
    assert "event 3: its detail was removed" in out


def test_a_purge_that_removes_details_keeps_the_chain_intact(
    ledger: Ledger, ledger_path: Path
) -> None:
    fill(ledger)
    ledger.redact_calls(["1700000000.1"], at=at(99), why="purge")
    assert verify(ledger_path) == 0


def test_a_chain_recomputed_after_a_deletion_is_caught_by_a_signed_checkpoint(
    ledger: Ledger, ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "checkpoint.key"
    key.write_bytes(new_private_key())
    sink = tmp_path / "checkpoints.jsonl"
    fill(ledger)
    head = ledger.chain_head()
    assert head is not None
    assert CheckpointWriter(CheckpointSettings(key, sink), chain="ledger").flush(head)
    ledger.close()
    tamper(ledger_path, "DELETE FROM events WHERE seq = 4")
    _recompute(ledger_path)
    assert verify(ledger_path) == 0  # the chain alone is fooled
    capsys.readouterr()
    assert verify(ledger_path, "--checkpoints", str(sink), "--public-key", str(key)) == 1
    assert f"row {head.seq}" in capsys.readouterr().out


def _recompute(path: Path) -> None:
    """What a forger with write access does: every hash again, from the first event."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT seq, call_id, at, kind, source, detail FROM events ORDER BY seq"
        ).fetchall()
        prev = GENESIS
        for seq, call, when, kind, source, detail in rows:
            digest = detail_digest(detail)
            prev = event_hash(prev, seq, call, when, kind, source, digest)
            db.execute(
                "UPDATE events SET detail_sha256 = ?, hash = ? WHERE seq = ?", (digest, prev, seq)
            )
