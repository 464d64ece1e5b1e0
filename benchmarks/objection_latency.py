"""Objection latency on the real PBX: from the objection key's DTMFEnd read on the AMI socket
to StopMixMonitor's response, and to the recording unlinked; beside the AMI Ping round trip
measured in the same run, the floor any action can reach.

Needs root (sandbox). Starts its own sandbox pair (bench-pbx, bench-carrier), runs the service
as `ivr run` in a process of its own (its latencies are read from its /metrics), and has real
SIP callers object mid-call from this process:

    .venv/bin/python benchmarks/objection_latency.py                 # 200 calls, 20 at once
    .venv/bin/python benchmarks/objection_latency.py --calls 40 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import histogram, priority
from benchmarks.loop_burst import longest_burst_ms
from benchmarks.priority import NICE, POLICIES, config_table, describe, prioritise
from ivr.ami import AmiClient, EventMatch
from ivr.qa.carrier import Carrier, KeyPad, Voice
from ivr.simulate.procstat import machine_busy
from tests.support.calls import PbxView, new_caller_number
from tests.support.service import ServiceProcess, build_prompts, write_config
from tests.support.targets import Target, sandbox_pair

GONE_DEADLINE = 2.0


async def connect(target: Target) -> AmiClient:
    client = AmiClient()
    await client.connect(target.ami_host, target.ami_port, target.ami_username, target.ami_secret)
    return client


Outcome = tuple[float, float | None]


async def one_call(carrier: Carrier, watch: AmiClient, recordings: Path) -> Outcome:
    """A caller objects 0.5 s into the conversation (a 250 ms key, RFC 4733): seconds until the
    PBX reports the key's end, and until the file is gone (None: never)."""
    number = new_caller_number()
    pbx = PbxView(watch, number)
    leg = await carrier.call("c-fr-agent", caller_num=number, voice=Voice(tone="440"), timeout=30)
    try:
        started = await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-started"}), 30)
        path = recordings / f"ivr-{started.get('Call')}.wav"
        await pbx.bridged(2, timeout=30)
        await until(path.exists, 10)
        await asyncio.sleep(0.5)
        pressed = time.perf_counter()
        await leg.press("9")
        await pbx.events.wait_for(EventMatch("DTMFEnd", {"Digit": "9"}), 5)
        key_end = time.perf_counter() - pressed
        if await until(lambda: not path.exists(), GONE_DEADLINE):
            return key_end, time.perf_counter() - pressed
        return key_end, None
    finally:
        await leg.hangup()
        pbx.close()
        leg.close()


async def until(condition: object, timeout: float) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def ping_floor(client: AmiClient, stop: asyncio.Event, into: list[float]) -> None:
    while not stop.is_set():
        into.append(await client.ping())
        await asyncio.sleep(0.02)


def quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"p50 {cuts[49] * 1e3:7.2f} ms  p95 {cuts[94] * 1e3:7.2f} ms  p99 {cuts[98] * 1e3:7.2f} ms"
    )


