"""After a reconnection the calls in progress are read from one `Status` listing (AMI class
`call`): the caller channels and the variables the consent flow left on them."""

from __future__ import annotations

from ivr import names
from ivr.ami import Message
from ivr.service.rebuild import caller_from_status, status_variables


def status_event(unique_id: str, *variables: str, bridge: str = "") -> Message:
    return Message(
        [
            ("Event", "Status"),
            ("Channel", "PJSIP/carrier-00000001"),
            ("CallerIDNum", "+33612345678"),
            ("CallerIDName", "Caller"),
            ("Uniqueid", unique_id),
            ("BridgeID", bridge),
            *(("Variable", v) for v in variables),
        ]
    )


def test_an_unset_variable_reads_as_empty_and_a_value_may_hold_equals_signs() -> None:
    event = status_event("1.1", "IVR_STEP=(null)", "IVR_DECISION=fr:fr:notice:1:a=b")
    assert status_variables(event) == {"IVR_STEP": "", "IVR_DECISION": "fr:fr:notice:1:a=b"}


def test_the_caller_channel_is_the_one_whose_call_id_is_its_own() -> None:
    event = status_event(
        "1.1", "IVR_CALL=1.1", "IVR_STEP=notice-done", "IVR_PROFILE=fr", bridge="b-1"
    )
    caller = caller_from_status(event)
    assert caller is not None
    assert (caller.call_id, caller.channel, caller.bridged) == (
        "1.1",
        "PJSIP/carrier-00000001",
        True,
    )
    assert caller.variables[names.VAR_STEP] == "notice-done"
    assert caller.variables[names.VAR_OBJECTED] == ""  # not asked back: empty, never missing
    assert caller.start.caller_number == "+33612345678"


def test_an_agent_leg_inheriting_the_call_id_is_not_a_caller() -> None:
    assert caller_from_status(status_event("1.2", "IVR_CALL=1.1")) is None
    assert caller_from_status(status_event("1.3", "IVR_CALL=(null)")) is None
