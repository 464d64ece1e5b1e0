"""Every live listen is a row of the tamper-evident audit log, listed per agent and per
supervisor by the CLI (and the API, tests/unit/web)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.audit import AuditLog
from ivr.cli.main import main
from ivr.listen.trail import Listen, listens

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
ALLOWED = Listen(AT, "sup-claire", "Claire Martin", "quality", "1001", "17.3", "allowed")
ENDED = Listen(
    AT, "sup-claire", "Claire Martin", "quality", "1001", "17.3", "ended", "objected", 12.34
)
DENIED = Listen(AT, "desk-9", "", "", "1002", "", "denied", "unknown-supervisor")


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.sqlite3")
    for listen in (ALLOWED, ENDED, DENIED):
        audit.append(listen.entry())
    return audit


def test_each_listen_says_who_which_call_when_how_long_and_how_it_ended(log: AuditLog) -> None:
    allowed, ended, denied = listens(log.rows())
    assert allowed["supervisor"] == "Claire Martin"
    assert (allowed["call"], allowed["agent"], allowed["outcome"]) == ("17.3", "1001", "allowed")
    assert (ended["outcome"], ended["why"], ended["seconds"]) == ("ended", "objected", "12.3")
    assert (denied["supervisor"], denied["endpoint"], denied["why"]) == (
        "",
        "desk-9",
        "unknown-supervisor",
    )
    assert log.verify() == [], "the rows are chained like every other audit row"


def test_listed_per_agent_and_per_supervisor(log: AuditLog) -> None:
    assert [r["outcome"] for r in listens(log.rows(), agent="1002")] == ["denied"]
    assert len(listens(log.rows(), supervisor="Claire Martin")) == 2
    assert len(listens(log.rows(), supervisor="desk-9")) == 1


def test_the_cli_prints_one_json_object_a_line(
    log: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["listen", "list", "--audit", str(log.path), "--agent", "1001"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["outcome"] for line in lines] == ["allowed", "ended"]
