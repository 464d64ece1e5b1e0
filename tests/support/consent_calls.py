"""A caller in the consent flow on the real sandbox, seen from the carrier and from the PBX,
and the ledger entry the service writes for it: helpers shared by the pbx, sip and fault tiers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from ivr.ami import AmiClient, EventMatch, Message
from ivr.qa.carrier import CallerLeg, Carrier, Voice
from tests.support.calls import PbxView, new_caller_number
from tests.support.service import ServiceProcess
from tests.support.targets import Target

CALLER_HZ, AGENT_HZ = 440, 1000
STEP_DEADLINE = 20.0


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


async def talking(
    carrier: Carrier, pbx_ami: AmiClient, target: Target, exten: str = "c-fr-agent"
) -> ConsentCall:
    """A caller who heard the notice through and is in conversation with the agent."""
    call = await place(carrier, pbx_ami, target, exten)
    await call.step("notice-done")
    await call.bridged()
    return call


async def recorded(
    carrier: Carrier,
    pbx_ami: AmiClient,
    target: Target,
    exten: str = "c-fr-agent",
    timeout: float = 5.0,
) -> ConsentCall:
    """`talking`, its recording on disk (within ``timeout``)."""
    call = await talking(carrier, pbx_ami, target, exten)
    await call.file_appears(timeout)
    return call


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
            entry = await asyncio.to_thread(service.get, f"/api/calls/{call_id}?reason=test")
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
            entry = await asyncio.to_thread(service.get, f"/api/calls/{call_id}?reason=test")
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
