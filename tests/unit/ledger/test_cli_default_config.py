"""``ivr ledger show CALL_ID`` with no option, as docs/admin.md prints it: the ledger of the
installed configuration (``IVR_CONFIG``, else /etc/ivr/ivr.toml), or an error saying how to
name one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli import ledger_cmd
from ivr.cli.main import main
from ivr.ledger import Ledger
from ivr.names import Decision
from tests.unit.config import sample
from tests.unit.ledger.conftest import T0, at


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration whose ledger holds one call; IVR_* variables cleared."""
    for name in ("IVR_LEDGER_PATH", "IVR_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    ledger = tmp_path / "ledger.sqlite3"
    with Ledger.open(ledger) as opened:
        opened.start_call(
            "c1", started_at=T0, caller_number="+331", caller_name=None, profile="fr", language="fr"
        )
        opened.finish_call("c1", ended_at=at(5), decision=Decision.OBJECTED)
    return sample.write(tmp_path, {"ledger": {"path": str(ledger)}})


def test_ivr_config_names_the_configuration_whose_ledger_is_read(
    installed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ledger_cmd, "INSTALLED_CONFIG", installed.with_name("absent.toml"))
    monkeypatch.setenv("IVR_CONFIG", str(installed))
    assert main(["ledger", "show", "c1", "--reason", "test"]) == 0
    assert "decision   objected" in capsys.readouterr().out


def test_the_installed_configuration_is_the_default(
    installed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ledger_cmd, "INSTALLED_CONFIG", installed)
    assert main(["ledger", "show", "c1", "--reason", "test"]) == 0
    assert "decision   objected" in capsys.readouterr().out


def test_without_any_configuration_the_error_says_how_to_name_one(
    installed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = installed.with_name("absent.toml")
    monkeypatch.setattr(ledger_cmd, "INSTALLED_CONFIG", absent)
    assert main(["ledger", "show", "c1", "--reason", "test"]) == 2
    err = capsys.readouterr().err
    assert f"{absent} does not exist" in err
    for way in ("--config FILE", "--ledger PATH", "IVR_CONFIG", "IVR_LEDGER_PATH"):
        assert way in err
