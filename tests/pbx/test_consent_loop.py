"""The consent loop end to end: real SIP callers through the carrier, the dialplan as shipped,
the service as `ivr run` runs it; each test asserts files on disk and ledger rows."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, AmiTimeout, EventMatch, Message
from ivr.qa.audio import hears, read_wav
from ivr.qa.carrier import CallerLeg, Carrier, Voice
from tests.support.calls import PbxView, new_caller_number
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.sip

CALLER_HZ, AGENT_HZ = 440, 1000
STEP_DEADLINE = 20.0


@pytest_asyncio.fixture(scope="module")
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    process = ServiceProcess(service_config, service_config.parent / "service.log")
    await process.start()
    yield process
    assert process.stop() == 0, process.log_tail()


class ConsentCall:
    """One caller in the consent flow, seen from the carrier and from the PBX."""

    def __init__(self, leg: CallerLeg, pbx: PbxView, started: Message, recordings: Path) -> None:
        self.leg, self.pbx = leg, pbx
        self.call_id = started.get("Call", "")
        self.channel = started.get("Channel", "")
        self.file = recordings / f"ivr-{self.call_id}.wav"

    async def step(self, step: str, timeout: float = STEP_DEADLINE) -> Message:
        return await self.pbx.events.wait_for(EventMatch("UserEvent", {"Step": step}), timeout)

    async def bridged(self) -> None:
        await self.pbx.bridged(2)

    async def file_appears(self, timeout: float = 5.0) -> float:
        return await poll(lambda: self.file.exists(), timeout, f"{self.file} never appeared")


async def place(
    carrier: Carrier,
    pbx_ami: AmiClient,
    target: Target,
    exten: str = "c-fr-agent",
    *,
    caller: str | None = None,
    voice: Voice | None = None,
) -> ConsentCall:
    """A caller (a number of its own unless given; the caller's tone unless another voice)
    whose call reached the notice."""
    number = caller or new_caller_number()
    pbx = PbxView(pbx_ami, number)
    voice = voice or Voice(tone=str(CALLER_HZ))
    leg = await carrier.call(exten, caller_num=number, voice=voice)
    started = await pbx.events.wait_for(
        EventMatch("UserEvent", {"Step": "notice-started"}), STEP_DEADLINE
    )
    return ConsentCall(leg, pbx, started, target.recordings_dir)


async def poll(condition: object, timeout: float, message: str) -> float:
    """Seconds until ``condition()`` holds; fails with ``message`` past the deadline."""
    assert callable(condition)
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, message
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def ledger_entry(
    service: ServiceProcess, call_id: str, timeout: float = 15.0
) -> dict[str, object]:
    """The call's ledger entry once its final decision is written."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            entry = await asyncio.to_thread(service.get, f"/api/calls/{call_id}")
            if entry.get("decision"):
                return entry
        except OSError:
            pass
        assert time.monotonic() < deadline, (
            f"no final ledger entry for {call_id}\n{service.log_tail()}"
        )
        await asyncio.sleep(0.05)


def event_kinds(entry: dict[str, object]) -> list[str]:
    events = entry["events"]
    assert isinstance(events, list)
    return [e["kind"] for e in events]


def event_of(entry: dict[str, object], kind: str) -> dict[str, object]:
    events = entry["events"]
    assert isinstance(events, list)
    return next(e for e in events if e["kind"] == kind)


async def logged(service: ServiceProcess, call_id: str, kind: str, timeout: float = 5.0) -> None:
    """Until the call's ledger entry holds an event of ``kind`` (the call may not be in it yet)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            entry = await asyncio.to_thread(service.get, f"/api/calls/{call_id}")
            if kind in event_kinds(entry):
                return
        assert time.monotonic() < deadline, f"{call_id}: no {kind} in the ledger"
        await asyncio.sleep(0.05)


class NeverExists:
    """Watches a path for the whole of a block: fails if the file ever appears."""

    def __init__(self, path: Path) -> None:
        self.path, self.seen = path, False
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            self.seen = self.seen or self.path.exists()
            await asyncio.sleep(0.005)

    async def __aenter__(self) -> NeverExists:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        assert not self.seen, f"{self.path} was created"
        assert not self.path.exists(), f"{self.path} exists"


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
