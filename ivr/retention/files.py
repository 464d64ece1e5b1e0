"""Deleting a recording's file, plain or encrypted, and only inside the recordings folder."""

from __future__ import annotations

from pathlib import Path

from ivr.crypto import SUFFIX


class OutsideFolderError(Exception):
    """A ledger row points outside the recordings folder: refused, never deleted."""


def delete_recording(stored: str, folder: Path) -> int:
    """Delete the recording's files (``X`` and ``X.enc``); how many there were."""
    base = Path(stored)
    root = folder.resolve()
    deleted = 0
    for candidate in (base, base.with_name(base.name + SUFFIX)):
        resolved = candidate.resolve()
        if not resolved.is_relative_to(root):
            raise OutsideFolderError(f"{candidate}: not inside the recordings folder {root}")
        try:
            resolved.unlink()
            deleted += 1
        except FileNotFoundError:
            pass
    return deleted
