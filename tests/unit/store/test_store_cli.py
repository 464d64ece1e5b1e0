"""``ivr store migrate`` and ``ivr store copy`` against a real PostgreSQL cluster: a site's
SQLite ledger and audit log moved into the shared store, verified, refused when it would mix
two sites' calls, and a broken source chain refused."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from ivr.audit import AuditLog, Entry
from ivr.audit.postgres import PgAuditLog
from ivr.cli.main import main
from ivr.ledger import EventKind, KeptRecording, Ledger
from ivr.ledger.pg_schema import CURRENT_VERSION
from ivr.ledger.postgres import PgLedger
from ivr.ledger.privacy import ErasureProof
from ivr.names import Decision, Source
from ivr.store.url import StoreUrl
from tests.unit.config import sample

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def a_site(folder: Path, prefix: str) -> Path:
    """A site's ledger with a kept, an objected, a redacted call and an erasure, and its log."""
    path = folder / "ledger.sqlite3"
    with Ledger.open(path) as ledger:
        for n, decision in enumerate((Decision.KEPT, Decision.OBJECTED, Decision.NOT_RECORDED)):
            call = f"{prefix}.{n}"
            at = T0 + timedelta(minutes=n)
            ledger.start_call(
                call, started_at=at, caller_number=f"+33 1 0{n}", caller_name="Zoé \x00",
                profile="fr", language="fr", notice_hash="h" * 64,
            )  # fmt: skip
            ledger.add_event(call, at=at, kind=EventKind.NOTICE_STARTED, source=Source.SERVICE,
                             detail={"k": "v"})  # fmt: skip
            recording = KeptRecording(f"/rec/{call}.wav", 12.5, "a" * 64) if n == 0 else None
            ledger.finish_call(call, ended_at=at + timedelta(seconds=30), decision=decision,
                               recording=recording)  # fmt: skip
        ledger.mark_recording_deleted(f"{prefix}.0", at=T0 + timedelta(days=1), why="purge")
        ledger.redact_calls([f"{prefix}.2"], at=T0 + timedelta(days=2), why="erasure")
        ledger.record_erasure(ErasureProof(0, T0, "e" * 64, 1, 0, "cli:root", "art. 17"))
    log = AuditLog(folder / "audit.sqlite3")
    for n in range(3):
        log.append(Entry(f"2026-11-0{n + 1}T10:00:00+00:00", "tok", "dpo", "listen",
                         f"{prefix}.{n}", "ticket", "127.0.0.1", "ok"))  # fmt: skip
    log.close()
    return path


def test_migrate_makes_the_schemas_once_and_says_the_version(
    pg_url: StoreUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "migrate", "--url", pg_url.dsn]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["ledger_version_before"], first["ledger_version"]) == (0, CURRENT_VERSION)
    assert main(["store", "migrate", "--url", pg_url.dsn]) == 0
    assert json.loads(capsys.readouterr().out)["ledger_version_before"] == CURRENT_VERSION
    with psycopg.connect(pg_url.dsn) as db:
        tables = {
            r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    assert {"calls", "events", "recordings", "erasures", "audit", "audit_anchor"} <= tables


def test_a_bad_store_url_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "migrate", "--url", "mysql://x/y"]) == 2
    assert "postgresql://" in capsys.readouterr().err


def test_two_sites_copied_into_one_store_read_back_the_same(
    tmp_path: Path, pg_url: StoreUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    for site in ("paris", "lyon"):
        (tmp_path / site).mkdir()
        ledger = a_site(tmp_path / site, site)
        assert (
            main(["store", "copy", "--from", str(ledger), "--to", pg_url.dsn, "--site", site]) == 0
        )
        report = json.loads(capsys.readouterr().out)
        assert report == {"site": site, "calls": 3, "events": 3, "recordings": 1, "erasures": 1,
                          "audit_rows": 3, "verified": True}  # fmt: skip
    with PgLedger.open_url(pg_url, site="dpo", read_only=True) as store:
        assert len(store.list_calls(limit=100)) == 6
        kept = store.get_call("paris.0")
        assert kept is not None
        assert kept.caller_name == "Zoé \x00"
        assert kept.recording == KeptRecording("/rec/paris.0.wav", 12.5, "a" * 64)
        assert store.redaction_of("lyon.2") == "erasure"
        assert len(store.erasures()) == 2
        sites = store._pgdb().execute(
            "SELECT site, count(*) FROM calls GROUP BY site ORDER BY site"
        )
        assert sites.fetchall() == [("lyon", 3), ("paris", 3)]
        findings, _, _ = store.verify_chain()  # the events of both sites: one intact chain
        assert findings == []
    audit = PgAuditLog(pg_url, site="dpo")
    assert audit.verify() == []
    rows = audit.rows()
    audit.close()
    assert [r.entry.site for r in rows] == ["paris"] * 4 + ["lyon"] * 4
    assert [r.entry.action for r in rows].count("copy") == 2


def test_a_second_copy_of_the_same_site_is_refused_whole(
    tmp_path: Path, pg_url: StoreUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = a_site(tmp_path, "paris")
    args = ["store", "copy", "--from", str(ledger), "--to", pg_url.dsn, "--site", "paris"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    assert "already holds call(s) paris.0" in capsys.readouterr().err
    with PgLedger.open_url(pg_url, site="x", read_only=True) as store:
        assert len(store.list_calls()) == 3


def test_a_broken_audit_chain_is_not_copied(
    tmp_path: Path, pg_url: StoreUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = a_site(tmp_path, "paris")
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.execute("UPDATE audit SET reason = 'hidden' WHERE seq = 2")
    db.close()
    assert main(["store", "copy", "--from", str(ledger), "--to", pg_url.dsn]) == 2
    assert "audit chain is broken" in capsys.readouterr().err


def test_ledger_reads_of_a_shared_store_show_every_site_and_are_audited_there(
    tmp_path: Path, pg_url: StoreUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    for site in ("paris", "lyon"):
        with PgLedger.open_url(pg_url, site=site) as ledger:
            ledger.start_call(f"{site}.1", started_at=T0, caller_number="+331", caller_name="x",
                              profile="fr", language="fr")  # fmt: skip
    config = sample.write(tmp_path, {"store": {"url": pg_url.dsn, "site": "dpo-desk"}})
    assert main(["ledger", "list", "--config", str(config), "--reason", "art. 15 request"]) == 0
    out = capsys.readouterr().out
    assert "paris.1" in out
    assert "lyon.1" in out
    audit = PgAuditLog(pg_url, site="x")
    [row] = audit.rows()
    audit.close()
    assert (row.entry.action, row.entry.reason) == ("read", "art. 15 request")
    assert not (tmp_path / "audit.sqlite3").exists()
