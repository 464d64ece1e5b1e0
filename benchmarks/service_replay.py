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
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import replay_calls
from benchmarks.ledger_file import LedgerFile
from benchmarks.replay_calls import Replayed
from benchmarks.threads import ThreadsUsage
from tests.support.fake_pbx import FakePbx
from tests.support.service import ServiceProcess
from tests.support.service_tier import tier_settings

DECIDED_WITHIN = 30.0


async def run(calls: int, rate: float, only: frozenset[str] | None = None) -> None:
    replayed = replay_calls.calls(calls)
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
    began = await replay_calls.replay_all(pbx, replayed, rate, only)
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
    parser.add_argument("--only-events", metavar="NAMES", help=replay_calls.ONLY_EVENTS_HELP)
    args = parser.parse_args()
    only = replay_calls.only_events(args.only_events)
    asyncio.run(run(args.calls, args.rate, only))


if __name__ == "__main__":
    main()
