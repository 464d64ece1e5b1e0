"""The consent loop end to end: real SIP callers through the carrier, the dialplan as shipped,
the service as `ivr run` runs it; each test asserts files on disk and ledger rows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, AmiTimeout
from ivr.qa.audio import hears, read_wav
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import (
    AGENT_HZ,
    CALLER_HZ,
    NeverExists,
    event_kinds,
    event_of,
    ledger_entry,
    place,
    poll,
)
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.sip


@pytest_asyncio.fixture(scope="module")
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    process = ServiceProcess(service_config, service_config.parent / "service.log")
    await process.start()
    yield process
    assert process.stop() == 0, process.log_tail()


async def test_no_key_records_both_voices_after_the_notice(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    assert not call.file.exists()
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await asyncio.sleep(2.0)  # the conversation
    await call.leg.hangup()

    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "kept"
    kinds = event_kinds(entry)
    assert kinds.index("notice-done") < kinds.index("recording-started")
    assert str(event_of(entry, "notice-done")["at"]) <= str(
        event_of(entry, "recording-started")["at"]
    )
    recording = entry["recording"]
    assert isinstance(recording, dict)
    assert Path(str(recording["path"])) == call.file
    pcm = read_wav(call.file)
    assert 1.5 < pcm.seconds < 4.0
    assert abs(recording["duration_seconds"] - pcm.seconds) < 0.05
    assert hears(pcm, CALLER_HZ)
    assert hears(pcm, AGENT_HZ)
    assert entry["caller_number"] == call.pbx.caller_num
    assert (entry["profile"], entry["language"]) == ("fr", "fr")
    assert entry["notice_hash"]


async def test_objection_during_the_notice_never_creates_a_file(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    async with NeverExists(call.file):
        await call.leg.press("9")
        objected = await call.step("objected")
        assert objected.get("Source") == "dialplan"
        await call.bridged()
        await asyncio.sleep(2.0)  # the conversation goes on, unrecorded
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "objected"
    assert "recording-started" not in event_kinds(entry)
    assert event_of(entry, "objected")["source"] == "dialplan"


async def test_objection_mid_call_stops_and_erases_within_a_second(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await asyncio.sleep(2.0)

    pressed = time.time()
    await call.leg.press("9")
    gone_after = await poll(
        lambda: not call.file.exists(), 1.0, "recording still on disk 1 s after the key"
    )

    hung_up = call.leg.wait_hungup(timeout=3.0)
    with pytest.raises(AmiTimeout):  # the call goes on with the agent, unrecorded
        await hung_up
    assert not call.file.exists()
    await call.leg.hangup()
    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "objected"
    objected = event_of(entry, "objected")
    assert pressed - 0.5 <= _epoch(objected["at"]) <= pressed + 1.0
    assert {"recording-stopped", "recording-deleted"} <= set(event_kinds(entry))
    assert entry.get("recording") is None
    assert gone_after < 1.0


async def test_full_notice_then_objection(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    async with NeverExists(call.file):
        await call.leg.press("1")
        await call.step("full-notice")
        await asyncio.sleep(1.0)  # part of the full notice
        await call.leg.press("9")
        await call.step("objected")
        await call.bridged()
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
    kinds = event_kinds(entry)
    assert kinds.index("full-notice-requested") < kinds.index("objected")
    assert entry["decision"] == "objected"


async def test_full_notice_then_no_key_records(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    await call.leg.press("1")
    await call.step("full-notice")
    assert not call.file.exists()
    await call.step("notice-done", timeout=40)
    await call.bridged()
    await call.file_appears()
    await asyncio.sleep(1.0)  # the conversation
    await call.leg.hangup()
    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "kept"
    assert "full-notice-requested" in event_kinds(entry)


async def test_hang_up_during_the_notice_leaves_no_file(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    async with NeverExists(call.file):
        await asyncio.sleep(0.5)
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "abandoned"


async def test_unanswered_call_leaves_no_file(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target, exten="c-fr-agent-noanswer")
    async with NeverExists(call.file):
        await call.step("notice-done")
        await asyncio.sleep(2.0)  # ringing, nobody answers
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "not-recorded"


def _epoch(value: object) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str(value)).timestamp()
