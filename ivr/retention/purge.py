"""The purge: recordings past their audio retention are deleted, personal data past the data
retention is removed from the ledger; the ledger rows stay, without it, as the proof.

Periods are per profile (`RetentionSettings.period`), counted from the call's start. The file
goes first, then its ledger row is marked: a crash between the two leaves a row the next purge
marks (the file is already gone), never a marked row whose file still exists.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ivr.config.compliance import RetentionSettings
from ivr.ledger.aio import AsyncLedger
from ivr.recordings import safe
from ivr.recordings.entries import FolderEntry, Form, recording_entries
from ivr.retention.files import OutsideFolderError, delete_recording

ORPHAN_GRACE = timedelta(hours=1)


@dataclass
class PurgeReport:
    now: datetime
    dry_run: bool
    recordings: list[str] = field(default_factory=list)  # call ids whose audio went
    calls: list[str] = field(default_factory=list)  # call ids whose personal data went
    files_deleted: int = 0
    orphans: list[str] = field(default_factory=list)  # files the ledger does not account for
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "recordings": len(self.recordings),
            "calls": len(self.calls),
            "files": self.files_deleted,
            "orphans": len(self.orphans),
            "errors": len(self.errors),
            "dry_run": self.dry_run,
        }


def _oldest_cutoff(rules: RetentionSettings, now: datetime, audio: bool) -> datetime:
    periods = [rules.default, *rules.profiles.values()]
    days = min(p.audio_days if audio else p.data_days for p in periods)
    return now - timedelta(days=days)


async def purge(
    ledger: AsyncLedger, rules: RetentionSettings, folder: Path, now: datetime, *, dry_run: bool
) -> PurgeReport:
    report = PurgeReport(now, dry_run)
    await _purge_audio(ledger, rules, folder, report)
    await _purge_data(ledger, rules, report)
    await _sweep_orphans(ledger, folder, report)
    return report


async def _sweep_orphans(ledger: AsyncLedger, folder: Path, report: PurgeReport) -> None:
    """Recording files no kept recording of the ledger names (an encryption's leftover, a file
    of a call the ledger never closed with it, a link planted there) are deleted: no retention
    rule could ever reach them. A call still in progress keeps its file, and any file younger
    than `ORPHAN_GRACE` is left to the call that may be writing it."""
    for entry in await asyncio.to_thread(recording_entries, folder):
        if entry.accounted_by(await ledger.get_recording(entry.call_id)):
            continue
        if entry.modified > report.now - ORPHAN_GRACE or await _in_progress(ledger, entry):
            continue
        report.orphans.append(entry.name)
        if report.dry_run:
            continue
        try:
            with safe.directory(folder) as folder_fd:  # a link goes itself, never its target
                report.files_deleted += safe.remove(folder_fd, entry.name)
        except OSError as exc:
            report.errors.append(f"{entry.name}: {exc}")


async def _in_progress(ledger: AsyncLedger, entry: FolderEntry) -> bool:
    if entry.form is Form.PARTIAL:
        return False
    call = await ledger.get_call(entry.call_id)
    return call is not None and call.decision is None


async def _purge_audio(
    ledger: AsyncLedger, rules: RetentionSettings, folder: Path, report: PurgeReport
) -> None:
    for item in await ledger.recordings_started_before(_oldest_cutoff(rules, report.now, True)):
        days = rules.period(item.profile).audio_days
        if item.started_at >= report.now - timedelta(days=days):
            continue
        report.recordings.append(item.call_id)
        if report.dry_run:
            continue
        try:
            report.files_deleted += await asyncio.to_thread(delete_recording, item.path, folder)
        except (OSError, OutsideFolderError) as exc:  # one bad row must not stop the purge
            report.errors.append(f"call {item.call_id}: {exc}")
            continue
        await ledger.mark_recording_deleted(item.call_id, at=report.now, why="purge")


async def _purge_data(ledger: AsyncLedger, rules: RetentionSettings, report: PurgeReport) -> None:
    for call in await ledger.calls_started_before(_oldest_cutoff(rules, report.now, False)):
        if call.started_at < report.now - timedelta(days=rules.period(call.profile).data_days):
            report.calls.append(call.call_id)
    if report.calls and not report.dry_run:
        await ledger.redact_calls(report.calls, at=report.now, why="purge")
