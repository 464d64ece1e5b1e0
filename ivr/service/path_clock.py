"""Where the time of an objection's own path went, when it was slow.

The path from the key's event to the stop written is about 50 µs of Python on the event loop's
thread. When a sample takes milliseconds, the thread was not running: either it waited (a
voluntary switch: the GIL held by another thread of the process) or it was put off its core (an
involuntary switch: another process or thread ran). The thread's own CPU time and its context
switches, read at both ends (one `getrusage` and one `clock_gettime` each, a few µs, outside the
measured span), tell which.
"""

from __future__ import annotations

import logging
import resource
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

SLOW = 0.001  # seconds: a sample above this is logged with its breakdown


@dataclass(frozen=True)
class Stamp:
    wall: float  # perf_counter
    cpu: float  # this thread's CPU time
    waited: int  # voluntary context switches of this thread so far
    preempted: int  # involuntary ones

    @classmethod
    def now(cls) -> Stamp:
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        cpu = time.thread_time()
        return cls(time.perf_counter(), cpu, usage.ru_nvcsw, usage.ru_nivcsw)

    def since(self, call_id: str) -> float:
        """Seconds since this stamp (taken on this thread); a slow span is logged."""
        wall = time.perf_counter() - self.wall
        if wall > SLOW:
            cpu = time.thread_time() - self.cpu
            usage = resource.getrusage(resource.RUSAGE_THREAD)
            log.info(
                "call %s: objection's own path took %.2f ms, %.2f ms of it on the CPU; "
                "the loop's thread waited %d times (GIL), was preempted %d times",
                call_id,
                wall * 1000,
                cpu * 1000,
                usage.ru_nvcsw - self.waited,
                usage.ru_nivcsw - self.preempted,
            )
        return wall
