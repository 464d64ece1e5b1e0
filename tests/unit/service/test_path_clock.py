"""The objection path's breakdown: a slow span says whether the thread ran, waited or was
preempted; a fast one says nothing."""

from __future__ import annotations

import logging
import time

import pytest

from ivr.service.path_clock import SLOW, Stamp


def test_a_slow_span_spent_waiting_is_logged_as_waited_not_as_cpu(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stamp = Stamp.now()
    time.sleep(SLOW * 5)  # off the CPU, by the thread's own choice: a voluntary switch
    with caplog.at_level(logging.INFO, logger="ivr.service.path_clock"):
        took = stamp.since("c1")
    assert took >= SLOW * 5
    [record] = caplog.records
    assert "call c1: objection's own path took" in record.getMessage()
    waited = record.args[3] if isinstance(record.args, tuple) else None
    cpu_ms = record.args[2] if isinstance(record.args, tuple) else None
    assert isinstance(waited, int)
    assert waited >= 1
    assert isinstance(cpu_ms, float)
    assert cpu_ms < took * 1000 / 2


def test_a_fast_span_is_measured_and_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    stamp = Stamp.now()
    with caplog.at_level(logging.INFO, logger="ivr.service.path_clock"):
        took = stamp.since("c2")
    assert 0 <= took < SLOW
    assert caplog.records == []
