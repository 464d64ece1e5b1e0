"""Key files created private: 0600 from their first byte whatever the umask, never through a
link, never over an existing file (a key replaced by mistake makes its files unreadable)."""

from __future__ import annotations

import os
from pathlib import Path

from ivr.crypto.keys import CryptoError


def create_key_file(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise CryptoError(f"{path}: cannot create the key file: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(fd, 0o600)
        handle.write(data)
