"""Fail closed for recording, open for the call: with no service, calls still go through the
notice to the agent, and nothing is recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import NeverExists, place
from tests.support.targets import Target

pytestmark = pytest.mark.sip


async def test_without_the_service_the_call_reaches_the_agent_unrecorded(
    service_config: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    async with NeverExists(call.file):
        await call.step("notice-done")
        await call.bridged()
        await asyncio.sleep(2.0)
        await call.leg.hangup()
