"""A configuration error about a secret names the key and the file, never the value: the
message lands in terminals, CI logs and journald."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ivr.config import ConfigError, load_settings
from tests.unit.config import sample

VALUE = 987654321987


@pytest.mark.parametrize(
    "changes",
    [
        {"ami": {"secret": VALUE}},
        {"ami": {"secret": [str(VALUE)]}},
        {"encryption": {"key": VALUE}},
        {"erasure": {"secret": True, "secret_file": str(VALUE)}},
    ],
)
def test_a_wrong_secret_is_named_not_echoed(tmp_path: Path, changes: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(sample.write(tmp_path, changes), environ={})
    assert str(VALUE) not in str(error.value)
    assert "secret" in str(error.value) or "key" in str(error.value)


def test_other_values_are_still_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="got 70000"):
        load_settings(sample.write(tmp_path, {"ami": {"port": 70000}}), environ={})
