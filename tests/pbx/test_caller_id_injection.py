"""A caller's name is never an AMI header: a hostile name (CR/LF and an `Action: Originate`
block) travels as inert text, the PBX runs no injected action, the service handles the call
as any other and the ledger keeps the name exactly as the PBX reported it."""

from __future__ import annotations

import asyncio

import pytest

from ivr.ami import AmiClient, EventMatch
from ivr.qa.carrier import Carrier, call_with_looked_up_name
from tests.pbx.test_consent_loop import ledger_entry
from tests.pbx.test_consent_loop import service as service  # the fixture
from tests.support.calls import PbxView, new_caller_number
from tests.support.service import ServiceProcess

pytestmark = pytest.mark.sip

HOSTILE = (
    b"Bob\r\nAction: Originate\r\nChannel: Local/injected@from-carrier\r\n"
    b"Application: Wait\r\nData: 30\r\n\r\n"
)


async def test_a_hostile_caller_name_injects_nothing_and_is_stored_as_text(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
) -> None:
    injected = pbx_ami.subscribe(
        lambda e: e.name == "Newchannel" and "injected" in e.get("Channel", "")
    )
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    leg = await call_with_looked_up_name(carrier, "n-agent", caller_num=number, name=HOSTILE)
    started = await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-started"}), 20)
    reported = started.get("CallerIDName", "")
    assert "Action: Originate" in reported
    assert "\r" not in reported  # Asterisk itself escapes it in AMI values
    await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-done"}), 20)
    await pbx.bridged(2)
    await asyncio.sleep(1.0)
    await leg.hangup()

    entry = await ledger_entry(service, started.get("Call", ""))
    assert entry["caller_name"] == reported
    assert entry["decision"] == "kept"
    assert len(injected) == 0, "the PBX created the injected channel"
