"""The purge with an injected clock, on real recording files and a real ledger: a SQLite file
and a PostgreSQL store (the `store` fixture runs each test on both)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.config import Settings
from ivr.ledger import AsyncLedger
from ivr.retention import DailyPurge, purge
from ivr.retention.daily import next_run
from ivr.store.opening import ledger_location, open_ledger, settings_audit, settings_ledger
from tests.support.store import StoreUnderTest
from tests.unit.config import sample
from tests.unit.web.conftest import add_call

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def settings(tmp_path: Path, store: StoreUnderTest) -> Settings:
    (tmp_path / "rec").mkdir()
    return sample.settings(
        tmp_path,
        {
            **store.config(),
            "recordings": {"dir": "rec"},
            "ledger": {"path": "ledger.sqlite3"},
            "retention": {
                "audio_days": 180,
                "data_days": 365,
                "profiles": {"fr": {"audio_days": 30}},
            },
            "notice": {
                "fr": {"retention": "30 jours"},
                "en": {"retention": "30 days"},
            },  # what the notice says matches
        },
    )


@pytest.fixture
async def ledger(settings: Settings) -> AsyncIterator[AsyncLedger]:
    async with await settings_ledger(settings) as ledger:
        folder = settings.recordings.dir
        await add_call(ledger, folder, "fr-old", "+331", days_ago(31), encrypt=True)
        await add_call(ledger, folder, "fr-new", "+332", days_ago(29), encrypt=False)
        await add_call(ledger, folder, "xx-mid", "+333", days_ago(100), encrypt=False, profile="xx")
        await add_call(ledger, folder, "xx-old", "+334", days_ago(181), encrypt=False, profile="xx")
        await add_call(
            ledger, folder, "xx-ancient", "+335", days_ago(400), encrypt=False, profile="xx"
        )
        yield ledger


def files(settings: Settings) -> set[str]:
    return {p.name for p in settings.recordings.dir.iterdir()}


async def test_a_dry_run_lists_and_deletes_nothing(settings: Settings, ledger: AsyncLedger) -> None:
    before = files(settings)
    report = await purge(
        ledger, settings.compliance.retention, settings.recordings.dir, NOW, dry_run=True
    )
    assert sorted(report.recordings) == ["fr-old", "xx-ancient", "xx-old"]
    assert report.calls == ["xx-ancient"]
    assert files(settings) == before
    assert (await ledger.get_call("xx-ancient")).caller_number == "+335"  # type: ignore[union-attr]


async def test_the_purge_follows_each_profile(settings: Settings, ledger: AsyncLedger) -> None:
    report = await purge(
        ledger, settings.compliance.retention, settings.recordings.dir, NOW, dry_run=False
    )
    assert sorted(report.recordings) == ["fr-old", "xx-ancient", "xx-old"]
    assert report.files_deleted == 3
    assert files(settings) == {"fr-new.wav", "xx-mid.wav"}
    kept = await ledger.get_recording("fr-old")
    assert kept is not None
    assert kept.deleted_at == NOW
    assert kept.deletion == "purge"
    assert kept.sha256 == "a" * 64  # the proof stays
    ancient = await ledger.get_call("xx-ancient")
    assert ancient is not None
    assert (ancient.caller_number, ancient.caller_name) == (None, None)
    assert ancient.decision is not None
    assert ancient.recording is not None
    mid = await ledger.get_call("xx-mid")
    assert mid is not None
    assert mid.caller_number == "+333"


async def test_a_second_purge_finds_nothing(settings: Settings, ledger: AsyncLedger) -> None:
    rules, folder = settings.compliance.retention, settings.recordings.dir
    await purge(ledger, rules, folder, NOW, dry_run=False)
    again = await purge(ledger, rules, folder, NOW + timedelta(hours=1), dry_run=False)
    assert (again.recordings, again.calls) == ([], [])


def test_next_run_is_the_next_purge_time() -> None:
    at = NOW.replace(hour=3, minute=30)
    assert next_run(NOW, at) == datetime(2027, 6, 2, 3, 30, tzinfo=UTC)
    early = NOW.replace(hour=1)
    assert next_run(early, at) == datetime(2027, 6, 1, 3, 30, tzinfo=UTC)


async def test_the_daily_runner_purges_each_day_and_audits(
    settings: Settings, ledger: AsyncLedger
) -> None:
    clock = [days_ago(0)]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += timedelta(seconds=seconds)
        if len(slept) == 3:
            raise asyncio.CancelledError

    runner = DailyPurge(settings, ledger, clock=lambda: clock[0], sleep=sleep)
    with pytest.raises(asyncio.CancelledError):
        await runner.run()
    assert slept == [(15.5 * 3600), 86400.0, 86400.0]
    audit = settings_audit(settings)
    rows = audit.rows()
    audit.close()
    assert [(r.entry.action, r.entry.actor, r.entry.outcome) for r in rows] == [
        ("purge", "service", "ok")
    ] * 2
    # The second purge, a day later, found fr-new past its 30 days too.
    assert files(settings) == {"xx-mid.wav"}
    with open_ledger(ledger_location(settings), read_only=True) as sync:
        assert sync.get_call("xx-ancient").caller_number is None  # type: ignore[union-attr]
