"""Stored forms of times, caller text and event details: exact round trips, safe output."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ivr.ledger.codec import (
    decode_detail,
    decode_time,
    dumps_json,
    encode_detail,
    encode_time,
    escape_text,
    printable,
    unescape_text,
)

# Any code point, lone surrogates and NUL included (st.text() leaves surrogates out).
any_text = st.text(st.integers(0, 0x10FFFF).map(chr), max_size=50)


@given(any_text)
def test_escaped_text_round_trips_and_is_storable(text: str) -> None:
    stored = escape_text(text)
    assert unescape_text(stored) == text
    assert "\x00" not in stored
    stored.encode("utf-8")  # no lone surrogate left: SQLite accepts it


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("plain Müller", "plain Müller"),
        ("a\\b", "a\\\\b"),
        ("\\u0000", "\\\\u0000"),
        ("a\x00b", "a\\u0000b"),
        ("\udcff", "\\udcff"),
        ("\r\n", "\r\n"),
    ],
)
def test_escaping_is_the_documented_one(text: str, stored: str) -> None:
    assert escape_text(text) == stored


def test_times_are_utc_iso_with_microseconds_of_fixed_width() -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 1, 10, 30, 0, 5, tzinfo=paris)
    assert encode_time(moment) == "2026-11-01T09:30:00.000005+00:00"
    assert decode_time(encode_time(moment)) == moment
    assert decode_time(encode_time(moment)).tzinfo == UTC
    assert len(encode_time(datetime(2026, 1, 1, tzinfo=UTC))) == 32


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        encode_time(datetime(2026, 11, 1, 9, 30))


@given(
    st.dictionaries(
        any_text,
        any_text | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.none(),
        max_size=5,
    )
)
@example({"\ud83d\ude00": "\ud83d\ude00 \\u0000 \x00"})  # a "pair" of lone surrogates
def test_details_round_trip_as_valid_utf8_json(detail: dict[str, object]) -> None:
    stored = encode_detail(detail)  # type: ignore[arg-type]
    if stored is not None:
        stored.encode("utf-8")
        assert "\x00" not in stored
    assert decode_detail(stored) == detail


def test_details_refuse_what_json_cannot_keep() -> None:
    with pytest.raises(ValueError):
        encode_detail({"x": float("nan")})
    with pytest.raises(TypeError, match="not storable"):
        encode_detail({"x": [1, 2]})  # type: ignore[dict-item]


def test_json_output_keeps_non_ascii_readable_and_surrogates_escaped() -> None:
    text = dumps_json({"name": "Müller\udcfc"})
    assert text == '{"name":"Müller\\udcfc"}'
    assert json.loads(text) == {"name": "Müller\udcfc"}


def test_printable_neutralises_terminal_controls() -> None:
    shown = printable("Bob\x1b[2J\r\nAction: Originate\u202e\udcff\\")
    assert shown == "Bob\\x1b[2J\\x0d\\x0aAction: Originate\\u202e\\udcff\\\\"
    assert shown.isprintable()
