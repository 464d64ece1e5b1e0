"""``ivr config check``: a summary when valid, the one error and exit 2 when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli.main import main
from tests.unit.config import sample


@pytest.fixture(autouse=True)
def _no_ivr_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from ivr.config import ENV_VARS

    for var in ENV_VARS:
        monkeypatch.delenv(var.name, raising=False)


def test_check_summarises_a_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample.write(tmp_path)
    assert main(["config", "check", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: valid" in out
    assert "full notice 1, object 9" in out
    assert sample.SECRET not in out


def test_check_prints_texts_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample.write(tmp_path)
    assert main(["config", "check", "--config", str(path), "--texts"]) == 0
    out = capsys.readouterr().out
    assert "[fr/en/notice-short]" in out
    assert "press 9" in out


def test_check_prints_the_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample.write(tmp_path, {"consent": {"keys": {"object": "99"}}})
    assert main(["config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f'ivr: {path}: consent.keys.object: must be one key among 0-9 * #, got "99"\n'
