"""Outbound scenario calls (issue 19): read, checked, and judged on the guard's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.simulate.errors import ScenarioError
from ivr.simulate.model import Expect
from ivr.simulate.observed import Observed
from ivr.simulate.scenario import load, load_paths
from ivr.simulate.verdict import mismatches

SHIPPED = Path(__file__).resolve().parents[3] / "docker" / "qa" / "scenarios"


def test_the_shipped_outbound_scenarios_load() -> None:
    calls = [c for f in load_paths([SHIPPED / "20-outbound.toml"]) for c in f.calls]
    assert {(c.campaign, c.expect.outbound) for c in calls} == {
        ("qa-open", "allowed"),
        ("qa-closed", "refused:window"),
        ("qa-unknown", "refused:campaign"),
    }


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('campaign = "a.b"\nexpect = { outbound = "allowed" }', "not a campaign name"),
        ('campaign = "c"\nexpect = { outbound = "maybe" }', "refused:<rule>"),
        ('campaign = "c"\nkeys = []\nexpect = { outbound = "allowed" }', "not for an outbound"),
        ('campaign = "c"\nexpect = { outbound = "allowed", recorded = true }', "expect.recorded"),
    ],
)
def test_a_bad_outbound_call_is_refused_naming_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f'[[call]]\nname = "x"\n{table}\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=message.replace("<", ".").replace(">", ".")):
        load(path)


@pytest.mark.parametrize(
    ("expected", "verdict", "reached", "failures"),
    [
        ("allowed", "allowed", True, 0),
        ("allowed", "allowed", False, 1),
        ("refused:window", "refused:window", False, 0),
        ("refused:window", "refused:window", True, 1),
        ("refused:window", "refused:cap", False, 1),
    ],
)
def test_a_refused_call_must_never_reach_the_carrier(
    expected: str, verdict: str, reached: bool, failures: int
) -> None:
    seen = Observed(outbound=verdict, carrier_reached=reached)
    assert len(mismatches(Expect(outbound=expected), seen, ledger_checked=False)) == failures
