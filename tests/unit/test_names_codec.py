"""Each wire format the dialplan and the service share has one codec, in ivr/names.py."""

from __future__ import annotations

import pytest

from ivr.names import DecisionValue, Mode, PaymentStep, Step

CHOSEN = DecisionValue("sales", "fr", Mode.OPT_IN, record=True, prompt="notice-short")


def test_the_decision_the_dialplan_cuts_reads_back_as_written() -> None:
    assert CHOSEN.encode() == "sales:fr:opt-in:1:notice-short"
    assert DecisionValue.decode(CHOSEN.encode()) == CHOSEN


@pytest.mark.parametrize("value", ["", "a:b:c", "a:b:never:1:p", "a:b:notice:yes:p", "a:b:c:d:e:f"])
def test_a_malformed_decision_is_refused_so_nothing_is_recorded(value: str) -> None:
    assert DecisionValue.decode(value) is None


def test_unknown_or_empty_steps_parse_to_none() -> None:
    assert Step.parse("notice-done") is Step.NOTICE_DONE
    assert Step.parse("something-new") is None
    assert Step.parse(None) is None
    assert PaymentStep.parse("start") is PaymentStep.START
    assert PaymentStep.parse("") is None
