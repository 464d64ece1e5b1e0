"""Placing the calls of the scenarios: each caller follows its timeline (keys and hang-up, in
seconds after an anchor), then the outcome is read from the disk and the ledger."""

from __future__ import annotations

import asyncio
import secrets
import time
import wave
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.ami import AmiClient, AmiError, Message
from ivr.qa.audio import read_wav, zero_runs
from ivr.qa.carrier import CallerLeg, Carrier, KeyPad, Voice
from ivr.simulate.agent import AgentLeg
from ivr.simulate.ledger_api import EntryReader
from ivr.simulate.listening import supervisor_listens
from ivr.simulate.model import Anchor, Call, KeyPress, Moment, Transfer
from ivr.simulate.observed import Observed
from ivr.simulate.outbound import run_outbound
from ivr.simulate.targets import Target
from ivr.simulate.watch import CallWatch

ANCHOR_DEADLINE = 90.0  # the full legal notice with the shipped texts lasts about a minute
DECISION_DEADLINE = 15.0
ANSWER_DEADLINE = 30.0
FAR_END_DEADLINE = 10.0
KEY_GAP = 0.1  # seconds between two keys of one entry, as a thumb on a keypad

Progress = Callable[[str, Call, Observed | None], None]


def new_caller_number() -> str:
    """A number no other call of the run uses: the PBX's events are told apart by it. A French
    mobile (+33 6, never 69: those are overseas departments' prefixes), so that whatever reads
    it as a phone number (erasure, the outbound guard) takes it as one, as a real caller's."""
    first = secrets.choice("012345678")
    return "336" + first + "".join(secrets.choice("0123456789") for _ in range(7))


@dataclass
class Links:
    """The AMI links a run needs: the carrier places calls and presses keys, the PBX is watched."""

    carrier: Carrier
    pbx: AmiClient
    recordings: Path
    api: EntryReader | None

    @classmethod
    async def open(cls, pbx: Target, carrier: Target, api: EntryReader | None, keys: int) -> Links:
        carrier_ami, pbx_ami = await _connect(carrier), await _connect(pbx)
        c = carrier
        keypad = await KeyPad.open(c.ami_host, c.ami_port, c.ami_username, c.ami_secret, keys)
        return cls(Carrier(carrier_ami, keypad=keypad), pbx_ami, pbx.recordings_dir, api)

    async def close(self) -> None:
        if self.carrier.keypad is not None:
            await self.carrier.keypad.close()
        await self.carrier.ami.close()
        await self.pbx.close()


async def _connect(target: Target) -> AmiClient:
    client = AmiClient()
    await client.connect(target.ami_host, target.ami_port, target.ami_username, target.ami_secret)
    return client


async def run_calls(
    links: Links, calls: Sequence[Call], concurrency: int, progress: Progress
) -> list[Observed]:
    """Every call, at most ``concurrency`` at once, in the given order."""
    limit = asyncio.Semaphore(concurrency)

    async def limited(call: Call) -> Observed:
        async with limit:
            progress("start", call, None)
            seen = await run_call(links, call)
            progress("done", call, seen)
            return seen

    return list(await asyncio.gather(*(limited(call) for call in calls)))


async def run_call(links: Links, call: Call) -> Observed:
    if call.campaign is not None:
        return await run_outbound(links.pbx, links.carrier.ami, call)
    seen = Observed()
    started = time.monotonic()
    number = new_caller_number()
    watch = CallWatch(links.pbx, number, links.recordings, seen)
    agent = AgentLeg(links.carrier.ami, number, links.carrier.keypad)
    try:
        leg = await links.carrier.call(
            call.number, caller_num=number, voice=Voice(call.voice_tone, call.voice_file)
        )
        try:
            await _script(leg, agent, watch, call, seen, links)
        finally:
            await _hang_up(leg, seen)
        await _outcome(links, watch, seen)
    except (AmiError, OSError) as exc:
        seen.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await agent.close()
        await watch.close()
        seen.seconds = round(time.monotonic() - started, 2)
    return seen


async def _hang_up(leg: CallerLeg, seen: Observed) -> None:
    """A hang-up the carrier does not confirm is noted, and the outcome is still read: the
    ledger and the disk then say what became of a call that may still be up."""
    try:
        await leg.hangup()
    except AmiError as exc:
        seen.errors.append(f"hang-up not confirmed: {exc}")
    finally:
        leg.close()


