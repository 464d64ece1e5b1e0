"""Whole-number query parameters: ASCII digits within SQLite's 64-bit integers, else a
ValueError that names the parameter (the API answers 400 with it)."""

from __future__ import annotations

import pytest

from ivr.web.params import whole_number


def test_absent_gives_the_default_and_digits_give_their_number() -> None:
    assert whole_number({}, "limit", 100) == 100
    assert whole_number({"limit": "0"}, "limit", 100) == 0
    assert whole_number({"since": "9" * 18}, "since", 0) == 10**18 - 1


@pytest.mark.parametrize(
    "text",
    ["", "-5", " 12", "1e3", "²", "١٢", "9" * 19, "56508952988835837554720768", "12abc"],
)
def test_anything_else_is_refused_naming_the_parameter(text: str) -> None:
    with pytest.raises(ValueError, match=r"^since must be a whole number"):
        whole_number({"since": text}, "since", 0)
