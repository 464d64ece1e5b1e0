"""The service's own CPU per call, without a PBX on the machine: `ivr run` against the fake PBX
of the service tier, which replays calls the real sandbox made (`tests/data/transcripts/`).

`capacity.py` measures the service beside the real PBX, which is the figure that counts, but
on a shared 2-core machine the PBX's and the carrier's load move the service's figure by ±25 %
from one run to the next. Here only the service runs as a process of its own (the fake PBX is
this script's event loop), so a change to the service can be measured before/after in minutes.

N calls start at R calls/s (open loop), half kept (`consent-loop`), half objecting mid-call
(`objection-mid-call`), each with its own ids, replayed at the pace the real PBX sent them,
with the events the service's AMI account receives (the dialplan's `VarSet`/`Newexten` and the
RTCP reports are not sent to it). The fake PBX answers the actions and writes the recordings.
Reported: CPU per call of the `ivr run` process and of each of its threads (schedstat), its
context switches per call, and whether every decision was right.

    .venv/bin/python benchmarks/service_replay.py --calls 200 --rate 10
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ledger_file import LedgerFile
from benchmarks.threads import ThreadsUsage
from tests.support.fake_ami import frame
from tests.support.fake_pbx import FakePbx
from tests.support.service import ServiceProcess
from tests.support.service_tier import tier_settings
from tests.support.transcripts import Transcript

SCENARIOS = ("consent-loop", "objection-mid-call")
NOT_SENT = ("dialplan", "reporting")  # classes the service's account does not read
DECIDED_WITHIN = 30.0
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


async def run(calls: int, rate: float, only: frozenset[str] | None = None) -> None:
    transcripts = [Transcript.load(name) for name in SCENARIOS]
    replayed = [renamed(transcripts[i % len(transcripts)], i) for i in range(calls)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pbx = FakePbx(folder / "recordings")
        await pbx.start()
        tier_settings(folder, pbx)
        service = ServiceProcess(folder / "ivr.toml", folder / "service.log")
        await service.start()
        assert service.process is not None
        ledger = LedgerFile(folder / "ledger.sqlite3")
        try:
            await measure(pbx, service.process.pid, ledger, replayed, rate, only)
        finally:
            ledger.close()
            service.stop()
            await pbx.stop()


async def measure(
    pbx: FakePbx,
    pid: int,
    ledger: LedgerFile,
    replayed: list[Replayed],
    rate: float,
    only: frozenset[str] | None,
) -> None:
    await asyncio.sleep(1.0)  # past the start-up's own work (connection, rebuild)
    before = ThreadsUsage.take(pid)
    began = time.monotonic()
    await asyncio.gather(*(replay(pbx, call, began + i / rate) for i, call in enumerate(replayed)))
    entries = await asyncio.gather(
        *(ledger.final_entry(call.call_id, DECIDED_WITHIN) for call in replayed)
    )
    after = ThreadsUsage.take(pid)
    elapsed = time.monotonic() - began
    wrong = sum(
        1
        for call, entry in zip(replayed, entries, strict=True)
        if entry is None or entry.get("decision") != call.decision
    )
    n = len(replayed)
    print(
        f"N={n} R={rate:g}/s: {elapsed:.1f} s, {n - wrong} decided as on the real PBX, {wrong} not"
    )
    print(after.since(before).describe(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="N calls (default 100)")
    parser.add_argument("--rate", type=float, default=5.0, help="R new calls/s (default 5)")
    parser.add_argument(
        "--only-events",
        metavar="NAMES",
        help="send the service only these events (comma-separated), as an AMI event filter on "
        "the PBX would: what the others cost it, by difference",
    )
    args = parser.parse_args()
    only = frozenset(args.only_events.split(",")) if args.only_events else None
    asyncio.run(run(args.calls, args.rate, only))


if __name__ == "__main__":
    main()
