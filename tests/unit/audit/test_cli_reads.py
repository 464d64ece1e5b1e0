"""Reading the ledger from the command line is traceable: each ``ivr ledger show`` and ``list``
is in the audit log with the operating-system user, and a call's personal data is shown only
with a reason (real ledger and audit files, ``python -m ivr`` in a subprocess)."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.audit import AuditLog
from ivr.ledger import Ledger

NUMBER = "+33612345678"


def ivr(*args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "IVR_LEDGER_PATH"}
    return subprocess.run(
        [sys.executable, "-m", "ivr", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path) as opened:
        opened.start_call(
            "c1",
            started_at=datetime.now(UTC),
            caller_number=NUMBER,
            caller_name="Jane Doe",
            profile="fr",
            language="fr",
        )
    return path


def rows(ledger: Path) -> list[tuple[str, str, str, str, str]]:
    log = AuditLog(ledger.with_name("audit.sqlite3"))
    return [(r.entry.actor, r.entry.action, r.entry.target, r.entry.reason, r.entry.outcome)
            for r in log.rows()]  # fmt: skip


def test_showing_a_call_needs_a_reason_and_shows_nothing_without(ledger: Path) -> None:
    refused = ivr("ledger", "show", "c1", "--ledger", str(ledger))
    assert refused.returncode == 2
    assert "--reason" in refused.stderr
    assert NUMBER not in refused.stdout


def test_showing_a_call_is_audited_with_the_os_user_and_the_reason(ledger: Path) -> None:
    shown = ivr("ledger", "show", "c1", "--reason", "ticket 4521", "--ledger", str(ledger))
    assert shown.returncode == 0, shown.stderr
    assert NUMBER in shown.stdout
    assert rows(ledger) == [(f"cli:{getpass.getuser()}", "read", "c1", "ticket 4521", "ok")]


def test_listing_calls_is_audited_and_hides_callers_without_a_reason(ledger: Path) -> None:
    listed = ivr("ledger", "list", "--json", "--ledger", str(ledger))
    assert listed.returncode == 0, listed.stderr
    assert NUMBER not in listed.stdout
    assert "Jane" not in listed.stdout
    with_reason = ivr("ledger", "list", "--reason", "DPO audit", "--ledger", str(ledger))
    assert NUMBER in with_reason.stdout
    first, second = AuditLog(ledger.with_name("audit.sqlite3")).rows()
    assert json.loads(first.entry.detail)["callers_shown"] is False
    assert (second.entry.action, second.entry.reason) == ("read", "DPO audit")
    assert json.loads(second.entry.detail) == {
        "calls": 1,
        "callers_shown": True,
        "command": "ledger list",
    }
