"""Issue 19 §4, §5 and §8, real SIP: the answered outbound call.

The sandbox's ``c.<campaign>.<number>`` runs the guard, then ``Dial(…,U(ivr-outbound-callee…))``
towards a consumer endpoint on the carrier. The called party hears the campaign's opening and
the recording notice before the agent is bridged; the recording starts only after the notice
and once bridged; the "stop calling me" key opposes the number at once, so that the next call
to it is refused before it leaves the PBX.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, Message
from ivr.outbound import names
from ivr.outbound.numbers import normalise
from ivr.qa.carrier import Carrier
from tests.pbx.test_outbound_guard import POLICY, AgentCall, consumer, refused
from tests.support.service import ServiceProcess, policy_config, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]


@pytest_asyncio.fixture(scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("answered")
    async with running(policy_config(folder, pbx_target, POLICY), folder / "service.log") as s:
        yield s


def milestone(event: Message) -> str | None:
    """The moments whose order the test checks, named."""
    if event.name == "Newexten" and event.get("AppData", "").endswith("/opening"):
        return "opening"
    if event.name == "UserEvent" and event.get("UserEvent") == "IvrConsent":
        return event.get("Step")
    if event.name == "BridgeEnter" and event.get("Channel", "").startswith("PJSIP/carrier"):
        return "bridged"
    if event.name == "MixMonitorStart":
        return "recording"
    return None


async def test_the_called_party_hears_opening_and_notice_before_the_agent(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient
) -> None:
    call = AgentCall(pbx_ami, carrier.ami, f"c.qa-open.{consumer()}")
    ids = (call.phone, call.dialling)
    with pbx_ami.subscribe(lambda e: e.get("Linkedid") in ids) as linked:
        await call.place()
        assert await call.verdict() == names.ALLOWED
        seen: list[str] = []
        while "recording" not in seen:
            step = milestone(await linked.wait_for(None, 40.0))
            if step is not None and step not in seen:
                seen.append(step)
    call.close()
    assert seen.index("opening") < seen.index("notice-started") < seen.index("notice-done")
    assert seen.index("notice-done") < seen.index("bridged") < seen.index("recording")


async def test_the_stop_key_refuses_the_next_call_before_it_leaves(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    number = consumer()
    call = AgentCall(pbx_ami, carrier.ami, f"c.qa-open.{number}")
    steps = pbx_ami.subscribe(
        lambda e: e.name == "UserEvent" and e.get("UserEvent") == names.EVENT
        and e.get("Number") == number
    )  # fmt: skip
    try:
        await call.place()
        leg = await call.carrier_legs.wait_for(None, 10.0)
        await steps.wait_for(lambda e: e.get("Step") == names.STEP_OPENING, 10.0)
        fields = {"Channel": leg.get("Channel", ""), "Digit": "7", "Duration": "250"}
        await carrier.ami.action("PlayDTMF", fields)
        await steps.wait_for(lambda e: e.get("Step") == names.STEP_STOP, 10.0)
        await call.ended(20.0)
    finally:
        steps.unsubscribe()
        call.close()
    assert await refused(carrier, pbx_ami, f"o.qa-open.{number}", pbx_target) == "opposition"


async def _bridged(call: AgentCall, pbx: AmiClient) -> tuple[str, str]:
    """Place ``call`` and wait until the consumer is bridged to the agent and recorded:
    (the agent phone's channel, the called party's call id)."""
    ids = (call.phone, call.dialling)
    with pbx.subscribe(lambda e: e.get("Linkedid") in ids) as linked:
        await call.place()
        phone = await linked.wait_for(
            lambda e: e.name == "Newchannel" and e.get("Uniqueid") == call.phone, 10.0
        )
        started = await linked.wait_for(lambda e: e.name == "MixMonitorStart", 40.0)
    return phone.get("Channel", ""), started.get("Uniqueid", "")


async def test_the_agents_refusal_key_refuses_the_next_call(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    number = consumer()
    call = AgentCall(pbx_ami, carrier.ami, f"c.qa-open.{number}")
    try:
        phone, _ = await _bridged(call, pbx_ami)
        for digit in "*8":
            await pbx_ami.action("PlayDTMF", {"Channel": phone, "Digit": digit, "Duration": "150"})
        # The agent hears the confirmation on their own channel, the one that dialled.
        confirmation = await call.played(10.0)
        await pbx_ami.action("Hangup", {"Channel": phone}, check=False)
        await call.ended(10.0)
    finally:
        call.close()
    assert confirmation == f"fr/{names.PROMPT_FOLDER}/{names.REFUSAL_RECORDED}"
    assert pbx_target.sounds_dir is not None
    prompt = pbx_target.sounds_dir / f"{confirmation}.wav"
    assert prompt.stat().st_mode & 0o777 == 0o644  # published for the PBX's user
    assert await refused(carrier, pbx_ami, f"o.qa-open.{number}", pbx_target) == "opposition"
    ((_, who),) = _refusals(service, number)
    assert who == names.STOP_WHO["agent"]


async def test_an_objection_on_an_outbound_call_stops_and_deletes_the_recording(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    number = consumer()
    call = AgentCall(pbx_ami, carrier.ami, f"c.qa-open.{number}")
    try:
        leg_wait = call.carrier_legs.wait_for(None, 10.0)
        _, call_id = await _bridged(call, pbx_ami)
        leg = await leg_wait
        recording = pbx_target.recordings_dir / f"ivr-{call_id}.wav"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while not recording.exists():  # MixMonitor opens its file just after the event
            assert loop.time() < deadline, "the recording was never written"
            await asyncio.sleep(0.05)
        fields = {"Channel": leg.get("Channel", ""), "Digit": "9", "Duration": "250"}
        await carrier.ami.action("PlayDTMF", fields)
        deadline = loop.time() + 5.0
        while recording.exists():
            assert loop.time() < deadline, "the recording was not deleted"
            await asyncio.sleep(0.1)
        assert call.dialling in [name.get("Uniqueid") for name in await _channels(pbx_ami)]
        entry = await asyncio.to_thread(service.get, f"/api/calls/{call_id}?reason=qa")
        assert entry["caller_number"] == number, json.dumps(entry)  # the called party
    finally:
        call.close()


async def _channels(pbx: AmiClient) -> list[Message]:
    _, events = await pbx.event_list("CoreShowChannels")
    return [e for e in events if e.name == "CoreShowChannel"]


def _refusals(service: ServiceProcess, number: str) -> list[tuple[float, str]]:
    """The refusals the service stored for ``number`` (E.164): when, and who asked."""
    e164 = normalise(number, "FR")  # 0696… is Martinique: +596…
    db = sqlite3.connect(service.config.parent / "outbound.sqlite3")
    try:
        query = "SELECT at, who FROM outbound_refusals WHERE number = ? ORDER BY at"
        return [(at, who) for at, who in db.execute(query, (e164,))]
    finally:
        db.close()


async def test_the_stop_key_during_the_conversation_refuses_the_next_call(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    number = consumer()
    call = AgentCall(pbx_ami, carrier.ami, f"c.qa-open.{number}")
    played = pbx_ami.subscribe(
        lambda e: e.name == "Newexten" and e.get("Application") == "Playback"
        and e.get("AppData", "").endswith("/stop-confirmed")
    )  # fmt: skip
    try:
        leg_wait = call.carrier_legs.wait_for(None, 10.0)
        _, call_id = await _bridged(call, pbx_ami)  # the conversation: bridged and recorded
        leg = await leg_wait
        pressed = time.time()
        fields = {"Channel": leg.get("Channel", ""), "Digit": "7", "Duration": "250"}
        await carrier.ami.action("PlayDTMF", fields)
        confirmation = await played.wait_for(None, 10.0)
        await call.ended(20.0)  # the called party refused the call: it ends
    finally:
        played.unsubscribe()
        call.close()
    # Played on the called party's channel (the PBX's leg towards the carrier), not the agent's.
    assert confirmation.get("Uniqueid") == call_id
    assert pbx_target.sounds_dir is not None
    assert (pbx_target.sounds_dir / f"{confirmation.get('AppData')}.wav").is_file()
    assert await refused(carrier, pbx_ami, f"o.qa-open.{number}", pbx_target) == "opposition"
    ((at, who),) = _refusals(service, number)
    assert who == "called party, stop key during the conversation"
    assert pressed - 1 <= at <= time.time()
