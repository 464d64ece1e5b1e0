"""The longest stretch the service's event loop thread ran without blocking, sampled from
outside: the CPU time its ``/proc/<pid>/task/<tid>/sched`` adds up while its count of voluntary
switches stands still (the span RLIMIT_RTTIME bounds at real-time priority). A lower bound at the
sampling's resolution: parts of a stretch before its first and after its last sample are missed."""

from __future__ import annotations

import asyncio
from pathlib import Path

INTERVAL = 0.005


def _read(sched: Path) -> tuple[float, int] | None:
    fields: dict[str, str] = {}
    try:
        for line in sched.read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip()
        return float(fields["se.sum_exec_runtime"]), int(fields["nr_voluntary_switches"])
    except (OSError, KeyError, ValueError):
        return None


async def longest_burst_ms(pid: int, stop: asyncio.Event, tid: int | None = None) -> float:
    """Milliseconds of the longest run without blocking of thread ``tid`` (default: the main
    thread, the event loop's) until ``stop``."""
    sched = Path(f"/proc/{pid}/task/{tid or pid}/sched")
    longest = running = 0.0
    last = _read(sched)
    while not stop.is_set() and last is not None:
        await asyncio.sleep(INTERVAL)
        now = _read(sched)
        if now is None:
            break
        running = running + now[0] - last[0] if now[1] == last[1] else 0.0
        longest, last = max(longest, running), now
    return longest
