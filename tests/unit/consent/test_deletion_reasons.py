"""Each deletion the machine orders says why, for the audit log (issue 15, item 11)."""

from __future__ import annotations

from ivr.consent import inputs as i
from ivr.consent.commands import DeleteRecording
from ivr.consent.machine import handle
from tests.unit.consent.test_policies import RECORDING, at, run


def _whys(commands: list[object]) -> list[str]:
    return [c.why for c in commands if isinstance(c, DeleteRecording)]


def test_an_objection_deletes_the_recording_because_of_the_objection() -> None:
    _, commands = run(*RECORDING, i.KeyPressed(at(20), "9"))
    assert _whys(list(commands)) == ["objection"]


def test_the_agents_private_key_deletes_the_recording_as_private() -> None:
    consent, commands = run(*RECORDING, i.AgentPrivate(at(20), "PJSIP/agent1001"))
    assert _whys(list(commands)) == ["private"]
    _, end = handle(consent, i.HungUp(at(60)))
    assert _whys(list(end)) == ["private"]
