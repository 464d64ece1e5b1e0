"""The longest stretch the service's event loop thread ran without blocking, sampled from
outside: the CPU time its ``/proc/<pid>/task/<tid>/sched`` adds up while its count of voluntary
switches stands still (the span RLIMIT_RTTIME bounds at real-time priority). A lower bound at the
sampling's resolution: parts of a stretch before its first and after its last sample are missed.

Run alone, it measures `ivr run` (as shipped, against the fake PBX) from its start-up and under
an HTTP flood of the API, /metrics and the public pages:

    .venv/bin/python benchmarks/loop_burst.py --seconds 10 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fake_pbx import FakePbx
from tests.support.service import API_TOKEN, ServiceProcess
from tests.support.service_tier import tier_settings

INTERVAL = 0.005
SCHED_RR = 2


def _read(sched: Path) -> tuple[float, int, int] | None:
    fields: dict[str, str] = {}
    try:
        for line in sched.read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip()
        runtime = float(fields["se.sum_exec_runtime"])
        return runtime, int(fields["nr_voluntary_switches"]), int(fields["policy"])
    except (OSError, KeyError, ValueError):
        return None


async def longest_burst_ms(
    pid: int, stop: asyncio.Event, tid: int | None = None, realtime_only: bool = False
) -> float:
    """Milliseconds of the longest run without blocking of thread ``tid`` (default: the main
    thread, the event loop's) until ``stop``; ``realtime_only``: only while it is real-time
    (what RLIMIT_RTTIME counts: start-up before the promotion is ordinary work)."""
    sched = Path(f"/proc/{pid}/task/{tid or pid}/sched")
    longest = running = 0.0
    last = _read(sched)
    while not stop.is_set() and last is not None:
        await asyncio.sleep(INTERVAL)
        now = _read(sched)
        if now is None:
            break
        counted = not realtime_only or now[2] == last[2] == SCHED_RR
        running = running + now[0] - last[0] if now[1] == last[1] and counted else 0.0
        longest, last = max(longest, running), now
    return longest


FLOODED = (
    "/metrics",
    "/healthz",
    "/openapi.json",
    "/legal-notice",
    "/api/recordings",
    "/api/audit",
)


async def flood(base_url: str, seconds: float, concurrency: int) -> int:
    """Requests from ``concurrency`` clients at once for ``seconds``, round the paths above."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    counts = [0] * concurrency

    async def client(session: aiohttp.ClientSession, number: int) -> None:
        while loop.time() < deadline:
            path = FLOODED[(number + counts[number]) % len(FLOODED)]
            async with session.get(base_url + path, headers=headers) as response:
                await response.read()
            counts[number] += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(client(session, n) for n in range(concurrency)))
    return sum(counts)


async def measure(seconds: float, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "recordings").mkdir()
        pbx = FakePbx(folder / "recordings")
        await pbx.start()
        service = ServiceProcess(tier_settings(folder, pbx, in_process=False).path, folder / "log")
        service.spawn()
        assert service.process is not None
        pid = service.process.pid
        up, flooded = asyncio.Event(), asyncio.Event()
        starting = asyncio.create_task(longest_burst_ms(pid, up, realtime_only=True))
        try:
            await service.wait_healthy()
            up.set()
            flooding = asyncio.create_task(longest_burst_ms(pid, flooded))
            requests = await flood(service.base_url, seconds, concurrency)
            flooded.set()
            health = await asyncio.to_thread(service.get, "/healthz")
        finally:
            up.set()
            flooded.set()
            service.stop()
            await pbx.stop()
        print(f"loop's thread: {health.get('scheduling')}")
        print(f"longest run without blocking at real-time, start-up: {await starting:.1f} ms")
        print(
            f"... under {requests} requests from {concurrency} clients in {seconds:.0f} s: "
            f"{await flooding:.1f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the flood")
    parser.add_argument("--concurrency", type=int, default=50, help="clients at once")
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.seconds, arguments.concurrency))
