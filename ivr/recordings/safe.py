"""Recording file I/O that never follows a symbolic link.

Whoever can write the recordings folder (the PBX's group) could plant a link there, named like
a recording or its encrypted form, pointing at e.g. the ledger: a service that followed it
would overwrite, hash, serve or delete that file with its own rights. So every entry is opened
relative to the folder's own file descriptor, with ``O_NOFOLLOW`` (a link is refused, not
followed), new files with ``O_EXCL`` (never over an existing entry), and must be a regular
file; an unlink removes the entry itself, never what a link points at.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # a planted FIFO never blocks
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeEntry(OSError):
    """An entry of the recordings folder that is a link or not a regular file: refused."""


@contextmanager
def directory(folder: Path) -> Iterator[int]:
    """The folder's file descriptor, for the ``dir_fd`` of every operation on its entries."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


def open_regular(folder_fd: int, name: str) -> BinaryIO:
    """The entry ``name`` opened for reading; `UnsafeEntry` if it is a link or not a file."""
    try:
        fd = os.open(name, _READ, dir_fd=folder_fd)
    except OSError as exc:
        if is_link(folder_fd, name):  # ELOOP, or EMLINK on some systems
            raise UnsafeEntry(f"{name}: a symbolic link, not followed") from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeEntry(f"{name}: not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, refusing a link in its last component."""
    with directory(path.parent) as folder_fd:
        return open_regular(folder_fd, path.name)


def create_new(folder_fd: int, name: str, mode: int) -> BinaryIO:
    """A new file ``name`` (``FileExistsError`` if any entry, a link included, is there)."""
    return os.fdopen(os.open(name, _CREATE, mode, dir_fd=folder_fd), "wb")


def remove(folder_fd: int, name: str) -> bool:
    """Unlink the entry itself (a link goes, its target stays); False if there was none."""
    try:
        os.unlink(name, dir_fd=folder_fd)
    except FileNotFoundError:
        return False
    return True


def is_regular(folder_fd: int, name: str) -> bool:
    """A regular file is there under ``name`` (a link to one is not)."""
    try:
        return stat.S_ISREG(os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def is_link(folder_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False
