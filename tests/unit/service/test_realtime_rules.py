"""The pure parts of ivr.service.realtime: why real-time was refused, in words that lead to the
fix, and the guard's metrics present from start-up."""

from __future__ import annotations

import errno

from prometheus_client import CollectorRegistry, generate_latest

from ivr.service.realtime import FIX, HARD_US, SOFT_US, LoopScheduling, refusal_cause


def test_a_refusal_without_rlimit_or_capability_names_rlimit_rtprio() -> None:
    cause = refusal_cause(PermissionError(errno.EPERM, "x"), rtprio_limit=0, privileged=False)
    assert "RLIMIT_RTPRIO is 0" in cause
    assert "CAP_SYS_NICE" in cause
    assert "LimitRTPRIO=1" in FIX


def test_a_refusal_despite_the_permission_is_the_kernels() -> None:
    cause = refusal_cause(PermissionError(errno.EPERM, "x"), rtprio_limit=1, privileged=False)
    assert "kernel refused" in cause
    assert "RLIMIT_RTPRIO" not in cause


def test_the_hard_limit_leaves_the_handler_a_second_and_more_after_the_signal() -> None:
    # The kernel sends SIGXCPU at the soft limit, then one a second: the hard limit (SIGKILL)
    # must come after the first, with time for the handler to demote the thread.
    assert HARD_US - SOFT_US >= 1_000_000


def test_the_guards_series_exist_from_start_up() -> None:
    registry = CollectorRegistry()
    LoopScheduling("realtime", registry)
    text = generate_latest(registry).decode()
    assert "ivr_loop_realtime_demotions_total 0.0" in text
    assert "ivr_loop_realtime 0.0" in text  # not promoted until start()
    assert "# HELP ivr_loop_realtime_demotions_total" in text
