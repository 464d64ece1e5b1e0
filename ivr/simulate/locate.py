"""Line numbers for scenario errors: tomllib gives values, not positions, so the text is
searched for the n-th ``[[call]]`` table and for a key within it."""

from __future__ import annotations

import re

_CALL_HEADER = re.compile(r"^\s*\[\[\s*call\s*\]\]")


def call_lines(text: str) -> list[int]:
    """The 1-based line of each ``[[call]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _CALL_HEADER.match(line)]


def key_line(text: str, start: int, key: str) -> int:
    """The line of ``key`` (its last dotted part) in the call starting at ``start``, else start."""
    lines = text.splitlines()
    name = re.escape(key.split(".")[-1])
    pattern = re.compile(rf"^\s*(\[\s*call\.)?[\w.\s]*\b{name}\b\s*(=|\])")
    for number in range(start, len(lines) + 1):
        if number > start and _CALL_HEADER.match(lines[number - 1]):
            break
        if pattern.match(lines[number - 1]):
            return number
    return start
