"""`ivr doctor` judges the AMI account from the PBX's own list of what it grants."""

from __future__ import annotations

from ivr import names
from ivr.doctor.findings import Level
from ivr.doctor.pbx import WRITE_CHECK, judge_grants

EVERYTHING_NEEDED = set(names.SERVICE_AMI_ACTIONS) | {"Login", "Ping", "Redirect"}


def test_an_account_granting_every_action_the_service_sends_passes() -> None:
    [finding] = judge_grants(EVERYTHING_NEEDED)
    assert finding.check == WRITE_CHECK
    assert finding.level is Level.OK


def test_an_account_without_system_is_told_which_actions_it_lacks() -> None:
    call_only = EVERYTHING_NEEDED - {"MixMonitor", "DBPut", "DBGetTree", "DBDel"}
    [finding] = judge_grants(call_only)
    assert finding.level is Level.FAIL
    assert "MixMonitor, DBPut, DBGetTree, DBDel" in finding.detail
    assert "manager-ivr.conf" in finding.detail


def test_an_account_that_may_run_cli_commands_or_place_calls_is_warned_about() -> None:
    findings = judge_grants(EVERYTHING_NEEDED | {"Command", "Originate"})
    assert [f.level for f in findings] == [Level.OK, Level.WARN]
    assert "Command, Originate" in findings[1].detail