async def run(
    calls: int, concurrency: int, sandbox: str, nice: int = NICE, policy: str = POLICIES[0]
) -> None:
    with (
        sandbox_pair(sandbox) as (pbx_target, carrier_target),
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = write_config(Path(tmp), pbx_target, policy=config_table(policy))
        build_prompts(config)
        service = ServiceProcess(config, Path(tmp) / "service.log")
        await service.start()
        assert service.process is not None
        prioritise(service.process.pid, nice, policy)
        print(describe(nice, policy))
        busy_before = machine_busy()
        sampled = asyncio.Event()
        bursts = asyncio.create_task(longest_burst_ms(service.process.pid, sampled))
        try:
            outcomes, pings, elapsed = await drive(pbx_target, carrier_target, calls, concurrency)
            metrics = await asyncio.to_thread(service.get_text, "/metrics")
            health = await asyncio.to_thread(service.get, "/healthz")
        finally:
            sampled.set()
            service.stop()
        print(
            f"loop's thread: {health.get('scheduling')}; longest run without blocking "
            f"{await bursts:.1f} ms (sampled every 5 ms)"
        )
        print(f"demotions: {sample(metrics, 'ivr_loop_realtime_demotions_total')}")
        slow_samples(Path(tmp) / "service.log")
        (busy_after, total_after), (busy_at, total_at) = machine_busy(), busy_before
        busy, total = busy_after - busy_at, total_after - total_at
        print(f"machine busy {busy / total:.0%} over the calls (every user of the machine)")
    report(parse_quantiles(metrics), outcomes, pings, calls, concurrency, elapsed)


def sample(metrics: str, name: str) -> str:
    """A series' value as /metrics served it ("absent" for a service that has none)."""
    for line in metrics.splitlines():
        if line.startswith(f"{name} "):
            return line.split()[1]
    return "absent"


def slow_samples(log: Path) -> None:
    """The service's own slow samples, as it logged them: where their time went."""
    for line in log.read_text(errors="replace").splitlines():
        if "objection's own path took" in line:
            print("  slow sample:", line.split(": ", 1)[-1])


async def drive(
    pbx_target: Target, carrier_target: Target, calls: int, concurrency: int
) -> tuple[list[Outcome | BaseException], list[float], float]:
    carrier_ami, watch = await connect(carrier_target), await connect(pbx_target)
    t = carrier_target
    keypad = await KeyPad.open(t.ami_host, t.ami_port, t.ami_username, t.ami_secret, concurrency)
    pings: list[float] = []
    stop = asyncio.Event()
    pinging = asyncio.create_task(ping_floor(watch, stop, pings))
    limit = asyncio.Semaphore(concurrency)

    async def limited() -> Outcome:
        async with limit:
            carrier = Carrier(carrier_ami, keypad=keypad)
            return await one_call(carrier, watch, pbx_target.recordings_dir)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(limited() for _ in range(calls)), return_exceptions=True)
    elapsed = time.monotonic() - started
    stop.set()
    await pinging
    await keypad.close()
    await carrier_ami.close()
    await watch.close()
    return outcomes, pings, elapsed


def parse_quantiles(metrics: str) -> dict[str, dict[str, float]]:
    """{"stop": {"0.5": seconds, ...}, "delete": {...}, "queue": {...}} from the service's
    /metrics histograms (interpolated within their buckets)."""
    found = {
        name: histogram.quantiles(metrics, f"ivr_objection_{name}_seconds")
        for name in ("stop", "delete", "queue")
    }
    for line in metrics.splitlines():  # a service older than 2026-12-05 served summaries
        for name, into in found.items():
            prefix = f'ivr_objection_{name}_seconds{{quantile="'
            if line.startswith(prefix):
                quantile, value = line[len(prefix) :].split('"} ')
                into[quantile] = float(value)
    return found


def served(quantiles_: dict[str, float]) -> str:
    if not quantiles_:
        return "n/a"
    return "  ".join(f"p{round(float(q) * 100)} {v * 1e3:7.2f} ms" for q, v in quantiles_.items())


def report(
    service: dict[str, dict[str, float]],
    outcomes: list[Outcome | BaseException],
    pings: list[float],
    calls: int,
    concurrency: int,
    elapsed: float,
) -> None:
    done = [o for o in outcomes if isinstance(o, tuple)]
    gone = [g for _, g in done if g is not None]
    key_ends = [k for k, _ in done]
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    print(
        f"{calls} calls, {concurrency} at once, {elapsed:.0f} s; objections honoured: {len(gone)}"
    )
    print(f"  not gone within {GONE_DEADLINE} s: {len(done) - len(gone)}; failed: {len(failed)}")
    for error in failed[:3]:
        print(f"    {error!r}")
    print(f"  AMI Ping round trip (floor)     {quantiles(pings)}  ({len(pings)} pings)")
    print(f"  DTMFEnd read -> StopMixMonitor  {served(service['stop'])}  (in the service)")
    print(f"  DTMFEnd read -> file unlinked   {served(service['delete'])}  (in the service)")
    print(f"  DTMFEnd read -> Stop written    {served(service['queue'])}  (the service's own part)")
    print(f"  key sent -> PBX's DTMFEnd       {quantiles(key_ends)}  (a 250 ms key)")
    print(f"  key sent -> file gone           {quantiles(gone)}  (seen from outside)")
    if len(pings) > 1 and service["stop"]:
        ratio = service["stop"]["0.5"] / statistics.median(pings)
        print(f"  ratio stop p50 / ping p50: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls to place in all")
    parser.add_argument("--concurrency", type=int, default=20, help="calls up at once")
    parser.add_argument(
        "--sandbox",
        default="bench",
        help="name prefix of the sandbox pair it starts (-pbx, -carrier)",
    )
    priority.add_arguments(parser)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.concurrency, args.sandbox, args.nice, args.policy))


if __name__ == "__main__":
    main()
