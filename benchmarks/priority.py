"""The service's scheduling priority in the benchmarks, as examples/ivr.service sets it:
``Nice=-5``, ahead of the PBX's media work on a shared machine; ``--policy rr`` adds the unit's
optional round-robin real-time priority 1 (``CPUSchedulingPolicy=rr``), ``--nice 0`` runs it as
before 2026-12-05, for comparison."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

NICE = -5
POLICIES = ("other", "rr")
RT_PRIORITY = 1  # the lowest real-time priority: ahead of every ordinary process, no further


def prioritise(pid: int, nice: int, policy: str) -> None:
    """Every thread of ``pid`` at ``nice`` and ``policy``, as systemd sets them at the start
    (Linux's nice and policy are per thread; threads started later inherit them from the one
    that starts them). All threads alike: they share the GIL, and a thread left behind would
    hold up the event loop whenever it holds the lock."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        tid = int(task.name)
        os.setpriority(os.PRIO_PROCESS, tid, nice)
        if policy == "rr":
            os.sched_setscheduler(tid, os.SCHED_RR, os.sched_param(RT_PRIORITY))


def describe(nice: int, policy: str) -> str:
    where = f"round-robin real-time priority {RT_PRIORITY}" if policy == "rr" else "SCHED_OTHER"
    return f"service at nice {nice}, {where}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--nice`` and ``--policy``, as every benchmark that starts the service takes them."""
    parser.add_argument(
        "--nice", type=int, default=NICE, help=f"the service's nice value (default {NICE})"
    )
    parser.add_argument(
        "--policy",
        choices=POLICIES,
        default=POLICIES[0],
        help="other (as examples/ivr.service) or rr (its optional real-time scheduling)",
    )
