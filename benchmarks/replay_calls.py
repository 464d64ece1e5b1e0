"""The calls the service-tier benchmarks replay: transcripts the real sandbox recorded
(`tests/data/transcripts/`), each renamed as call number i, sent by the fake PBX at the pace the
real PBX sent them, with only the events an AMI account of the service's class receives.

Shared by `service_replay.py` (`ivr run` as the client) and `floor.py` (the cheapest client of
the same shape), so both are measured against the same traffic.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from tests.support.fake_ami import frame
from tests.support.fake_pbx import FakePbx
from tests.support.transcripts import Transcript

SCENARIOS = ("consent-loop", "objection-mid-call")  # half kept, half objecting mid-call
NOT_SENT = ("dialplan", "reporting")  # classes the service's account does not read
Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Replayed:
    call_id: str
    decision: str
    events: list[tuple[float, Headers]]


def renamed(transcript: Transcript, index: int) -> Replayed:
    """The transcript as the call number ``index``: its channels, ids and bridge its own."""
    names: dict[str, str] = {}
    for _, headers in transcript.events:
        for key, value in headers:
            if key in ("Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid", "Call"):
                names[value] = f"{value}{index:05d}"
            elif key in ("Channel", "DestChannel") and "-" in value:
                names[value] = f"{value.rsplit('-', 1)[0]}-{index:06x}{value[-2:]}"
            elif key == "BridgeUniqueid":
                names[value] = f"{index:08x}{value[8:]}"
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))

    def rename(value: str) -> str:
        return pattern.sub(lambda found: names[found.group(0)], value)

    events = [
        (at, [(key, rename(value)) for key, value in headers]) for at, headers in transcript.events
    ]
    return Replayed(names[transcript.call_id], transcript.decision, events)


def calls(count: int) -> list[Replayed]:
    """``count`` calls, the scenarios in turn."""
    transcripts = [Transcript.load(name) for name in SCENARIOS]
    return [renamed(transcripts[i % len(transcripts)], i) for i in range(count)]


def sent_to_service(headers: Headers, only: frozenset[str] | None) -> bool:
    fields = dict(headers)
    if only is not None and fields.get("Event") not in only:
        return False
    return fields.get("Privilege", "").split(",", 1)[0] not in NOT_SENT


async def replay(
    pbx: FakePbx, call: Replayed, start: float, only: frozenset[str] | None = None
) -> None:
    for after, headers in call.events:
        await asyncio.sleep(max(0.0, start + after - time.monotonic()))
        pbx._apply(dict(headers))  # the fake PBX's own state: every event, as Asterisk keeps
        if sent_to_service(headers, only):
            pbx.broadcast(frame(*headers))


async def replay_all(
    pbx: FakePbx, replayed: list[Replayed], rate: float, only: frozenset[str] | None
) -> float:
    """Every call, started at ``rate`` calls/s (open loop); returns when the replay began."""
    began = time.monotonic()
    await asyncio.gather(
        *(replay(pbx, call, began + i / rate, only) for i, call in enumerate(replayed))
    )
    return began


def only_events(names: str | None) -> frozenset[str] | None:
    """``--only-events``'s value: the event names to send, or None for all."""
    return frozenset(names.split(",")) if names else None


ONLY_EVENTS_HELP = (
    "send only these events (comma-separated), as an AMI event filter on the PBX would: "
    "what the others cost, by difference"
)
