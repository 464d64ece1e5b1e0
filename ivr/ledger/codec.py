"""How values are written into the ledger's columns, and read back exactly. Pure functions.

Times
    UTC, ISO 8601 with microseconds and an explicit offset, always the same 32 characters:
    ``2026-11-01T09:30:00.000000+00:00``. Chosen over epoch floats because a human reading the
    file with any SQLite tool sees the time, microseconds survive exactly (a float loses them
    after 2^53 us), and fixed width makes text order equal time order, so SQL can sort and
    compare without parsing. The API takes and returns timezone-aware datetimes only.

Text
    Caller ID number and name come from the caller's network and may hold anything: CR, LF,
    NUL, AMI syntax, kilobytes, and lone surrogates (the AMI parser decodes non-UTF-8 bytes
    with ``surrogateescape``). Every text column the ledger writes holds ``escape_text(value)``:
    a backslash becomes ``\\\\``, NUL and each surrogate code point become ``\\uXXXX`` (four
    lowercase hex digits); everything else, CR and LF included, is stored verbatim. The result
    is valid UTF-8 (SQLite would refuse lone surrogates) with no NUL (SQL functions such as
    length() stop at NUL), and `unescape_text` gives back the exact Python string.

Event detail
    A JSON object (NULL when empty) whose keys and string values are `escape_text`-ed before
    JSON encoding; values are str, int, float (finite) or null. JSON escapes alone would not
    do: a lone high surrogate followed by a lone low one reads back as one character.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

DetailValue = str | int | float | None
Detail = Mapping[str, DetailValue]

_TO_ESCAPE = re.compile("[\\\\\x00\ud800-\udfff]")
_ESCAPED = re.compile(r"\\(\\|u[0-9a-f]{4})")
_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_text(text: str) -> str:
    """The stored form of `text`: UTF-8-safe, NUL-free, reversible by `unescape_text`."""
    return _TO_ESCAPE.sub(_escape_char, text)


def unescape_text(stored: str) -> str:
    """The original string of a value written by `escape_text`."""
    return _ESCAPED.sub(_unescape_match, stored)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return "\\\\" if char == "\\" else f"\\u{ord(char):04x}"


def _unescape_match(match: re.Match[str]) -> str:
    body = match.group(1)
    return "\\" if body == "\\" else chr(int(body[1:], 16))


def encode_time(moment: datetime) -> str:
    """`moment` as stored: UTC, ISO 8601, microseconds. Naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: the ledger needs an aware time")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def decode_time(stored: str) -> datetime:
    return datetime.fromisoformat(stored).astimezone(UTC)


def dumps_json(value: object) -> str:
    """Compact JSON that keeps non-ASCII readable and is always valid UTF-8, for output.

    Lone surrogates become ``\\uXXXX`` escapes and read back as themselves, except that a high
    one followed by a low one reads back as one character (a JSON rule). Undecodable bytes
    from the AMI (``surrogateescape``) only give low surrogates, so they always round-trip.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # json.dumps leaves lone surrogates raw when ensure_ascii=False; they can only occur inside
    # string literals, where a \uXXXX escape is valid JSON and decodes to the same code point.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encode_detail(detail: Detail | None) -> str | None:
    if not detail:
        return None
    for key, value in detail.items():
        if not isinstance(key, str):
            raise TypeError(f"event detail key {key!r} is not a str")
        if value is not None and not isinstance(value, str | int | float):
            raise TypeError(f"event detail {key!r}: {type(value).__name__} is not storable")
    return dumps_json({escape_text(k): _escape_value(v) for k, v in detail.items()})


def decode_detail(stored: str | None) -> dict[str, DetailValue]:
    if stored is None:
        return {}
    detail: dict[str, DetailValue] = json.loads(stored)
    return {unescape_text(k): _unescape_value(v) for k, v in detail.items()}


def _escape_value(value: DetailValue) -> DetailValue:
    return escape_text(value) if isinstance(value, str) else value


def _unescape_value(value: DetailValue) -> DetailValue:
    return unescape_text(value) if isinstance(value, str) else value


def printable(text: str) -> str:
    """`text` safe for a terminal: backslash and every non-printable character (controls,
    ESC, bidi overrides, surrogates) escaped Python-style, so hostile caller IDs stay inert."""
    return "".join(_display_char(char) for char in text)


def _display_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
