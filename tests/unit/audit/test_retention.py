"""The audit log has a retention of its own: old rows go, the chain and the signed checkpoints
still verify, the removal is itself in the log, and an anchor moved by hand is named (real
SQLite files, real keys, ``ivr audit`` commands)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.audit import AuditLog, Entry
from ivr.cli.main import main
from tests.unit.config import sample


def entry(at: datetime, n: int) -> Entry:
    when = at.isoformat(timespec="microseconds")
    return Entry(when, "tok1", "auditor", "read", f"call-{n}", "", "-", "ok")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    assert main(["audit", "new-key", "--out", str(tmp_path / "audit.key")]) == 0
    audit = {
        "path": "audit.sqlite3",
        "retention_days": 30,
        "checkpoint_key_file": "audit.key",
        "checkpoint_file": "checkpoints.jsonl",
        "checkpoint_every": 1,
    }
    return sample.write(tmp_path, {"audit": audit})


def fill(config: Path) -> AuditLog:
    from ivr.audit.configured import open_audit_log
    from ivr.config import load_settings

    log = open_audit_log(load_settings(config, environ={}).compliance)
    now = datetime.now(UTC)
    for n, age in enumerate((90, 60, 40, 10, 1), 1):
        log.append(entry(now - timedelta(days=age), n))
        log.on_append.flush()  # type: ignore[union-attr]
    return log


def test_rows_past_the_retention_go_and_the_log_still_verifies(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = fill(config)
    assert main(["audit", "prune", "--config", str(config)]) == 0
    rows = log.rows()
    assert [r.entry.target for r in rows] == ["call-4", "call-5", "audit-log"]
    assert rows[-1].entry.action == "retention"
    capsys.readouterr()
    assert main(["audit", "verify", "--config", str(config)]) == 0
    assert "intact, 3 rows" in capsys.readouterr().out


def test_an_anchor_moved_by_hand_is_found(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = fill(config)
    db = sqlite3.connect(log.path)
    with db:  # what someone hiding rows 1..3 would do, without a retention row
        db.execute("DELETE FROM audit WHERE seq <= 3")
        db.execute("CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER PRIMARY KEY, seq, hash)")
        db.execute(
            "INSERT INTO audit_anchor VALUES (1, 3, (SELECT prev_hash FROM audit WHERE seq = 4))"
        )
    db.close()
    capsys.readouterr()
    assert main(["audit", "verify", "--config", str(config)]) == 1
    assert "no retention row says so" in capsys.readouterr().out
