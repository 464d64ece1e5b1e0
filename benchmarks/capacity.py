"""Capacity: N consent calls started at R new calls per second through the QA simulator's
machinery, on the real sandbox PBX with the service as `ivr run`. Figures, not assertions.

Each call hears the notice, talks to the agent, and half of the callers object 1 s into the
conversation (the other half are kept). Reported: calls completed, decisions missed or late
(wrong or absent ledger decision, objection later than 1 s after the key, file left on disk),
objection latency, the service's CPU seconds and memory per call, and the PBX Asterisk's CPU
for the same calls as the reference. Needs root; starts its own pair sim-cap-pbx/-carrier:

    .venv/bin/python benchmarks/capacity.py --calls 20 --rate 5
    .venv/bin/python benchmarks/capacity.py --calls 50,100 --rate 5,10
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import histogram, priority
from benchmarks.ledger_file import LedgerFile
from benchmarks.priority import NICE, POLICIES, config_table, describe, prioritise
from benchmarks.threads import ThreadsUsage
from ivr.sandbox import instance
from ivr.simulate.ledger_api import EntryReader, LedgerApi
from ivr.simulate.model import Anchor, Call, Expect, KeyPress, Moment
from ivr.simulate.observed import Observed
from ivr.simulate.procstat import Usage, machine_busy, usage
from ivr.simulate.runner import Links, run_call
from ivr.simulate.session import judge
from ivr.simulate.stats import ms, quantile
from ivr.simulate.targets import Target as SimTarget
from tests.support.service import API_TOKEN, ServiceProcess, build_prompts, write_config
from tests.support.targets import Target, sandbox_pair

PREFIX = "sim-cap"
OBJECTION_LATE = 1.0

KEPT = Call(
    name="kept",
    source=Path("capacity"),
    line=0,
    number="c-fr-agent",
    language="fr",
    voice_tone="440",
    voice_file=None,
    keys=(),
    hangup=Moment(2.0, Anchor.BRIDGED),
    expect=Expect(recorded=True, decision="kept"),
)
OBJECTING = replace(
    KEPT,
    name="objecting",
    keys=(KeyPress("9", Moment(1.0, Anchor.BRIDGED)),),
    expect=Expect(recorded=False, decision="objected", objected_within=OBJECTION_LATE),
)


@dataclass
class Sample:
    """Processes' usage and the machine's busy time, at one moment."""

    service: Usage
    pbx: Usage
    carrier: Usage
    busy: float
    total: float
    at: float

    @classmethod
    def take(cls, service_pid: int, pbx_pid: int, carrier_pid: int) -> Sample:
        busy, total = machine_busy()
        return cls(
            usage(service_pid), usage(pbx_pid), usage(carrier_pid), busy, total, time.monotonic()
        )


async def load(links: Links, calls: int, rate: float) -> list[tuple[Call, Observed]]:
    """``calls`` calls, one every 1/rate s whatever the ones before are doing (open loop)."""
    started = time.monotonic()

    async def one(index: int) -> tuple[Call, Observed]:
        await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
        call = replace(OBJECTING if index % 2 else KEPT, name=f"call-{index}")
        return call, await run_call(links, call)

    return list(await asyncio.gather(*(one(i) for i in range(calls))))


async def step(
    pbx: Target,
    carrier: Target,
    service: ServiceProcess,
    reader: EntryReader,
    calls: int,
    rate: float,
) -> None:
    sim = [_sim_target(t) for t in (pbx, carrier)]
    links = await Links.open(sim[0], sim[1], reader, keys=10)
    pids = _pid(service), _asterisk_pid(pbx), _asterisk_pid(carrier)
    before, threads = Sample.take(*pids), ThreadsUsage.take(pids[0])
    try:
        outcomes = await load(links, calls, rate)
    finally:
        await links.close()
    after, threads = Sample.take(*pids), ThreadsUsage.take(pids[0]).since(threads)
    metrics = await asyncio.to_thread(service.get_text, "/metrics")
    report(calls, rate, outcomes, before, after, _service_quantiles(metrics))
    print(threads.describe(calls).replace("process CPU", "service's CPU by thread:", 1))


def report(
    calls: int,
    rate: float,
    outcomes: list[tuple[Call, Observed]],
    before: Sample,
    after: Sample,
    service_q: dict[str, float],
) -> None:
    results = [judge(call, seen, ledger=True) for call, seen in outcomes]
    completed = sum(1 for _, seen in outcomes if seen.decision and not seen.errors)
    missed = [r for r in results if not r.passed]
    delays = [s.objection_delay for _, s in outcomes if s.objection_delay is not None]
    elapsed = after.at - before.at
    service_cpu = after.service.cpu_seconds - before.service.cpu_seconds
    pbx_cpu = after.pbx.cpu_seconds - before.pbx.cpu_seconds
    carrier_cpu = after.carrier.cpu_seconds - before.carrier.cpu_seconds
    machine = (after.busy - before.busy) / (after.total - before.total)
    print(
        f"\nN={calls} R={rate:g}/s: {elapsed:.1f} s, completed {completed}/{calls}, "
        f"decisions missed or late {len(missed)}, machine busy {machine:.0%}"
    )
    durations = [seen.seconds for _, seen in outcomes]
    print(
        f"  a call lasts {quantile(durations, 50) or 0:.1f} s (p50), so about "
        f"{rate * (quantile(durations, 50) or 0):.0f} calls are in flight at once"
    )
    for result in missed[:3]:
        print(f"    {result.call.name}: {'; '.join(result.problems)}")
    print(
        f"  objection, key sent -> ledger: p50 {ms(quantile(delays, 50))} "
        f"p99 {ms(quantile(delays, 99))} ({len(delays)} objections, a 250 ms key)"
    )
    print(
        f"  objection, DTMFEnd -> StopMixMonitor (service): p50 {ms(service_q.get('0.5'))} "
        f"p99 {ms(service_q.get('0.99'))}"
    )
    print(
        f"  service CPU {service_cpu:.2f} s = {service_cpu / calls * 1e3:.1f} ms/call "
        f"({service_cpu / elapsed:.0%} of a core); peak RSS {after.service.peak_rss_kib} KiB "
        f"(+{after.service.peak_rss_kib - before.service.rss_kib} KiB over the start)"
    )
    print(
        f"  PBX Asterisk CPU {pbx_cpu:.2f} s = {pbx_cpu / calls * 1e3:.1f} ms/call "
        f"({pbx_cpu / elapsed:.0%} of a core); service/Asterisk ratio "
        f"{service_cpu / pbx_cpu if pbx_cpu else float('nan'):.3f}"
    )
    print(f"  carrier Asterisk CPU {carrier_cpu:.2f} s ({carrier_cpu / elapsed:.0%} of a core)")


def _service_quantiles(metrics: str) -> dict[str, float]:
    """DTMFEnd -> StopMixMonitor answered, from the service's histogram (or, from a service
    older than 2026-12-05, its summary's quantile lines, so that before/after runs compare)."""
    found = histogram.quantiles(metrics, "ivr_objection_stop_seconds")
    prefix = 'ivr_objection_stop_seconds{quantile="'
    for line in metrics.splitlines():
        if line.startswith(prefix):
            quantile_, value = line[len(prefix) :].split('"} ')
            found[quantile_] = float(value)
    return found


