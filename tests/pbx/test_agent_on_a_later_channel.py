"""Issue 17 §4 on the real PBX: the consent Gosub runs on an originated Local channel, not on
the call's first channel, so the caller's channel and the agent's share a Linkedid that is
neither's call id; the agent is still recognised, from the bridge it shares with the caller."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier, Voice
from tests.pbx.test_recording_policy_e2e import AgentLeg
from tests.support.calls import new_caller_number
from tests.support.consent_calls import CALLER_HZ, event_kinds, event_of, ledger_entry, place
from tests.support.service import ServiceProcess, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(120)]


@pytest_asyncio.fixture
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    async with running(service_config, service_config.parent / "later-channel.log") as process:
        yield process


async def test_an_agent_is_recognised_when_the_consent_flow_runs_on_a_local_channel(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    pbx_pair: tuple[Target, Target],
) -> None:
    caller = new_caller_number()
    answered = asyncio.create_task(AgentLeg.answer(carrier, caller, pbx_pair[1].recordings_dir))
    consent = await place(
        carrier, pbx_ami, pbx_target, "l-agent", caller=caller, voice=Voice(tone=str(CALLER_HZ))
    )
    agent = await answered
    assert consent.channel.startswith("Local/"), consent.channel  # the flow's own channel
    await consent.step("notice-done", timeout=60.0)
    await consent.file_appears(timeout=15.0)
    await asyncio.sleep(1.0)
    await agent.press("*1")  # the agent's pause key: counts only if the agent is recognised
    await asyncio.sleep(1.5)
    await consent.leg.hangup()
    entry = await ledger_entry(service, consent.call_id)
    assert entry["decision"] == "kept"
    assert "paused" in event_kinds(entry), "the agent's pause key was not heard as an agent's"
    paused = event_of(entry, "paused")
    assert paused["source"] == "agent"
