"""Line numbers for scenario errors: tomllib gives values, not positions, so the text is
searched for the n-th ``[[call]]`` table and for a key within it."""

from __future__ import annotations

import re

_CALL_HEADER = re.compile(r"^\s*\[\[\s*call\s*\]\]")


def call_lines(text: str) -> list[int]:
    """The 1-based line of each ``[[call]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _CALL_HEADER.match(line)]


def key_line(text: str, start: int, key: str) -> int:
    """The line of ``key`` in the call starting at ``start``: where its last dotted part is
    assigned (``answer`` of ``agent.answer``, inline tables included), else its table, else
    the call's first line."""
    lines = text.splitlines()
    end = next(
        (n for n in range(start + 1, len(lines) + 1) if _CALL_HEADER.match(lines[n - 1])),
        len(lines) + 1,
    )
    for part in reversed(key.split(".")):
        name = re.escape(part)
        pattern = re.compile(rf"(^|[\s{{,.\[]){name}\s*(=|\])")
        for number in range(start, end):
            if pattern.search(lines[number - 1]):
                return number
    return start
