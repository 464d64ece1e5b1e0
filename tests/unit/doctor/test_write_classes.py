"""`ivr doctor` judges the AMI account from the PBX's own list of what it grants."""

from __future__ import annotations

from ivr import names
from ivr.doctor.findings import Level
from ivr.doctor.pbx import WRITE_CHECK, judge_grants

CALL = set(names.SERVICE_AMI_ACTIONS) | {"Login", "Ping", "Redirect"}
EVERYTHING_NEEDED = CALL | set(names.SERVICE_AMI_SYSTEM_ACTIONS)


def test_an_account_granting_every_action_the_service_sends_passes() -> None:
    [finding] = judge_grants(EVERYTHING_NEEDED)
    assert finding.check == WRITE_CHECK
    assert finding.level is Level.OK


def test_an_account_with_call_only_passes_and_is_told_what_it_goes_without() -> None:
    [finding] = judge_grants(CALL)
    assert finding.level is Level.OK
    assert "MixMonitor, DBPut, DBGetTree, DBDel refused" in finding.detail
    assert "armed by the dialplan" in finding.detail


def test_an_account_without_call_is_told_which_actions_it_lacks() -> None:
    [finding] = judge_grants(EVERYTHING_NEEDED - {"Status", "StopMixMonitor"})
    assert finding.level is Level.FAIL
    assert "Status, StopMixMonitor" in finding.detail
    assert "manager-ivr.conf" in finding.detail


def test_an_account_that_may_run_cli_commands_or_place_calls_is_warned_about() -> None:
    findings = judge_grants(EVERYTHING_NEEDED | {"Command", "Originate"})
    assert [f.level for f in findings] == [Level.OK, Level.WARN]
    assert "Command, Originate" in findings[1].detail
