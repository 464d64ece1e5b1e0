"""Caps on what one audit row may store: the log shares its disk with the ledger, and a
client controls several fields (the path it asked for, the reason it gave, its address)."""

from __future__ import annotations

from dataclasses import replace

from ivr.audit.chain import Entry

ELLIPSIS = "…"
CAPS = {
    "actor": 80,
    "role": 20,
    "action": 40,
    "target": 200,
    "reason": 500,
    "origin": 100,
    "outcome": 20,
    "detail": 1000,
}


def cut(text: str, limit: int) -> str:
    """``text`` if it fits, else its start and an ellipsis, ``limit`` characters in all."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def capped(entry: Entry) -> Entry:
    """The entry as it will be stored: every field within its cap (the hash covers this)."""
    changes = {name: cut(getattr(entry, name), cap) for name, cap in CAPS.items()}
    return replace(entry, **changes)
