"""The service's scheduling in the benchmarks. By default as shipped: examples/ivr.service's
``Nice=-5`` and ``LimitRTPRIO=1``, with which the service puts its event loop's thread at
round-robin real-time priority 1 itself (``[service] scheduling = "realtime"``,
ivr.service.realtime). ``--policy normal`` runs the default before the fourth pass (``[service]
scheduling = "normal"``: every thread ordinary, the loop's on a short slice); ``--policy rr``
the unit's former option, every thread of the process at real-time priority 1
(``CPUSchedulingPolicy=rr``); ``--nice 0`` runs it as before 2026-12-05."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

NICE = -5
POLICIES = ("service", "normal", "rr")
RT_PRIORITY = 1  # the lowest real-time priority: ahead of every ordinary process, no further


def config_table(policy: str) -> str:
    """The configuration's ``[service]`` table for ``policy`` (none: the shipped default)."""
    return '[service]\nscheduling = "normal"\n' if policy == "normal" else ""


def prioritise(pid: int, nice: int, policy: str) -> None:
    """Every thread of ``pid`` at ``nice``, as systemd sets it at the start (Linux's nice is per
    thread; threads the loop starts later get nice 0 from its ``SCHED_RESET_ON_FORK``, as under
    the unit). ``rr``: every thread at real-time priority 1 too."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        tid = int(task.name)
        os.setpriority(os.PRIO_PROCESS, tid, nice)
        if policy == "rr":
            os.sched_setscheduler(tid, os.SCHED_RR, os.sched_param(RT_PRIORITY))


def describe(nice: int, policy: str) -> str:
    where = {
        "service": f"its loop's thread at real-time priority {RT_PRIORITY} (as shipped)",
        "normal": 'scheduling = "normal" (the default before the fourth pass)',
        "rr": f"every thread at round-robin real-time priority {RT_PRIORITY}",
    }[policy]
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
        help="service (as shipped: the loop's thread real-time), normal (the former default) "
        "or rr (every thread real-time)",
    )
