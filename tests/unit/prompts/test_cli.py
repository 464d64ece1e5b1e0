"""``ivr prompts build``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli.main import main
from ivr.prompts import MANIFEST_NAME
from tests.unit.config import sample


def test_build_then_rebuild(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, out = sample.write(tmp_path), tmp_path / "sounds"
    assert main(["prompts", "build", "--config", str(config), "--out", str(out)]) == 0
    first = capsys.readouterr().out
    assert first.count("built ") == 8
    assert f"{out / MANIFEST_NAME}: 8 prompts" in first
    assert main(["prompts", "build", "--config", str(config), "--out", str(out)]) == 0
    assert capsys.readouterr().out.count("unchanged ") == 8


def test_a_missing_tool_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sample.write(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["prompts", "build", "--config", str(config), "--out", str(tmp_path / "o")]) == 2
    assert "apt-get install espeak-ng" in capsys.readouterr().err
