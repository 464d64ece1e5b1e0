"""`ivr simulate` refuses, with exit status 2 and one clear line, what cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli.main import main


def test_invalid_scenario_exits_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[call]]\nname = "a"\nhangup = { at = 1 }\nexpect = { decision = "no" }\n')
    assert main(["simulate", str(bad), "--no-ledger"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: call 'a': expect.decision: must be one of" in err


def test_unreadable_target_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Path(__file__).resolve().parents[3] / "docker" / "qa" / "scenarios"
    missing = tmp_path / "pbx.json"
    assert main(["simulate", str(scenario), "--no-ledger", "--targets", str(missing), "x"]) == 2
    assert f"{missing}: cannot read a target" in capsys.readouterr().err


def test_ledger_checks_need_the_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IVR_API_TOKEN", raising=False)
    target = tmp_path / "t.json"
    target.write_text(
        '{"name": "p", "ami_host": "h", "ami_port": 1, "ami_username": "u",'
        ' "ami_secret": "s", "recordings_dir": "/r"}'
    )
    scenario = Path(__file__).resolve().parents[3] / "docker" / "qa" / "scenarios"
    assert main(["simulate", str(scenario), "--targets", str(target), str(target)]) == 2
    assert "set IVR_API_TOKEN" in capsys.readouterr().err
