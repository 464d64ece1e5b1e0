"""The carrier's agents behave as their extension names say (QA scenarios rely on them)."""

from __future__ import annotations

import time

import pytest

from ivr.ami import AmiClient, AmiTimeout
from ivr.qa.carrier import Carrier
from tests.support.calls import PbxView, new_caller_number

pytestmark = pytest.mark.sip


async def test_agent_after_n_answers_after_n_seconds(pbx_ami: AmiClient, carrier: Carrier) -> None:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    await carrier.call("agent-after-2", caller_num=number)
    await pbx.inbound_channel()
    dialled = time.monotonic()
    await pbx.bridged(2, timeout=10)
    assert 1.8 <= time.monotonic() - dialled <= 4.0


async def test_agent_noanswer_never_answers(pbx_ami: AmiClient, carrier: Carrier) -> None:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    await carrier.call("agent-noanswer", caller_num=number)
    await pbx.inbound_channel()
    with pytest.raises(AmiTimeout):
        await pbx.bridged(1, timeout=3)
