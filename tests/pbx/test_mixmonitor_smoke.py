"""MixMonitor driven over AMI on a bridged SIP call: both voices recorded, StopMixMonitor closes
the file, MixMonitorMute writes true silence for the muted span."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from ivr.qa.audio import hears, longest_zero_run, read_wav, wav_is_closed
from ivr.qa.carrier import CallerLeg, Carrier, Voice
from tests.support.calls import PbxView, new_caller_number
from tests.support.targets import Target

pytestmark = pytest.mark.sip

CALLER_HZ = 440
AGENT_HZ = 1000  # the carrier's `agent` extension talks at this pitch
CLOSE_DEADLINE = 5.0


async def bridged_call(pbx_ami: AmiClient, carrier: Carrier) -> tuple[CallerLeg, str]:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    call = await carrier.call("agent", caller_num=number, voice=Voice(tone=str(CALLER_HZ)))
    inbound = await pbx.inbound_channel()
    await pbx.bridged(2)
    return call, inbound.get("Channel", "")


async def wait_closed(path: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CLOSE_DEADLINE
    while not wav_is_closed(path):
        assert loop.time() < deadline, f"{path} not closed within {CLOSE_DEADLINE} s"
        await asyncio.sleep(0.05)


async def test_mixmonitor_records_both_parties(
    pbx_ami: AmiClient, carrier: Carrier, pbx_target: Target
) -> None:
    call, channel = await bridged_call(pbx_ami, carrier)
    name = f"smoke-{call.uniqueid}.wav"

    await pbx_ami.action("MixMonitor", {"Channel": channel, "File": name})
    await asyncio.sleep(2.0)  # the conversation being recorded
    await pbx_ami.action("StopMixMonitor", {"Channel": channel})

    path = pbx_target.recordings_dir / name
    await wait_closed(path)
    pcm = read_wav(path)
    assert pcm.rate == 8000
    assert 1.5 < pcm.seconds < 3.5
    assert hears(pcm, CALLER_HZ), "the caller's voice is missing"
    assert hears(pcm, AGENT_HZ), "the agent's voice is missing"


async def test_mixmonitor_mute_writes_silence(
    pbx_ami: AmiClient, carrier: Carrier, pbx_target: Target
) -> None:
    call, channel = await bridged_call(pbx_ami, carrier)
    name = f"smoke-mute-{call.uniqueid}.wav"

    await pbx_ami.action("MixMonitor", {"Channel": channel, "File": name})
    await asyncio.sleep(1.0)
    await pbx_ami.action("MixMonitorMute", {"Channel": channel, "Direction": "both", "State": "1"})
    await asyncio.sleep(1.5)  # the muted span
    await pbx_ami.action("MixMonitorMute", {"Channel": channel, "Direction": "both", "State": "0"})
    await asyncio.sleep(1.0)
    await pbx_ami.action("StopMixMonitor", {"Channel": channel})

    path = pbx_target.recordings_dir / name
    await wait_closed(path)
    pcm = read_wav(path)
    start, length = longest_zero_run(pcm.samples)
    assert 1.2 < length / pcm.rate < 1.8, f"muted span lasts {length / pcm.rate:.2f} s"
    muted_from, muted_to = start / pcm.rate, (start + length) / pcm.rate
    for heard in (pcm.slice(0, muted_from), pcm.slice(muted_to, pcm.seconds)):
        assert hears(heard, CALLER_HZ)
        assert hears(heard, AGENT_HZ)
