"""After a restart, the agent on each agent's leg is read from the Status listing: the
DIALEDPEERNUMBER Dial set on the channel it created (Asterisk 22 sets it there to the dial
string's resource, `agent@carrier` for the carrier's agent), as `DialBegin` said it live."""

from __future__ import annotations

from ivr.ami import Message
from ivr.service.rebuild import dialled_agents


def status(channel: str, unique_id: str, *variables: str) -> Message:
    fields = [("Event", "Status"), ("Channel", channel), ("Uniqueid", unique_id)]
    return Message([*fields, *(("Variable", v) for v in variables)])


CALLER = status(
    "PJSIP/carrier-00000000",
    "1796457019.0",
    "IVR_CALL=1796457019.0",
    "DIALEDPEERNUMBER=agent@carrier",  # set on the caller too when the agent answers
)


def test_an_agents_leg_names_the_agent_it_was_dialled_as_without_the_host() -> None:
    leg = status("PJSIP/carrier-00000001", "1.1", "IVR_CALL=1.0", "DIALEDPEERNUMBER=agent@carrier")
    assert dialled_agents([CALLER, leg]) == {"PJSIP/carrier-00000001": "agent"}


def test_a_leg_dialled_as_an_endpoint_names_the_endpoint() -> None:
    leg = status("PJSIP/1001-00000007", "1.7", "IVR_CALL=(null)", "DIALEDPEERNUMBER=1001")
    assert dialled_agents([leg]) == {"PJSIP/1001-00000007": "1001"}


def test_the_callers_own_channel_names_no_agent() -> None:
    assert dialled_agents([CALLER]) == {}


def test_a_channel_dial_did_not_create_names_no_agent() -> None:
    spy = status("PJSIP/supervisor-0000002a", "1.9", "DIALEDPEERNUMBER=(null)")
    bare = status("PJSIP/agent-00000003", "1.3")
    assert dialled_agents([spy, bare]) == {}
