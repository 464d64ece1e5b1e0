"""The fact the recording's move to the dialplan rests on (docs/ami-account.md): a MixMonitor
the dialplan arms with option `b` before the Dial writes nothing while the caller waits, only
the bridged conversation, both voices; and the service's `StopMixMonitor` (class `call`) stops
it. Real SIP call from the carrier, recording read back from the PBX's disk."""

from __future__ import annotations

import asyncio
import time

import pytest

from ivr.ami import AmiClient
from ivr.qa.audio import hears, read_wav
from ivr.qa.carrier import Carrier, Voice
from tests.pbx.test_mixmonitor_smoke import AGENT_HZ, CALLER_HZ, wait_closed
from tests.support.calls import PbxView, new_caller_number
from tests.support.targets import Target

pytestmark = pytest.mark.sip

WAITING = 3.0  # the dialplan's Wait between arming and the Dial (ivr/sandbox/dialplans.py)
TALK = 2.0


async def test_an_armed_recording_holds_only_the_bridged_conversation(
    pbx_ami: AmiClient, carrier: Carrier, pbx_target: Target
) -> None:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    dialled = time.monotonic()
    await carrier.call("armed-agent", caller_num=number, voice=Voice(tone=str(CALLER_HZ)))
    inbound = await pbx.inbound_channel()
    await pbx.bridged(2)
    waited = time.monotonic() - dialled
    await asyncio.sleep(TALK)  # the conversation
    await pbx_ami.action("StopMixMonitor", {"Channel": inbound.get("Channel", "")})

    path = pbx_target.recordings_dir / f"ivr-armed-{inbound.get('Uniqueid')}.wav"
    await wait_closed(path)
    pcm = read_wav(path)
    assert waited >= WAITING, "the call was bridged before the dialplan's wait ended"
    assert 0.8 * TALK < pcm.seconds < TALK + 1.0, (
        f"{pcm.seconds:.2f} s recorded: the {waited:.1f} s before the bridge were written"
    )
    assert hears(pcm, CALLER_HZ), "the caller's voice is missing"
    assert hears(pcm, AGENT_HZ), "the agent's voice is missing"
    pbx.close()
