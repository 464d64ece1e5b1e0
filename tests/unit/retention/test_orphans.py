"""The purge sweeps recording files the ledger does not account for, reports and audits each,
and leaves alone the ledger's own, a call still in progress and a file still young
(issue 15, item 3)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.audit import AuditLog
from ivr.config import Settings
from ivr.ledger import AsyncLedger, KeptRecording
from ivr.names import Decision
from ivr.retention import DailyPurge, purge
from tests.unit.config import sample

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
STARTED = NOW - timedelta(days=2)
VICTIM = b"the ledger: never touched"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "rec").mkdir()
    return sample.settings(
        tmp_path, {"recordings": {"dir": "rec"}, "ledger": {"path": "ledger.sqlite3"}}
    )


async def _call(ledger: AsyncLedger, call_id: str, kept: Path | None) -> None:
    await ledger.start_call(
        call_id,
        started_at=STARTED,
        caller_number="+331",
        caller_name="J",
        profile="fr",
        language="fr",
    )
    if kept is not None:
        recording = KeptRecording(str(kept), 1.0, "a" * 64)
        await ledger.finish_call(
            call_id, ended_at=STARTED, decision=Decision.KEPT, recording=recording
        )


@pytest.fixture
async def ledger(settings: Settings) -> AsyncIterator[AsyncLedger]:
    rec = settings.recordings.dir
    for name in ("ivr-kept.wav", "ivr-kept.wav.enc.partial", "ivr-orphan.wav.enc"):
        (rec / name).write_bytes(b"RIFF....")
    for name in ("ivr-young.wav", "ivr-live.wav", "ivr-gone.wav"):
        (rec / name).write_bytes(b"RIFF....")
    (rec.parent / "ledger-copy").write_bytes(VICTIM)
    (rec / "ivr-link.wav").symlink_to(rec.parent / "ledger-copy")
    os.utime(rec / "ivr-young.wav", (NOW.timestamp(), NOW.timestamp()))
    async with await AsyncLedger.open(settings.ledger.path) as ledger:
        await _call(ledger, "kept", rec / "ivr-kept.wav")
        await _call(ledger, "live", None)  # started, not ended: its file is being written
        await _call(ledger, "gone", rec / "ivr-gone.wav")
        await ledger.mark_recording_deleted("gone", at=STARTED, why="erasure")
        yield ledger


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


UNACCOUNTED = {"ivr-kept.wav.enc.partial", "ivr-orphan.wav.enc", "ivr-gone.wav", "ivr-link.wav"}


async def test_files_the_ledger_does_not_account_for_are_deleted_and_audited(
    settings: Settings, ledger: AsyncLedger
) -> None:
    report = await DailyPurge(settings, ledger, clock=lambda: NOW).run_once()
    assert set(report.orphans) == UNACCOUNTED
    assert names(settings.recordings.dir) == {"ivr-kept.wav", "ivr-young.wav", "ivr-live.wav"}
    assert (settings.recordings.dir.parent / "ledger-copy").read_bytes() == VICTIM
    rows = [r.entry for r in AuditLog(settings.compliance.audit_path).rows()]
    assert '"orphans":4' in rows[0].detail
    assert {(r.action, r.target, r.outcome) for r in rows[1:]} == {
        ("purge-orphan", name, "ok") for name in UNACCOUNTED
    }


async def test_a_dry_run_reports_unaccounted_files_and_deletes_none(
    settings: Settings, ledger: AsyncLedger
) -> None:
    before = names(settings.recordings.dir)
    rules = settings.compliance.retention
    report = await purge(ledger, rules, settings.recordings.dir, NOW, dry_run=True)
    assert set(report.orphans) == UNACCOUNTED
    assert names(settings.recordings.dir) == before
