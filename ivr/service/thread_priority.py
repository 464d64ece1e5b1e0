"""The event loop's thread asks the kernel for a short time slice, where it runs at ordinary
priority: with ``[service] scheduling = "normal"``, without the permission for real-time, or
while demoted by the real-time guard (ivr.service.realtime, the default since the fourth pass).

The objection's own path (the key's event to the stop written) is 50-300 µs of Python on the
loop's thread. Its slow samples (`ivr.service.path_clock`) were, every time, the thread
preempted — off its core for 1 to 340 ms while it used a fraction of a millisecond of CPU.
Linux's EEVDF scheduler (6.12 and later) lets a thread ask for a shorter slice
(``sched_setattr``'s ``sched_runtime``): its deadlines come earlier, so a thread woken with the
default slice (the PBX's, when our stop reaches it on loopback) does not preempt it, and it
gets a core sooner when its event arrives. It takes no more CPU than before, needs no privilege
and no real-time class (nothing can run away), and an older kernel ignores it. The threads
started before keep the default slice (the ledger's writer); those the loop starts afterwards
(asyncio's workers) inherit it, as Linux copies it at clone.

Tried and left out (benchmarks/README.md, 2026-12-05, third pass): the service's other threads
a few nice levels below the loop's. The GIL turns that into priority inversion — a helper put
off its core while it holds the lock keeps the loop waiting.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import struct
import threading

log = logging.getLogger(__name__)

SHORT_SLICE_NS = 100_000  # EEVDF's shortest slice (the default is about 1-3 ms)
_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274}  # the syscall's number, per architecture
_SCHED_ATTR = struct.Struct("IIQiIQQQII")  # struct sched_attr, version 1 (56 bytes)
_SCHED_OTHER = 0
_RESET_ON_FORK = 0x01  # sched_attr's SCHED_FLAG_RESET_ON_FORK, kept (ivr.service.realtime)


def short_slice(slice_ns: int = SHORT_SLICE_NS) -> bool:
    """Ask EEVDF for a short time slice for the calling thread (its nice and policy kept);
    False where the kernel or the architecture does not take the request. ``slice_ns=0``
    asks for the kernel's default slice again."""
    number = _SCHED_SETATTR.get(platform.machine())
    if number is None or not hasattr(os, "sched_getscheduler"):
        return False
    policy = os.sched_getscheduler(0)
    if policy & ~os.SCHED_RESET_ON_FORK != _SCHED_OTHER:  # real-time: leave it
        return False
    flags = _RESET_ON_FORK if policy & os.SCHED_RESET_ON_FORK else 0
    me = threading.get_native_id()
    nice = os.getpriority(os.PRIO_PROCESS, me)
    attr = _SCHED_ATTR.pack(_SCHED_ATTR.size, _SCHED_OTHER, flags, nice, 0, slice_ns, 0, 0, 0, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(number, me, ctypes.c_char_p(attr), 0) != 0:
        log.info("short time slice refused: %s", os.strerror(ctypes.get_errno()))
        return False
    return True


def slice_of(tid: int) -> int | None:
    """The thread's requested slice in ns (``sched_getattr``), None where it cannot be read."""
    number = _SCHED_SETATTR.get(platform.machine())
    if number is None:
        return None
    buffer = ctypes.create_string_buffer(_SCHED_ATTR.size)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(number + 1, tid, buffer, _SCHED_ATTR.size, 0) != 0:  # sched_getattr
        return None
    return int(_SCHED_ATTR.unpack(buffer.raw)[5])
