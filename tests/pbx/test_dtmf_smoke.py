"""Keys pressed by a caller on a real SIP leg (RFC 4733) reach the PBX core as DTMF events,
before any bridge and, crucially, during a bridged conversation with an agent."""

from __future__ import annotations

import pytest

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from tests.support.calls import PbxView, new_caller_number

pytestmark = pytest.mark.sip


async def test_key_in_the_dialplan_raises_dtmf_events(pbx_ami: AmiClient, carrier: Carrier) -> None:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    call = await carrier.call("wait", caller_num=number)
    await call.wait_answered()
    inbound = await pbx.inbound_channel()

    await call.press("5", duration_ms=200)

    uniqueid = inbound.get("Uniqueid", "")
    begin = await pbx.digit("DTMFBegin", "5", uniqueid)
    end = await pbx.digit("DTMFEnd", "5", uniqueid)
    assert begin.get("Direction") == end.get("Direction") == "Received"
    assert int(end.get("DurationMs", "0")) >= 100


async def test_key_during_a_bridged_call_raises_dtmf_events(
    pbx_ami: AmiClient, carrier: Carrier
) -> None:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    call = await carrier.call("agent", caller_num=number)
    inbound = await pbx.inbound_channel()
    entered = await pbx.bridged(2)
    assert {e.get("BridgeTechnology") for e in entered} == {"simple_bridge"}

    await call.press("9")

    end = await pbx.digit("DTMFEnd", "9", inbound.get("Uniqueid", ""))
    assert end.get("Direction") == "Received"
