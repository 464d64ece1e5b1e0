"""`ivr run --sandbox` is judged by `ivr simulate docker/qa/scenarios`: its policy tables must be
the QA stack's (docker/ivr/ivr.toml), or a shipped scenario fails against the sandbox only."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from ivr.cli.run_cmd import SANDBOX_CONFIG

STACK_CONFIG = Path(__file__).resolve().parents[3] / "docker" / "ivr" / "ivr.toml"
POLICY_TABLES = ("consent", "profiles", "agents", "outbound", "listening")


def tables(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("table", POLICY_TABLES)
def test_the_sandbox_has_the_qa_stacks_policy_table(table: str) -> None:
    assert tables(SANDBOX_CONFIG).get(table) == tables(STACK_CONFIG).get(table), (
        f"[{table}] of {SANDBOX_CONFIG} differs from {STACK_CONFIG}'s"
    )


def test_the_sandbox_records_every_call_and_says_it_is_the_sandboxs() -> None:
    recording = tables(SANDBOX_CONFIG)["recording"]
    assert recording["mode"] == "legal-obligation"
    assert recording["legal_reference"].startswith("SANDBOX ONLY")
