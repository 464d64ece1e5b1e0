"""The PBX sends the service about twice the events its calls use (new channels, states,
dials, hang-up requests...): those are dropped first thing, and none of them is kept while
live calls are being rebuilt."""

from __future__ import annotations

from ivr.ami.message import message_from_text
from ivr.config.model import Settings
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import service

UNUSED = (
    "Event: Newchannel\nChannel: PJSIP/carrier-00000009\nUniqueid: 1796457099.9\n",
    "Event: DialBegin\nChannel: PJSIP/carrier-00000009\nUniqueid: 1796457099.9\n",
    "Event: HangupRequest\nChannel: PJSIP/carrier-00000009\nUniqueid: 1796457099.9\n",
)
USED = (
    "Event: UserEvent\nUserEvent: IvrConsent\nCall: 1796457099.9\nStep: arrived\n"
    "Channel: PJSIP/carrier-00000009\nUniqueid: 1796457099.9\n"
)


async def test_events_no_call_uses_are_not_held_during_a_rebuild(
    pbx: FakePbx, settings: Settings
) -> None:
    async with service(settings) as runtime:
        calls = runtime.calls
        calls.hold()
        try:
            for text in (*UNUSED, USED):
                calls.on_event(message_from_text(text.rstrip("\n")))
            held = [event.name for event in calls.held or ()]
        finally:
            calls.held = None  # nothing to replay: the call is not on the fake PBX
    assert held == ["UserEvent"]
