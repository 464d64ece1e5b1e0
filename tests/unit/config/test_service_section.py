"""[service] scheduling: real-time by default (what the unit ships), "normal" to turn it off,
anything else refused naming the file and the key; the doctor says what it means."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError
from ivr.doctor import scheduling
from ivr.doctor.findings import Level
from tests.unit.config import sample


def test_the_loop_is_real_time_unless_the_administrator_says_normal(tmp_path: Path) -> None:
    assert sample.settings(tmp_path).service.scheduling == "realtime"
    normal = sample.settings(tmp_path, {"service": {"scheduling": "normal"}})
    assert normal.service.scheduling == "normal"


def test_an_unknown_scheduling_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        sample.settings(tmp_path, {"service": {"scheduling": "fifo"}})
    assert "service.scheduling" in str(refused.value)
    assert "realtime" in str(refused.value)
    assert "'fifo'" in str(refused.value) or '"fifo"' in str(refused.value)


def test_the_doctor_says_nothing_is_needed_when_real_time_is_off(tmp_path: Path) -> None:
    finding = scheduling.realtime(sample.settings(tmp_path, {"service": {"scheduling": "normal"}}))
    assert finding.level is Level.OK
    assert "off" in finding.detail
