"""``ivr config check`` says which calls may be recorded, the first thing an administrator
checks: every call and why, a sample in named periods, or none at all."""

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


def checked(tmp_path: Path, capsys: pytest.CaptureFixture[str], recording: str = "") -> str:
    path = sample.write(tmp_path)
    with path.open("a", encoding="utf-8") as config:
        config.write("\n" + recording)
    assert main(["config", "check", "--config", str(path)]) == 0
    return capsys.readouterr().out


def test_without_a_recording_table_check_says_no_call_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = checked(tmp_path, capsys)
    assert "recording   NO call is ever recorded (no [recording], or fraction 0)" in out


def test_check_names_the_sampled_share_and_each_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = """
[recording]
fraction = 0.25
timezone = "Europe/Paris"
[[recording.periods]]
label = "mornings"
days = ["mon", "tue"]
from = "09:00"
to = "12:00"
"""
    out = checked(tmp_path, capsys, policy)
    assert "recording   sampled: 25% of the calls in these periods (Europe/Paris)" in out
    assert "period      mornings: mon,tue 09:00-12:00 (every group)" in out


def test_check_shows_a_legal_obligation_with_its_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = '[recording]\nmode = "legal-obligation"\nlegal_reference = "MiFID II art. 16(7)"\n'
    out = checked(tmp_path, capsys, policy)
    assert "recording   every call (legal obligation: MiFID II art. 16(7))" in out
