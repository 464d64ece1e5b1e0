"""CNIL: recording for training is neither permanent nor systematic. A "sample" that adds up to
most calls of the week is refused unless the legal-obligation mode names the law; the law must
be named well enough to be looked up, and the art. 30 record shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.audit.register import build_record
from ivr.config import ConfigError
from tests.unit.config.test_recording import WEEKDAYS, error, load

ALL_WEEK = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "from": "00:00",
    "to": "24:00",
}


def test_a_near_permanent_sample_is_refused(tmp_path: Path) -> None:
    key, message = error(tmp_path, {"fraction": 0.999}, [ALL_WEEK])
    assert key == "recording.fraction"
    assert "records 100% of all calls: that is systematic recording" in message
    assert 'mode = "legal-obligation"' in message


def test_overlapping_periods_of_one_group_add_up(tmp_path: Path) -> None:
    night = {**ALL_WEEK, "to": "12:00", "groups": ["sales"]}
    day = {**ALL_WEEK, "from": "12:00", "groups": ["sales"]}
    key, _ = error(tmp_path, {"fraction": 0.8}, [night, day])
    assert key == "recording.fraction"


def test_an_occasional_sample_is_accepted(tmp_path: Path) -> None:
    settings = load(tmp_path, {"fraction": 0.9}, [WEEKDAYS])  # 90% of 27% of the week
    assert settings.recording.fraction == 0.9
    assert load(tmp_path, {"fraction": 0.5}, [ALL_WEEK]).recording.fraction == 0.5


@pytest.mark.parametrize("reference", ["law", "Required by law", "TODO", "x"])
def test_a_trivial_legal_reference_is_refused(tmp_path: Path, reference: str) -> None:
    with pytest.raises(ConfigError, match="does not name a law"):
        load(tmp_path, {"mode": "legal-obligation", "legal_reference": reference})


def test_the_legal_reference_is_in_the_art_30_record(tmp_path: Path) -> None:
    reference = "Code monétaire et financier, art. L533-10"
    settings = load(tmp_path, {"mode": "legal-obligation", "legal_reference": reference})
    record = build_record(settings)
    assert record["which_calls_are_recorded"] == {"every_call": f"legal obligation: {reference}"}
