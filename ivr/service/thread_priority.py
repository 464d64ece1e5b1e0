"""The event loop's thread ahead of the service's other threads.

Linux schedules threads, not processes: the unit's ``Nice=-5`` gives every thread of the
service the same weight, so a helper woken by the loop (the ledger's writer, a hashing or
probing worker) competes with the loop's thread for the same core, and may take it in the
middle of an objection's path. The helpers run a few nice levels lower. Raising one's own
nice needs no privilege, so this works for the unprivileged service user too.

The service's slow samples showed something else first: the loop's thread preempted once, off
its core for 1-7 ms, in the middle of a 50-300 µs path (never waiting for the GIL). The
likeliest preemptor is the PBX's own session thread, woken by the stop we have just written on
loopback. Linux's EEVDF scheduler (6.12 and later) lets a thread ask for a shorter time slice
(``sched_setattr``'s ``sched_runtime``): its deadlines come earlier, so a thread woken with the
default slice no longer preempts it, and it gets the core sooner when its event arrives. It
takes no more CPU than before, needs no privilege and no real-time class (nothing can run away),
and an older kernel ignores it.

The GIL makes the helpers' lower priority a trade: a helper put off its core while it holds
the lock keeps the loop waiting. The service's slow samples say which happens
(`ivr.service.path_clock`: waited, for the GIL, or preempted); benchmarks/README.md has the
figures.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import struct
import threading
from pathlib import Path

log = logging.getLogger(__name__)

HELPER_STEP = 5  # nice levels between the loop's thread and its helpers
MAX_NICE = 19
SHORT_SLICE_NS = 100_000  # EEVDF's shortest slice (the default is about 1-3 ms)
_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274}  # the syscall's number, per architecture
_SCHED_ATTR = struct.Struct("IIQiIQQQII")  # struct sched_attr, version 1 (56 bytes)
_SCHED_OTHER = 0


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


def short_slice(slice_ns: int = SHORT_SLICE_NS) -> bool:
    """Ask EEVDF for a short time slice for the calling thread (its nice and policy kept);
    False where the kernel or the architecture does not take the request."""
    number = _SCHED_SETATTR.get(platform.machine())
    if number is None or not hasattr(os, "sched_getscheduler"):
        return False
    if os.sched_getscheduler(0) != _SCHED_OTHER:  # real-time (--policy rr): leave it
        return False
    me = threading.get_native_id()
    nice = os.getpriority(os.PRIO_PROCESS, me)
    attr = _SCHED_ATTR.pack(_SCHED_ATTR.size, _SCHED_OTHER, 0, nice, 0, slice_ns, 0, 0, 0, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(number, me, ctypes.c_char_p(attr), 0) != 0:
        log.info("short time slice refused: %s", os.strerror(ctypes.get_errno()))
        return False
    return True
