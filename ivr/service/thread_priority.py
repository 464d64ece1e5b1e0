"""The event loop's thread ahead of the service's other threads.

Linux schedules threads, not processes: the unit's ``Nice=-5`` gives every thread of the
service the same weight, so a helper woken by the loop (the ledger's writer, a hashing or
probing worker) competes with the loop's thread for the same core, and may take it in the
middle of an objection's path. The helpers run a few nice levels lower. Raising one's own
nice needs no privilege, so this works for the unprivileged service user too.

The GIL makes that a trade: a helper put off its core while it holds the lock keeps the loop
waiting. The service's slow samples say which happens (`ivr.service.path_clock`: waited, for
the GIL, or preempted) and benchmarks/README.md has the figures both ways.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

HELPER_STEP = 5  # nice levels between the loop's thread and its helpers
MAX_NICE = 19


def helper_nice(base: int, step: int = HELPER_STEP) -> int:
    return min(MAX_NICE, base + step)


def lower_helpers(step: int = HELPER_STEP) -> int:
    """Every other thread of this process `step` nice levels below the calling one (the
    event loop's); returns how many were lowered."""
    me = threading.get_native_id()
    target = helper_nice(os.getpriority(os.PRIO_PROCESS, me), step)
    lowered = 0
    for task in Path("/proc/self/task").iterdir():
        tid = int(task.name)
        if tid == me:
            continue
        try:
            os.setpriority(os.PRIO_PROCESS, tid, max(target, os.getpriority(os.PRIO_PROCESS, tid)))
        except (ProcessLookupError, PermissionError) as exc:  # ended meanwhile
            log.debug("thread %s not lowered: %s", tid, exc)
            continue
        lowered += 1
    return lowered


def lower_this_thread(step: int = HELPER_STEP) -> None:
    """For a pool's `initializer`: the new helper below the thread that started it."""
    me = threading.get_native_id()
    os.setpriority(os.PRIO_PROCESS, me, helper_nice(os.getpriority(os.PRIO_PROCESS, me), step))
