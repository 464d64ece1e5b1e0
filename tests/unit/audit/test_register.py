"""``ivr register export``: the art. 30 record follows the configuration, in both formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr.audit import AuditLog
from ivr.cli.main import main
from tests.unit.config import sample


def test_json_follows_the_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes = {
        "ledger": {"path": "ledger.sqlite3"},
        "retention": {"audio_days": 90, "profiles": {"fr": {"data_days": 200}}},
        "notice": {"fr": {"retention": "90 jours"}, "en": {"retention": "90 days"}},
    }
    config = sample.write(tmp_path, changes)
    assert main(["register", "export", "--config", str(config), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["controller"] == {
        "name": "Acme",
        "contact": "01 02 03 04 05",
        "dpo": "dpo@acme.example",
    }
    assert record["purposes"] == "la formation des conseillers"
    assert record["recipients"] == "le service qualité"
    assert record["retention"]["default"] == {"recordings_days": 90, "personal_data_days": 365}
    assert record["retention"]["fr"] == {"recordings_days": 90, "personal_data_days": 200}
    assert any("NOT encrypted" in m for m in record["security_measures"])
    [row] = AuditLog(tmp_path / "audit.sqlite3").rows()
    assert (row.entry.action, row.entry.target) == ("export", "register")


def test_markdown_in_another_language_with_encryption(tmp_path: Path) -> None:
    changes = {"ledger": {"path": "ledger.sqlite3"}, "encryption": {"key": "ab" * 32}}
    config = sample.write(tmp_path, changes)
    out = tmp_path / "art30.md"
    argv = ["register", "export", "--config", str(config), "--language", "en", "--output", str(out)]
    assert main(argv) == 0
    text = out.read_text()
    assert text.startswith("# Record of processing activities (GDPR art. 30)")
    for heading in (
        "## Purposes",
        "## Categories of personal data",
        "## Recipients",
        "## Retention",
        "## Security measures",
    ):
        assert heading in text
    assert "training our advisers" in text
    assert "encrypted at rest once closed (AES-256-GCM)" in text
    assert "ab" * 32 not in text


def test_the_record_says_which_calls_are_recorded(tmp_path: Path) -> None:
    from ivr.audit.register import build_record

    legal = {"recording": {"mode": "legal-obligation", "legal_reference": "MiFID II art. 16(7)"}}
    record = build_record(sample.settings(tmp_path, legal))
    assert record["which_calls_are_recorded"] == {
        "every_call": "legal obligation: MiFID II art. 16(7)"
    }
    which = build_record(sample.settings(tmp_path))["which_calls_are_recorded"]
    assert (which["fraction_of_eligible_calls"], which["declared_periods"]) == (0.0, [])
    assert which["agents"]["pause_key"] == "*1"
