"""The event loop's thread stays ahead: the service's other threads, already started or started
later by its pool, run a few nice levels lower; the calling thread keeps its own."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from ivr.service.thread_priority import (
    HELPER_STEP,
    helper_nice,
    lower_helpers,
    lower_this_thread,
    short_slice,
)


def nice_of(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def test_helpers_started_before_run_below_the_calling_thread() -> None:
    me = threading.get_native_id()
    mine = nice_of(me)
    ready, done = threading.Event(), threading.Event()
    helper: list[int] = []

    def wait() -> None:
        helper.append(threading.get_native_id())
        ready.set()
        done.wait(5)

    thread = threading.Thread(target=wait)
    thread.start()
    try:
        assert ready.wait(5)
        assert lower_helpers() >= 1
        assert nice_of(helper[0]) == helper_nice(mine)
        assert nice_of(me) == mine
    finally:
        done.set()
        thread.join()


def test_a_pools_new_threads_start_below_the_thread_that_made_them() -> None:
    mine = nice_of(threading.get_native_id())
    with ThreadPoolExecutor(1, initializer=lower_this_thread) as pool:
        theirs = pool.submit(lambda: nice_of(threading.get_native_id())).result(5)
    assert theirs == min(19, mine + HELPER_STEP)


def test_a_thread_asks_for_a_short_slice_and_keeps_its_nice_and_policy() -> None:
    got: list[tuple[bool, int, int]] = []

    def ask() -> None:
        me = threading.get_native_id()
        before = nice_of(me)
        got.append((short_slice(), nice_of(me) - before, os.sched_getscheduler(0)))

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    [(taken, nice_changed, policy)] = got
    assert taken  # Linux 6.12 or later on x86_64 or aarch64, as the CI machine
    assert (nice_changed, policy) == (0, os.SCHED_OTHER)
