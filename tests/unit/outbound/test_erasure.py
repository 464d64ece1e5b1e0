"""``ivr erase`` on the outbound store (issue 19, erasure): what a consumer's erasure request
removes and what it must keep to protect them (docs/outbound.md, "Erasure")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.cli.main import main
from ivr.config import load_settings
from ivr.outbound.config import load_outbound
from ivr.outbound.port import ConsentRecord
from ivr.outbound.store import SqliteOutboundStore

EXAMPLE = Path(__file__).parents[3] / "examples" / "ivr.toml"
MONDAY_10 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ERASED, OTHER = "+33612345678", "+33611111111"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVR_LEDGER_PATH", str(tmp_path / "ledger.sqlite3"))
    monkeypatch.setenv("IVR_AUDIT_PATH", str(tmp_path / "audit.sqlite3"))
    monkeypatch.setenv("IVR_ERASURE_SECRET", "s3")
    monkeypatch.setenv("IVR_CONFIG", str(EXAMPLE))
    outbound = load_outbound(load_settings(EXAMPLE))
    store = SqliteOutboundStore(outbound.store)
    campaign = outbound.campaigns["example-fr"]
    store.import_opposition("bloctel", MONDAY_10.date(), [])
    for number in (ERASED, OTHER):
        store.add_consents([ConsentRecord(number, MONDAY_10, "web form", "I agree to calls")])
        store.guard(campaign, number, MONDAY_10, True)
    store.close()
    return outbound.store


def test_erasure_deletes_attempts_and_decisions_but_keeps_the_number_opposed(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["erase", "--caller", "06 12 34 56 78", "--reason", "art. 17", "--config", str(EXAMPLE)]
        )
        == 0
    )
    answer = json.loads(capsys.readouterr().out)["outbound"]
    assert (answer["attempts_deleted"], answer["decisions_deleted"]) == (1, 1)
    store = SqliteOutboundStore(config)
    try:
        assert store.attempts(ERASED) == []
        assert store.decisions(ERASED) == []
        # Forgetting the number would let the next campaign call the person who asked.
        campaign = load_outbound(load_settings(EXAMPLE)).campaigns["example-fr"]
        later = datetime.now(UTC) + timedelta(days=1)  # after the erasure
        assert store.facts(campaign, ERASED, later, True).opposed_on == ("internal",)
        assert store.guard(campaign, ERASED, later, True).rule == "opposition"
        # The consent is revoked, and its proof (when, where, the words) stays.
        assert store.facts(campaign, ERASED, later, True).consents == ()
        (proof,) = store._db.execute(
            "SELECT source, wording, revoked_by FROM outbound_consents WHERE number = ?",
            (ERASED,),
        ).fetchall()
        assert proof[:2] == ("web form", "I agree to calls")
        assert proof[2].startswith("erasure request")
        (refusal,) = store._db.execute(
            "SELECT who FROM outbound_refusals WHERE number = ?", (ERASED,)
        ).fetchall()
        assert refusal[0].startswith("erasure request")
        # Nobody else's data is touched.
        assert len(store.attempts(OTHER)) == 1
        assert store.facts(campaign, OTHER, later, True).opposed_on == ()
    finally:
        store.close()
    audit = (config.parent / "audit.sqlite3").read_bytes().decode("latin-1")
    assert "612345678" not in audit  # the audit row names the keyed hash only


def test_erasure_without_an_outbound_store_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IVR_LEDGER_PATH", str(tmp_path / "ledger.sqlite3"))
    monkeypatch.setenv("IVR_AUDIT_PATH", str(tmp_path / "audit.sqlite3"))
    monkeypatch.setenv("IVR_ERASURE_SECRET", "s3")
    monkeypatch.setenv("IVR_CONFIG", str(EXAMPLE))
    assert main(["erase", "--caller", "0612345678", "--config", str(EXAMPLE)]) == 0
    assert json.loads(capsys.readouterr().out)["outbound"] == {"store": False}
    assert not (tmp_path / "outbound.sqlite3").exists()
