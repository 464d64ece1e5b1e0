"""``ivr outbound`` on the shipped example configuration, as an administrator runs it (6)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.audit import AuditLog
from ivr.cli.main import main
from ivr.config import load_settings
from ivr.outbound.config import load_outbound
from ivr.outbound.store import SqliteOutboundStore

EXAMPLE = Path(__file__).parents[3] / "examples" / "ivr.toml"
MONDAY_10 = "2026-03-02T10:00+01:00"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVR_LEDGER_PATH", str(tmp_path / "ledger.sqlite3"))
    monkeypatch.setenv("IVR_AUDIT_PATH", str(tmp_path / "audit.sqlite3"))
    monkeypatch.setenv("IVR_CONFIG", str(EXAMPLE))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["outbound", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def check(
    capsys: pytest.CaptureFixture[str], number: str, at: str = MONDAY_10
) -> dict[str, object]:
    code, out, _ = run(capsys, "check", number, "--campaign", "example-fr", "--at", at, "--json")
    decision: dict[str, object] = json.loads(out)
    assert code == (0 if decision["allowed"] else 1)
    return decision


def test_check_on_the_example_config_refuses_until_bloctel_is_imported(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(capsys, "0611111111")["rule"] == "list-stale"
    (env / "bloctel.txt").write_text("06 12 34 56 78\n\n+33700000001\n")
    code, out, _ = run(
        capsys, "opposition", "import", str(env / "bloctel.txt"), "--source", "bloctel",
        "--screened-on", "2026-03-01", "--json",
    )  # fmt: skip
    assert (code, json.loads(out)["added"]) == (0, 2)
    for spelling in ("06 12 34 56 78", "0612345678", "+33612345678"):
        assert check(capsys, spelling)["rule"] == "opposition"
    assert check(capsys, "0611111111") == check(capsys, "0611111111") | {
        "allowed": True,
        "rule": None,
    }
    assert check(capsys, "0611111111", "2026-03-02T20:00+01:00")["rule"] == "window"
    assert (env / "outbound.sqlite3").exists()  # beside the ledger


def test_check_records_no_attempt_but_is_audited(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check(capsys, "0611111111")
    code, out, _ = run(capsys, "attempts", "0611111111", "--json")
    assert (code, json.loads(out)["attempts"]) == (0, [])
    actions = [row.entry.action for row in AuditLog(env / "audit.sqlite3").rows()]
    assert actions == ["outbound-check", "outbound-attempts"]


def test_consent_import_and_revoke(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "bloctel.txt").write_text("")
    run(capsys, "opposition", "import", str(env / "bloctel.txt"), "--source", "bloctel",
        "--screened-on", "2026-08-10")  # fmt: skip
    august = "2026-08-11T10:00+02:00"
    assert check(capsys, "0611111111", august)["rule"] == "consent"
    (env / "c.csv").write_text(
        "number,given_at,source,wording,purpose\n"
        "06 11 11 11 11,2026-05-01T10:00:00+02:00,web form,J'accepte,"
        "offres de télévision payante\n"
    )
    code, out, _ = run(capsys, "consent", "import", str(env / "c.csv"), "--json")
    assert (code, json.loads(out)) == (0, {"imported": 1})
    assert check(capsys, "0611111111", august)["allowed"] is True
    code, out, _ = run(capsys, "consent", "revoke", "+33611111111", "--json")
    assert json.loads(out)["revoked"] == 1
    store = SqliteOutboundStore(env / "outbound.sqlite3")
    campaign = load_outbound(load_settings(EXAMPLE)).campaign("example-fr")
    after = store.facts(campaign, "+33611111111", datetime.now(UTC) + timedelta(seconds=1), True)
    assert after.consents == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("number,given_at,source\n", "lacks the column(s) wording"),
        ("number,given_at,source,wording\n0611111111,yesterday,web,ok\n", "line 2: given_at"),
        ("number,given_at,source,wording\nhello,2026-01-01,web,ok\n", "line 2: not a phone"),
        ("number,given_at,source,wording\n0611111111,2026-01-01,,ok\n", "line 2: empty source"),
    ],
)
def test_a_bad_consent_file_is_refused_naming_the_line(
    env: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (env / "c.csv").write_text(content)
    code, _, err = run(capsys, "consent", "import", str(env / "c.csv"))
    assert code == 2
    assert message in err


def test_an_unknown_campaign_is_named(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "0611111111", "--campaign", "example-f")
    assert code == 2
    assert "example-fr" in err
