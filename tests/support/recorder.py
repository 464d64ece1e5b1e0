"""Records the AMI transcripts the service tier replays (tests/data/transcripts/), from real
SIP calls on the sandbox with the real service. Not a test: run it when the dialplan changes,

    IVR_TEST_SANDBOX_PREFIX=xx .venv/bin/pytest tests/support/recorder.py \
        -o python_functions=record_

and commit the files it writes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch, Message
from ivr.qa.carrier import CallerLeg, Carrier, Voice
from tests.pbx.test_profiles_e2e import POLICY as PROFILES
from tests.support.calls import PbxView, new_caller_number
from tests.support.service import ServiceProcess, policy_config, running
from tests.support.targets import Target
from tests.support.transcripts import Transcript

pytestmark = [pytest.mark.sip, pytest.mark.timeout(120)]
STEP = 20.0


class Recording:
    """Every event of the PBX while a call runs; the call's own kept at the end."""

    def __init__(self, ami: AmiClient) -> None:
        self.ami = ami
        self.seen: list[tuple[float, Message]] = []
        ami.add_listener(self._on)

    def _on(self, event: Message) -> None:
        self.seen.append((time.monotonic(), event))

    def of_call(self, call_id: str) -> list[tuple[float, list[tuple[str, str]]]]:
        self.ami.remove_listener(self._on)
        linked = next(e.get("Linkedid") for _, e in self.seen if e.get("Uniqueid") == call_id)
        mine = [
            (at, e)
            for at, e in self.seen
            if e.get("Linkedid") == linked or e.get("Call") == call_id
        ]
        start = mine[0][0]
        return [(round(at - start, 4), list(e.headers)) for at, e in mine]


async def decided(service: ServiceProcess, call_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 15.0
    while time.monotonic() < deadline:
        try:
            entry = await asyncio.to_thread(service.get, f"/api/calls/{call_id}?reason=test")
            if entry.get("decision"):
                return entry
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{call_id}: no decision")


@pytest_asyncio.fixture
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    async with running(service_config, service_config.parent / "recorder.log") as process:
        yield process


async def _call(carrier: Carrier, pbx_ami: AmiClient, exten: str) -> tuple[CallerLeg, PbxView, str]:
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    leg = await carrier.call(exten, caller_num=number, voice=Voice(tone="440"))
    started = await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-started"}), STEP)
    return leg, pbx, started.get("Call", "")


async def _save(
    name: str, recording: Recording, service: ServiceProcess, call_id: str, policy: str = ""
) -> None:
    entry = await decided(service, call_id)
    events = entry["events"]
    assert isinstance(events, list)
    when = datetime.now(UTC).date().isoformat()
    Transcript(
        name,
        f"sandbox Asterisk 22, real SIP call through the carrier, {when}",
        call_id,
        recording.of_call(call_id),
        str(entry["decision"]),
        [str(e["kind"]) for e in events],
        policy,
    ).save()


async def _until_recording(pbx: PbxView, target: Target, call_id: str) -> None:
    await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-done"}), STEP)
    await pbx.bridged(2)
    deadline = time.monotonic() + 5.0
    while not (target.recordings_dir / f"ivr-{call_id}.wav").exists():
        assert time.monotonic() < deadline, "no recording"
        await asyncio.sleep(0.02)


async def record_consent_loop(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    recording = Recording(pbx_ami)
    leg, pbx, call_id = await _call(carrier, pbx_ami, "c-fr-agent")
    await _until_recording(pbx, pbx_target, call_id)
    await asyncio.sleep(2.0)
    await leg.hangup()
    await _save("consent-loop", recording, service, call_id)


async def record_objection_mid_call(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    recording = Recording(pbx_ami)
    leg, pbx, call_id = await _call(carrier, pbx_ami, "c-fr-agent")
    await _until_recording(pbx, pbx_target, call_id)
    await asyncio.sleep(1.0)
    await leg.press("9")
    await asyncio.sleep(1.5)
    await leg.hangup()
    await _save("objection-mid-call", recording, service, call_id)


async def record_objection_during_notice(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    recording = Recording(pbx_ami)
    leg, pbx, call_id = await _call(carrier, pbx_ami, "c-fr-agent")
    await leg.press("9")
    await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "objected"}), STEP)
    await pbx.bridged(2)
    await asyncio.sleep(1.0)
    await leg.hangup()
    await _save("objection-during-notice", recording, service, call_id)


async def record_payment(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    recording = Recording(pbx_ami)
    leg, pbx, call_id = await _call(carrier, pbx_ami, "k.agent")
    await _until_recording(pbx, pbx_target, call_id)
    wanted = EventMatch("UserEvent", {"UserEvent": "IvrPayment", "Step": "start"})
    await pbx.events.wait_for(wanted, 30.0)
    for digit in "4970101234567890":
        await leg.press(digit, 120)
        await asyncio.sleep(0.08)
    ended = EventMatch("UserEvent", {"UserEvent": "IvrPayment", "Step": "end"})
    await pbx.events.wait_for(ended, 30.0)
    await asyncio.sleep(1.0)
    await leg.hangup()
    await _save("payment", recording, service, call_id)


@pytest_asyncio.fixture
async def opt_in_service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("opt-in")
    config = policy_config(folder, pbx_target, PROFILES)
    async with running(config, folder / "recorder.log") as process:
        yield process


async def record_opt_in(
    opt_in_service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    recording = Recording(pbx_ami)
    leg, pbx, call_id = await _call(carrier, pbx_ami, "j.de.de.agent")
    await asyncio.sleep(1.0)  # into the notice
    await leg.press("2")
    await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "opted-in"}), STEP)
    await _until_recording(pbx, pbx_target, call_id)
    await asyncio.sleep(1.0)
    await leg.hangup()
    await _save("opt-in", recording, opt_in_service, call_id, PROFILES)
