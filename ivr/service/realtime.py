"""The event loop's thread at real-time priority, with a guard against a runaway loop.

Every slow sample of an objection's own path was the loop's thread put off its core by another
process (benchmarks/README.md, objection_latency, third pass); round-robin real-time priority 1
is the only setting that removed them. Only the loop's thread is promoted, with
``SCHED_RESET_ON_FORK``, so the threads it starts afterwards (asyncio's workers) and those
started before (the ledger's writer) stay ordinary: the HTTP API and the dashboard share the
loop, so a flood or a bug that spins it must not hold a core against the PBX's media threads.

The guard is the kernel's: ``RLIMIT_RTTIME`` bounds the CPU a real-time thread may use without
blocking. At the soft limit the kernel sends SIGXCPU; the handler (Python runs it on the main
thread, which is the loop's, between two bytecodes even while the loop spins) puts the thread
back to ordinary scheduling, counts it and logs an ERROR. A thread stuck in C code cannot run the
handler: the hard limit then kills the process (systemd restarts it); a demoted thread is no
longer real-time, so the hard limit never reaches a service that handled the signal. After a
quiet minute the thread is promoted again, each demotion counted: a burst that was legitimate
costs a minute of ordinary scheduling; a loop that spins again is demoted again, at most
``SOFT_US`` of a core a minute.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from prometheus_client import CollectorRegistry, Counter, Gauge

from ivr.config.service import Scheduling
from ivr.service.thread_priority import short_slice

log = logging.getLogger(__name__)

RT_PRIORITY = 1  # the lowest real-time priority: ahead of every ordinary thread, no further
# The loop's longest run without blocking, measured, was 12 ms, under an HTTP flood
# (benchmarks/README.md, objection_latency, fourth pass): 200 ms is far above any legitimate
# burst, and short enough to hand the core back before the PBX's audio suffers much.
SOFT_US = 200_000
# Time for the handler to run once SIGXCPU is sent; reached only by a thread stuck in C code.
HARD_US = SOFT_US + 2_000_000
WAKE_AT_REAL_TIME = 0.0002  # seconds asleep just after a promotion (see LoopScheduling._promote)
QUIET_SECONDS = 60.0  # ordinary scheduling this long after a demotion, then real-time again
FIX = 'LimitRTPRIO=1 in the unit (docker: ulimits rtprio: 1), or [service] scheduling = "normal"'
_CAP_SYS_NICE = 23


def cap_sys_nice() -> bool:
    """Whether this process holds CAP_SYS_NICE (root does, unless the bounding set drops it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> _CAP_SYS_NICE & 1)
    except OSError:
        pass
    return False


def refusal_cause(error: OSError, rtprio_limit: int, privileged: bool) -> str:
    """Why the kernel refused real-time priority, in the administrator's words."""
    if rtprio_limit < RT_PRIORITY and not privileged:
        return f"RLIMIT_RTPRIO is {rtprio_limit} and the process lacks CAP_SYS_NICE"
    return f"the kernel refused SCHED_RR ({os.strerror(error.errno or 0)}; a cgroup's RT budget?)"


def promote(tid: int = 0) -> str | None:
    """Thread ``tid`` (0: the calling one) to SCHED_RR priority 1, its future threads ordinary;
    None when done, else why not."""
    try:
        os.sched_setscheduler(
            tid, os.SCHED_RR | os.SCHED_RESET_ON_FORK, os.sched_param(RT_PRIORITY)
        )
    except OSError as exc:
        limit = resource.getrlimit(resource.RLIMIT_RTPRIO)[0]
        rtprio = limit if limit != resource.RLIM_INFINITY else RT_PRIORITY
        return refusal_cause(exc, rtprio, cap_sys_nice())
    return None


def demote(tid: int = 0) -> None:
    """Thread ``tid`` back to ordinary scheduling (the reset-on-fork flag stays: an unprivileged
    thread may not clear it)."""
    os.sched_setscheduler(tid, os.SCHED_OTHER | os.SCHED_RESET_ON_FORK, os.sched_param(0))


def available() -> str | None:
    """Whether this process may run a thread at real-time priority: tried on a short-lived
    thread of its own (nothing else changes); None if so, else why not."""
    refused: list[str | None] = [None]

    def attempt() -> None:
        refused[0] = promote()

    probe = threading.Thread(target=attempt, name="ivr-rt-probe")
    probe.start()
    probe.join()
    return refused[0]


