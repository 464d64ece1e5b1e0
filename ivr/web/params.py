"""Query parameters read strictly: a whole number is ASCII digits within what SQLite stores
(64-bit integers); anything else is the caller's mistake, named in a 400, never a 500."""

from __future__ import annotations

import re
from collections.abc import Mapping

_WHOLE = re.compile(r"[0-9]{1,18}")  # below 2**63: SQLite's INTEGER


def whole_number(query: Mapping[str, str], name: str, default: int) -> int:
    """The parameter ``name`` as a whole number, ``default`` when absent; ValueError naming the
    parameter otherwise."""
    text = query.get(name)
    if text is None:
        return default
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"{name} must be a whole number from 0 to 10^18 - 1, got {text[:40]!r}")
    return int(text)
