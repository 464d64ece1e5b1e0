"""``ivr purge``, ``ivr erase``, ``ivr token`` and ``ivr register export`` on real files; purge
and erasure on both stores (SQLite files, PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.audit import Row
from ivr.cli.main import main
from ivr.config import load_settings
from ivr.store.opening import ledger_location, open_ledger, settings_audit, settings_ledger
from ivr.web.tokens import Role, TokenStore
from tests.support.store import StoreUnderTest
from tests.unit.config import sample
from tests.unit.web.conftest import add_call


@pytest.fixture
def config(tmp_path: Path, store: StoreUnderTest) -> Path:
    (tmp_path / "rec").mkdir()
    (tmp_path / "erasure.secret").write_text("s3\n")
    path = sample.write(
        tmp_path,
        {
            **store.config(),
            "recordings": {"dir": "rec"},
            "ledger": {"path": "ledger.sqlite3"},
            "erasure": {"secret_file": "erasure.secret"},
            "api": {"tokens_file": "tokens.toml"},
        },
    )
    settings = load_settings(path, environ={})

    async def fill() -> None:
        async with await settings_ledger(settings) as ledger:
            now = datetime.now(UTC)
            for n, age in enumerate((1, 200, 400)):
                await add_call(
                    ledger,
                    settings.recordings.dir,
                    f"c{n}",
                    f"+33 1 0{n}",
                    now - timedelta(days=age),
                    encrypt=False,
                )
            await add_call(ledger, settings.recordings.dir, "c9", "+33 1 00", now, encrypt=False)

    asyncio.run(fill())
    return path


def test_purge_dry_run_then_for_real(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = config.parent / "rec"
    assert main(["purge", "--config", str(config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would delete recording of call c1" in out
    assert "would delete personal data of call c2" in out
    assert len(list(rec.iterdir())) == 4
    assert main(["purge", "--config", str(config)]) == 0
    assert "2 recordings, 1 calls deleted" in capsys.readouterr().out
    assert sorted(p.name for p in rec.iterdir()) == ["c0.wav", "c9.wav"]
    rows = audit_rows(config)
    assert [(r.entry.action, r.entry.outcome) for r in rows] == [
        ("purge", "dry-run"),
        ("purge", "ok"),
    ]


def test_erase_a_caller(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erase", "--caller", "+33100", "--config", str(config)]) == 0
    proof = json.loads(capsys.readouterr().out)
    assert (proof["calls"], proof["recordings"]) == (2, 2)
    assert sorted(p.name for p in (config.parent / "rec").iterdir()) == ["c1.wav", "c2.wav"]
    settings = load_settings(config, environ={})
    with open_ledger(ledger_location(settings), read_only=True) as ledger:
        assert ledger.get_call("c0").caller_number is None  # type: ignore[union-attr]
        assert ledger.get_call("c1").caller_number == "+33 1 01"  # type: ignore[union-attr]
    [row] = audit_rows(config)
    assert (row.entry.action, row.entry.target) == ("erase", proof["subject"])
    assert "+33" not in repr(row)
    if settings.store.url is None:
        assert "+33" not in (config.parent / "audit.sqlite3").read_bytes().decode("latin-1")


def audit_rows(config: Path) -> list[Row]:
    audit = settings_audit(load_settings(config, environ={}))
    try:
        return audit.rows()
    finally:
        audit.close()


def test_erase_without_a_secret_is_refused(tmp_path: Path) -> None:
    path = sample.write(tmp_path, {"ledger": {"path": "ledger.sqlite3"}})
    assert main(["erase", "--caller", "+331", "--config", str(path)]) == 2


def test_token_add_prints_once_and_stores_the_hash(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "add", "--role", "auditor", "--config", str(config)]) == 0
    token = capsys.readouterr().out.strip()
    stored = (config.parent / "tokens.toml").read_text()
    assert token not in stored
    who = TokenStore(config.parent / "tokens.toml").authenticate(token)
    assert who is not None
    assert who.role is Role.AUDITOR
    assert main(["token", "list", "--config", str(config)]) == 0
    assert f"{who.token_id}  auditor" in capsys.readouterr().out
