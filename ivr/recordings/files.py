"""A stored recording (the path the ledger keeps), plain or encrypted, and only inside the
recordings folder: found, or deleted. An entry that is a link is never followed: not found
(nothing is served through it), and deleting removes the link itself, never its target."""

from __future__ import annotations

from pathlib import Path

from ivr.crypto import SUFFIX
from ivr.recordings import safe


class OutsideFolderError(Exception):
    """A ledger row points outside the recordings folder: refused, never deleted."""


def _names(stored: str, folder: Path) -> tuple[Path, tuple[str, str]]:
    """The folder (resolved) and the two entry names of a stored path (``X`` and ``X.enc``)."""
    base, root = Path(stored), folder.resolve()
    if base.name in ("", ".", "..") or base.parent.resolve() != root:
        raise OutsideFolderError(f"{stored}: not inside the recordings folder {root}")
    plain = base.name.removesuffix(SUFFIX)
    return root, (plain, plain + SUFFIX)


def locate(stored: str, folder: Path) -> Path | None:
    """The file of a recording, encrypted or not, if a regular file holds it inside ``folder``."""
    try:
        root, names = _names(stored, folder)
    except OutsideFolderError:
        return None
    with safe.directory(root) as folder_fd:
        for name in names:
            if safe.is_regular(folder_fd, name):
                return root / name
    return None


def delete_stored(stored: str, folder: Path) -> int:
    """Delete the recording's entries (``X`` and ``X.enc``); how many there were."""
    root, names = _names(stored, folder)
    with safe.directory(root) as folder_fd:
        return sum(safe.remove(folder_fd, name) for name in names)