async def _script(
    leg: CallerLeg, agent: AgentLeg, watch: CallWatch, call: Call, seen: Observed, links: Links
) -> None:
    """The caller's timeline: keys at their moments, then the hang-up, the caller's or, when
    the agent hangs up first, the PBX's."""
    await leg.wait_answered(ANSWER_DEADLINE)
    seen.answered = True
    watch.mark(Anchor.ANSWER)
    tasks = [asyncio.create_task(_press(leg, watch, k, seen)) for k in call.keys]
    tasks += [asyncio.create_task(_agent_press(agent, watch, k, seen)) for k in call.agent_keys]
    if call.agent_transfer is not None:
        tasks.append(asyncio.create_task(_agent_transfers(agent, watch, call.agent_transfer, seen)))
    if call.supervisor is not None:
        listening = supervisor_listens(links.carrier, links.pbx, call.agent, seen)
        tasks.append(asyncio.create_task(_after(watch, call.supervisor, seen, listening)))
    hung_up = asyncio.create_task(leg.wait_hungup(timeout=ANCHOR_DEADLINE * 2))
    ending: set[asyncio.Task[Any]] = {hung_up}
    if call.agent_hangup is not None:
        agent_done = asyncio.create_task(_agent_hangs_up(agent, watch, call.agent_hangup, seen))
        tasks.append(agent_done)
        if call.hangup is None:
            ending.add(asyncio.create_task(_far_end(agent_done, hung_up, seen)))
    if call.hangup is not None:
        ending.add(asyncio.create_task(_at(watch, call.hangup, seen, "hang-up")))
    await asyncio.wait(ending, return_when=asyncio.FIRST_COMPLETED)
    if hung_up.done() and not seen.agent_hung_up:
        seen.errors.append("the PBX hung up before the scripted hang-up")
    for task in (*tasks, *ending):
        task.cancel()
    await asyncio.gather(*tasks, *ending, return_exceptions=True)
    _check_transfer(call, watch, seen)


async def _after(
    watch: CallWatch, moment: Moment, seen: Observed, work: Coroutine[Any, Any, None]
) -> None:
    if await _at(watch, moment, seen, "supervisor"):
        await work
    else:
        work.close()


async def _agent_hangs_up(agent: AgentLeg, watch: CallWatch, when: Moment, seen: Observed) -> None:
    if await _at(watch, when, seen, "agent hang-up"):
        problem = await agent.hang_up()
        if problem is None:
            seen.agent_hung_up = True
        else:
            seen.errors.append(problem)


async def _far_end(
    agent_done: asyncio.Task[None], hung_up: asyncio.Task[Message], seen: Observed
) -> None:
    """After the agent hung up, the PBX must end the caller's call too."""
    await agent_done
    await asyncio.wait({hung_up}, timeout=FAR_END_DEADLINE)
    if not hung_up.done():
        seen.errors.append(f"the PBX kept the caller {FAR_END_DEADLINE:.0f} s after the agent left")


async def _at(watch: CallWatch, moment: Moment, seen: Observed, what: str) -> bool:
    """Sleeps until ``moment``; False (and an error noted) if its anchor never happens."""
    try:
        anchored = await watch.anchor(moment.after, ANCHOR_DEADLINE)
    except TimeoutError:
        seen.errors.append(f"{what}: `{moment.after}` never happened in {ANCHOR_DEADLINE:.0f} s")
        return False
    await asyncio.sleep(max(0.0, anchored + moment.at - time.monotonic()))
    return True


async def _press(leg: CallerLeg, watch: CallWatch, press: KeyPress, seen: Observed) -> None:
    if await _at(watch, press.when, seen, f"key {press.keys}"):
        await _send(leg.press, press, seen, caller=True)


async def _agent_press(agent: AgentLeg, watch: CallWatch, press: KeyPress, seen: Observed) -> None:
    if not await _at(watch, press.when, seen, f"agent keys {press.keys}"):
        return
    try:
        await _send(agent.press, press, seen, caller=False)
    except AmiError as exc:
        seen.errors.append(f"agent keys {press.keys}: {exc}")


