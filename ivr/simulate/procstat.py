"""CPU time and memory of a process from /proc (Linux), for the capacity benchmark: the
service under test and the Asterisk it is compared with."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float  # user + system, every thread
    rss_kib: int
    peak_rss_kib: int  # VmHWM: the resident set's high-water mark since the process started


def usage(pid: int) -> Usage:
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces and parentheses: fields count from the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return Usage(cpu, _kib(status.get("VmRSS", "0")), _kib(status.get("VmHWM", "0")))


def _kib(value: str) -> int:
    return int(value.split()[0])


def machine_busy() -> tuple[float, float]:
    """(busy, total) seconds of every CPU since boot, from /proc/stat's first line."""
    values = [int(v) / _TICKS for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)
