"""Prompts are played by the PBX's user (``asterisk``), not written by it: their modes are set on
purpose, whatever the umask the builder runs under (the systemd unit sets ``UMask=0077``, which
would leave them 0600 in 0700 folders and every notice unplayable). A prompt is the public
notice, so every user may read it; only its writer may change it."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from ivr.prompts.errors import PromptError

FILE_MODE = 0o644
FOLDER_BITS = 0o755  # added to a folder's mode, never taken away


def publish_file(path: Path) -> None:
    """Make ``path`` (a prompt or the manifest) readable by every user."""
    if stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
        _chmod(path, FILE_MODE)


def publish_folders(top: Path, relative: PurePosixPath) -> None:
    """Let every user reach the file at ``top / relative``: ``top`` and each folder below it
    gain read and search bits (existing bits, such as a setgid or group write, are kept)."""
    folder = top
    _open_folder(folder)
    for part in relative.parent.parts:
        folder = folder / part
        _open_folder(folder)


def _open_folder(folder: Path) -> None:
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & FOLDER_BITS != FOLDER_BITS:
        _chmod(folder, mode | FOLDER_BITS)


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError as exc:
        raise PromptError(
            f"{path}: cannot make it readable by the PBX's user (mode {mode:o}): {exc}"
        ) from None