async def _agent_transfers(
    agent: AgentLeg, watch: CallWatch, transfer: Transfer, seen: Observed
) -> None:
    if not await _at(watch, transfer.when, seen, f"agent transfer to {transfer.to}"):
        return
    try:
        await agent.transfer(transfer.to)
    except AmiError as exc:
        seen.errors.append(f"agent transfer to {transfer.to}: {exc}")


def _check_transfer(call: Call, watch: CallWatch, seen: Observed) -> None:
    """A scripted transfer the PBX did not carry out (by the end of the script) fails the call."""
    transfer = call.agent_transfer
    if transfer is None or watch.anchors[Anchor.TRANSFERRED].is_set():
        return
    what = f"agent transfer to {transfer.to}"
    if not any(error.startswith(what) for error in seen.errors):
        result = seen.transfer_result or "nothing (no BlindTransfer event)"
        seen.errors.append(f"{what}: the PBX says {result}")


async def _send(
    press_one: Callable[[str, int], Awaitable[None]],
    press: KeyPress,
    seen: Observed,
    *,
    caller: bool,
) -> None:
    """The keys of one entry, one after the other, each noted with the moment it was sent."""
    for index, key in enumerate(press.keys):
        if index:
            await asyncio.sleep(KEY_GAP)
        if caller:
            seen.key_sent_at.append(time.time())
        seen.keys_held.append([time.time(), press.ms / 1000])
        await press_one(key, press.ms)


async def _outcome(links: Links, watch: CallWatch, seen: Observed) -> None:
    """The ledger's final word, then the disk as it stands once that word is written."""
    if not seen.call_id:
        seen.errors.append("the PBX never reported the consent flow (no notice-started)")
        return
    if links.api is not None:
        entry = await links.api.final_entry(seen.call_id, DECISION_DEADLINE)
        _read_entry(entry, seen)
    path = watch.path
    assert path is not None
    seen.file_at_end = path.exists()
    seen.file_seen = seen.file_seen or seen.file_at_end
    seen.recording_seconds = wav_seconds(path) if seen.file_at_end else None
    seen.silences = silences(path) if seen.file_at_end and seen.paused_spans else []


def _read_entry(entry: dict[str, Any] | None, seen: Observed) -> None:
    if entry is None:
        return
    seen.decision = entry.get("decision") or None
    seen.language = entry.get("language")
    seen.profile = entry.get("profile")
    events = entry.get("events") or []
    seen.ledger_events = [str(e.get("kind")) for e in events]
    seen.paused_spans = pause_spans(events, entry.get("ended_at"))
    objected = [e for e in events if e.get("kind") == "objected"]
    if objected and seen.key_sent_at:
        at = datetime.fromisoformat(str(objected[0]["at"])).timestamp()
        before = [t for t in seen.key_sent_at if t <= at + 0.05] or seen.key_sent_at[:1]
        seen.objection_delay = round(at - max(before), 3)


def pause_spans(events: list[dict[str, Any]], ended_at: object) -> list[list[float]]:
    """[start, end] epoch seconds of each pause in the ledger: from `paused` to the next
    `resumed`, or to the end of the call."""
    spans: list[list[float]] = []
    start: float | None = None
    for event in events:
        at, kind = _epoch(event.get("at")), event.get("kind")
        if at is not None and kind == "paused" and start is None:
            start = at
        elif at is not None and kind == "resumed" and start is not None:
            spans.append([start, at])
            start = None
    end = _epoch(ended_at)
    if start is not None and end is not None:
        spans.append([start, end])
    return spans


def _epoch(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def silences(path: Path) -> list[float]:
    """Lengths in seconds of the runs of digital silence (a muted recording writes zeros) in
    the recording, longest first; empty if it cannot be read as 16-bit mono PCM."""
    try:
        pcm = read_wav(path)
    except (OSError, EOFError, ValueError, wave.Error):
        return []
    runs = zero_runs(pcm.samples, min_length=pcm.rate // 5)
    return sorted((round(n / pcm.rate, 2) for n in runs), reverse=True)


def wav_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as wav:
            return round(wav.getnframes() / wav.getframerate(), 2)
    except (OSError, EOFError, wave.Error):
        return None