def bound_runaway() -> None:
    """RLIMIT_RTTIME at (SOFT_US, HARD_US), within what the process was given."""
    _, hard = resource.getrlimit(resource.RLIMIT_RTTIME)
    hard = HARD_US if hard == resource.RLIM_INFINITY else min(hard, HARD_US)
    resource.setrlimit(resource.RLIMIT_RTTIME, (min(SOFT_US, hard), hard))


@dataclass
class LoopState:
    mode: Scheduling = "normal"
    cause: str | None = None  # why not real-time, when it should be
    demoted_at: float | None = None
    demotions: int = 0


class LoopScheduling:
    """The loop thread's scheduling for ``wanted`` ("realtime" or "normal"), its guard, its
    counter and gauge in ``registry``, and what /healthz shows."""

    def __init__(
        self,
        wanted: Scheduling,
        registry: CollectorRegistry,
        clock: Callable[[], float] = time.monotonic,
        quiet: float = QUIET_SECONDS,
    ) -> None:
        self.wanted = wanted
        self.quiet = quiet
        self.state = LoopState()
        self._clock = clock
        self._tid = 0
        self.demotions = Counter(
            "ivr_loop_realtime_demotions",
            "Times the event loop's thread used its real-time CPU budget and was demoted",
            registry=registry,
        )
        realtime = Gauge(
            "ivr_loop_realtime", "1 while the event loop's thread runs at real-time priority",
            registry=registry,
        )  # fmt: skip
        realtime.set_function(lambda: self.state.mode == "realtime")

    def start(self) -> None:
        """On the loop's (main) thread, at start-up."""
        self._tid = threading.get_native_id()
        if self.wanted == "realtime":
            self.state.cause = self._start_realtime()
            if self.state.cause is None:
                log.info("event loop's thread at real-time priority %d (SCHED_RR)", RT_PRIORITY)
                return
            log.warning("event loop's thread at ordinary priority: %s; fix: %s", *self.why())
        if short_slice():
            log.info("event loop's thread on a short time slice")

    def _start_realtime(self) -> str | None:
        if threading.current_thread() is not threading.main_thread():
            return "the event loop runs outside the main thread (no SIGXCPU handler there)"
        signal.signal(signal.SIGXCPU, self._over_budget)
        return self._promote()

    def _promote(self) -> str | None:
        """The loop's thread (the calling one) to real-time, its count of time without blocking
        fresh: Linux resets that count only when the thread wakes at real-time, so the one left
        from before a demotion would trip the limit at the next tick. A short sleep resets it;
        a signal that came meanwhile was ignored (not yet "realtime"), and the soft limit it
        raised is set back."""
        bound_runaway()
        refused = promote(self._tid)
        if refused is None:
            time.sleep(WAKE_AT_REAL_TIME)
            bound_runaway()
            self.state.mode = "realtime"
        return refused

    def why(self) -> tuple[str, str]:
        return self.state.cause or "", FIX

    def _over_budget(self, signum: int, frame: FrameType | None) -> None:
        if self.state.mode != "realtime":
            return
        demote(self._tid)
        short_slice()
        self.state.mode = "normal"
        self.state.demoted_at = self._clock()
        self.state.demotions += 1
        self.demotions.inc()
        log.error(
            "event loop's thread ran %d ms at real-time priority without blocking "
            "(RLIMIT_RTTIME): demoted to ordinary scheduling for %d s at least",
            SOFT_US // 1000,
            self.quiet,
        )

    async def run(self) -> None:
        """Promotes the loop's thread again a quiet minute after a demotion."""
        while True:
            await asyncio.sleep(self.quiet / 4)
            demoted = self.state.demoted_at
            if demoted is not None and self._clock() - demoted >= self.quiet:
                self._promote_again()

    def _promote_again(self) -> None:
        refused = self._promote()
        self.state.demoted_at = None
        if refused is None:
            log.warning(
                "event loop's thread back at real-time priority after %d quiet s", self.quiet
            )
        else:
            self.state.cause = refused
            log.warning("event loop's thread stays ordinary: %s", refused)

    def as_dict(self) -> dict[str, object]:
        """/healthz's view: the scheduling in force, and why when it is not the one wanted."""
        body: dict[str, object] = {
            "wanted": self.wanted,
            "in_force": self.state.mode,
            "demotions": self.state.demotions,
        }
        if self.state.demoted_at is not None:
            body["demoted_for_seconds"] = round(self._clock() - self.state.demoted_at, 1)
        elif self.state.cause is not None:
            body["cause"] = self.state.cause
            body["fix"] = FIX
        return body
