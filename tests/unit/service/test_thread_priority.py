"""The event loop's thread gets a short time slice and keeps its nice and policy; the threads
started before it asked keep theirs."""

from __future__ import annotations

import os
import threading

from ivr.service.thread_priority import SHORT_SLICE_NS, short_slice, slice_of


def test_a_thread_asks_for_a_short_slice_and_keeps_its_nice_and_policy() -> None:
    got: list[tuple[bool, int | None, int, int]] = []

    def ask() -> None:
        me = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, me)
        taken = short_slice()
        after = os.getpriority(os.PRIO_PROCESS, me)
        got.append((taken, slice_of(me), after - before, os.sched_getscheduler(0)))

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    [(taken, granted, nice_changed, policy)] = got
    assert taken
    assert granted == SHORT_SLICE_NS  # Linux 6.12 or later, as the CI machine runs
    assert (nice_changed, policy) == (0, os.SCHED_OTHER)


def test_a_thread_started_before_keeps_its_slice() -> None:
    """Per thread: the ledger's writer, started before the loop asks, keeps the default."""
    ready, asked = threading.Event(), threading.Event()
    other: list[int] = []

    def wait() -> None:
        # Threads inherit their creator's slice: start from the kernel's default (0), whatever
        # an earlier test asked for on pytest's main thread (an in-process service does).
        assert short_slice(slice_ns=0)
        other.append(threading.get_native_id())
        ready.set()
        asked.wait(5)

    thread = threading.Thread(target=wait)
    thread.start()
    try:
        assert ready.wait(5)
        before = slice_of(other[0])
        asker = threading.Thread(target=short_slice)
        asker.start()
        asker.join()
        assert before is not None
        assert before != SHORT_SLICE_NS
        assert slice_of(other[0]) == before
    finally:
        asked.set()
        thread.join()
