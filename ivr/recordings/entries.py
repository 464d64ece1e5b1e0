"""What lies in the recordings folder, as names the service made: each entry's call, whether it
is the plain file, its encrypted form or an encryption's leftover, and whether the ledger
accounts for it. Entries are listed without following links (a link is listed as one)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from ivr.crypto import SUFFIX
from ivr.ledger.privacy import StoredRecording
from ivr.recordings.naming import is_safe_name

PARTIAL = SUFFIX + ".partial"


class Form(StrEnum):
    PLAIN = "plain"
    ENCRYPTED = "encrypted"
    PARTIAL = "partial"  # an encryption that did not finish


@dataclass(frozen=True)
class FolderEntry:
    name: str
    recording: str  # the plain recording's name (``ivr-<call>.wav``)
    call_id: str
    form: Form
    regular: bool  # a regular file (not a link, a folder, a FIFO...)
    modified: datetime

    def accounted_by(self, stored: StoredRecording | None) -> bool:
        """The ledger keeps this recording (not deleted) under this name; a leftover of an
        encryption and anything but a regular file never are."""
        return (
            stored is not None
            and stored.deleted_at is None
            and self.regular
            and self.form is not Form.PARTIAL
            and Path(stored.path).name.removesuffix(SUFFIX) == self.recording
        )


def recording_entries(folder: Path) -> list[FolderEntry]:
    """Every entry named like a recording of the service, sorted by name."""
    found = []
    with os.scandir(folder) as listing:
        for entry in listing:
            parsed = _parse(entry.name)
            if parsed is None:
                continue
            info = entry.stat(follow_symlinks=False)
            modified = datetime.fromtimestamp(info.st_mtime, UTC)
            regular = stat.S_ISREG(info.st_mode)
            found.append(FolderEntry(entry.name, *parsed, regular, modified))
    return sorted(found, key=lambda e: e.name)


def _parse(name: str) -> tuple[str, str, Form] | None:
    if name.endswith(PARTIAL):
        recording, form = name.removesuffix(PARTIAL), Form.PARTIAL
    elif name.endswith(SUFFIX):
        recording, form = name.removesuffix(SUFFIX), Form.ENCRYPTED
    else:
        recording, form = name, Form.PLAIN
    if not is_safe_name(recording):
        return None
    call_id = recording.removeprefix("ivr-").rsplit(".", 1)[0]
    return recording, call_id, form
