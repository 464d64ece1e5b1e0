"""Issue 19 §1 and §8, real PBX and real SIP: the guard before an agent's outbound call.

An agent's phone is a Local channel originated on the PBX into the sandbox's
``ivr-outbound-test`` context, which runs ``Gosub(ivr-outbound,s,1(${EXTEN},CAMPAIGN))`` then
``Dial(PJSIP/<number>@carrier)`` as an administrator's outbound context would. Allowed: the
consumer's endpoint on the carrier rings. Refused, for each reason: the agent's channel plays
the reason's prompt and hangs up, and no channel ever appears on the carrier.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, Message, Subscription
from ivr.outbound import names
from ivr.qa.carrier import Carrier
from tests.support.outbound_policy import campaign, open_profile, profile
from tests.support.service import ServiceProcess, ivr_command, policy_config, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]

POLICY = (
    open_profile("qa-open")
    + profile("qa-closed", base="qa-open", hours={"mon": []})
    + profile("qa-consent", base="qa-open", consent_from=date(2020, 1, 1))
    + profile("qa-stale", base="qa-open", required_lists=["qa-screening"])
    + profile("qa-cap", base="qa-open", cap_attempts=1)
    + "".join(
        campaign(name) for name in ("qa-open", "qa-closed", "qa-consent", "qa-stale", "qa-cap")
    )
)
AGENT_CONTEXT = "ivr-outbound-test"
SETTLE = 2.0  # seconds the carrier is watched after a refused call has ended


@pytest_asyncio.fixture(scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("outbound")
    async with running(policy_config(folder, pbx_target, POLICY), folder / "service.log") as s:
        yield s


def consumer() -> str:
    return "06" + "".join(random.choices("0123456789", k=8))


class AgentCall:
    """An agent's outbound call: the PBX's events for the agent's dialling channel."""

    def __init__(self, pbx: AmiClient, carrier: AmiClient, exten: str) -> None:
        self.pbx, self.exten = pbx, exten
        self.phone, self.dialling = f"qa-{uuid.uuid4().hex}", f"qa-{uuid.uuid4().hex}"
        self.events: Subscription = pbx.subscribe(lambda e: e.get("Uniqueid") == self.dialling)
        self.number = exten.split(".")[2]
        # Every channel the carrier creates: the carrier is quiet before each test.
        self.carrier_legs: Subscription = carrier.subscribe(lambda e: e.name == "Newchannel")

    async def place(self) -> None:
        fields = {
            "Channel": f"Local/{self.exten}@{AGENT_CONTEXT}",
            "Application": "Wait",
            "Data": "30",
            "CallerID": "Agent <0140000000>",
            "Async": "true",
            "ChannelId": self.phone,
            "OtherChannelId": self.dialling,
        }
        await self.pbx.action("Originate", fields)

    async def verdict(self, timeout: float = 5.0) -> str:
        event = await self.events.wait_for(
            lambda e: e.name == "VarSet" and e.get("Variable") == names.VAR_VERDICT
            and e.get("Value", "") != "",
            timeout,
        )  # fmt: skip
        return event.get("Value", "")

    async def ended(self, timeout: float = 15.0) -> Message:
        return await self.events.wait_for(lambda e: e.name == "Hangup", timeout)

    async def played(self, timeout: float = 5.0) -> str:
        event = await self.events.wait_for(
            lambda e: e.name == "Newexten" and e.get("Application") == "Playback", timeout
        )
        return event.get("AppData", "")

    def close(self) -> None:
        self.events.unsubscribe()
        self.carrier_legs.unsubscribe()


async def refused(carrier: Carrier, pbx: AmiClient, exten: str, target: Target) -> str:
    """Place the call; assert it was refused with a spoken reason and never left the PBX."""
    call = AgentCall(pbx, carrier.ami, exten)
    try:
        await call.place()
        verdict = await call.verdict()
        assert verdict.startswith("refused:"), verdict
        prompt = await call.played()
        assert target.sounds_dir is not None
        assert (target.sounds_dir / f"{prompt}.wav").is_file(), prompt
        await call.ended()
        await asyncio.sleep(SETTLE)  # what might still come: nothing may reach the carrier
        assert len(call.carrier_legs) == 0, "the carrier saw the call"
        return verdict.split(":")[1]
    finally:
        call.close()


async def test_an_allowed_call_rings_the_consumer_on_the_carrier(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient
) -> None:
    call = AgentCall(pbx_ami, carrier.ami, f"o.qa-open.{consumer()}")
    try:
        await call.place()
        assert await call.verdict() == names.ALLOWED
        leg = await call.carrier_legs.wait_for(None, 10.0)
        assert (leg.get("Context"), leg.get("Exten")) == ("from-pbx", call.number)
    finally:
        call.close()


@pytest.mark.parametrize(
    ("campaign", "rule"),
    [
        ("qa-closed", "window"),
        ("qa-consent", "consent"),
        ("qa-stale", "list-stale"),
        ("qa-unknown", "campaign"),
    ],
)
async def test_each_refusal_never_reaches_the_carrier(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    campaign: str,
    rule: str,
) -> None:
    assert await refused(carrier, pbx_ami, f"o.{campaign}.{consumer()}", pbx_target) == rule


async def test_a_masked_caller_id_is_refused(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    assert await refused(carrier, pbx_ami, f"m.qa-open.{consumer()}", pbx_target) == "caller-id"


async def test_a_number_on_the_opposition_list_is_refused(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    tmp_path: Path,
) -> None:
    number = consumer()
    listed = tmp_path / "internal.txt"
    listed.write_text(f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8:]}\n")
    await asyncio.to_thread(
        subprocess.run,
        ivr_command("outbound", "opposition", "import", str(listed), "--source", "internal",
                    "--config", str(service.config)),
        check=True, capture_output=True,
    )  # fmt: skip
    assert await refused(carrier, pbx_ami, f"o.qa-open.{number}", pbx_target) == "opposition"


async def test_the_attempt_past_the_cap_is_refused(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    number = consumer()
    first = AgentCall(pbx_ami, carrier.ami, f"o.qa-cap.{number}")
    try:
        await first.place()
        assert await first.verdict() == names.ALLOWED
        await first.carrier_legs.wait_for(None, 10.0)
    finally:
        first.close()
    assert await refused(carrier, pbx_ami, f"o.qa-cap.{number}", pbx_target) == "cap"