def _sim_target(target: Target) -> SimTarget:
    return SimTarget(
        target.name,
        target.ami_host,
        target.ami_port,
        target.ami_username,
        target.ami_secret,
        target.recordings_dir,
    )


def _pid(service: ServiceProcess) -> int:
    assert service.process is not None
    return service.process.pid


def _asterisk_pid(target: Target) -> int:
    pid = instance.info(target.name).pid
    assert pid is not None, f"{target.name} is not running"
    return pid


async def run(
    pairs: list[tuple[int, float]],
    sandbox: str = PREFIX,
    *,
    reads: str = "file",
    nice: int = NICE,
    policy: str = POLICIES[0],
) -> None:
    with sandbox_pair(sandbox) as (pbx, carrier), tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), pbx, policy=config_table(policy))
        build_prompts(config)
        service = ServiceProcess(config, Path(tmp) / "service.log")
        await service.start()
        prioritise(_pid(service), nice, policy)
        ledger = LedgerFile(Path(tmp) / "ledger.sqlite3")
        reader = ledger if reads == "file" else LedgerApi(service.base_url, API_TOKEN)
        print(f"{describe(nice, policy)}, outcomes read from the ledger's {reads}")
        try:
            for calls, rate in pairs:
                await step(pbx, carrier, service, reader, calls, rate)
        finally:
            ledger.close()
            service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", default="20", help="N, or several: 50,100")
    parser.add_argument("--rate", default="5", help="R new calls/s, or one per N: 5,10")
    parser.add_argument(
        "--sandbox", default=PREFIX, help="name prefix of the sandbox pair it starts (-pbx, ...)"
    )
    parser.add_argument(
        "--reads",
        choices=("file", "api"),
        default="file",
        help="read the outcomes from the ledger's file (costs the service nothing) or its API "
        "(an HTTP request, a query and an audited access row in the service per poll)",
    )
    priority.add_arguments(parser)
    args = parser.parse_args()
    calls = [int(n) for n in args.calls.split(",")]
    rates = [float(r) for r in args.rate.split(",")]
    rates += rates[-1:] * (len(calls) - len(rates))
    pairs = list(zip(calls, rates, strict=False))
    asyncio.run(run(pairs, args.sandbox, reads=args.reads, nice=args.nice, policy=args.policy))


if __name__ == "__main__":
    main()
