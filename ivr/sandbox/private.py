"""Folders and files that hold secrets, created with their mode on purpose.

An instance's ``etc/manager.conf`` names a full-rights AMI account of an Asterisk running as
root; its modes must not depend on the caller's umask or on what Debian's stock file happened
to be. Folders are 0700 and files 0600, set at creation (no window where they are readable)
and enforced again on existing ones, which older versions left 0755/0644.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its missing parents, 0700) or tighten it to 0700."""
    if not path.parent.exists():
        private_dir(path.parent)
    path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    os.chmod(path, PRIVATE_DIR, follow_symlinks=False)
    return path


def write_private(path: Path, data: str | bytes) -> None:
    """Replace ``path``'s content, the file 0600 from its first byte; a link is refused."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its old mode through O_CREAT
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
