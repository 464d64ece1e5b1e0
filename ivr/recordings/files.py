"""A stored recording (the path the ledger keeps), plain or encrypted, and only inside the
recordings folder: found, or deleted."""

from __future__ import annotations

from pathlib import Path

from ivr.crypto import SUFFIX


class OutsideFolderError(Exception):
    """A ledger row points outside the recordings folder: refused, never deleted."""


def _candidates(stored: str) -> tuple[Path, Path]:
    base = Path(stored)
    return base, base.with_name(base.name + SUFFIX)


def locate(stored: str, folder: Path) -> Path | None:
    """The file of a recording, encrypted or not, if it exists inside ``folder``."""
    root = folder.resolve()
    for candidate in _candidates(stored):
        resolved = candidate.resolve()
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    return None


def delete_stored(stored: str, folder: Path) -> int:
    """Delete the recording's files (``X`` and ``X.enc``); how many there were."""
    root = folder.resolve()
    deleted = 0
    for candidate in _candidates(stored):
        resolved = candidate.resolve()
        if not resolved.is_relative_to(root):
            raise OutsideFolderError(f"{candidate}: not inside the recordings folder {root}")
        try:
            resolved.unlink()
            deleted += 1
        except FileNotFoundError:
            pass
    return deleted
