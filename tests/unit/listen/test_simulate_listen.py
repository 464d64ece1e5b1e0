"""Simulator scenarios with a supervisor who listens: read, and judged on the PBX's verdict."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ivr.simulate.model import Anchor, Moment
from ivr.simulate.observed import Observed
from ivr.simulate.scenario import parse
from ivr.simulate.verdict import mismatches

TEXT = """
[[call]]
name = "listened"
agent = { answer = 1 }
supervisor = { at = 1.5, after = "bridged" }
hangup = { at = 4.0, after = "bridged" }

[call.expect]
listen = "allowed"
"""


def test_a_supervisor_listens_at_a_moment_of_the_call_and_the_verdict_is_judged() -> None:
    (call,) = parse(Path("s.toml"), TEXT, tomllib.loads(TEXT)).calls
    assert call.supervisor == Moment(1.5, Anchor.BRIDGED)
    assert call.agent == "agent-after-01", "the agent the supervisor asks for"
    assert mismatches(call.expect, Observed(listen="allowed"), ledger_checked=False) == []
    found = mismatches(call.expect, Observed(listen="objected"), ledger_checked=False)
    assert found == ["listen: expected allowed, the PBX says objected"]
