"""Deleting a recording's file, plain or encrypted, and only inside the recordings folder: the
one home of this is `ivr.recordings`; kept here under the name retention's callers know."""

from __future__ import annotations

from ivr.recordings.files import OutsideFolderError
from ivr.recordings.files import delete_stored as delete_recording

__all__ = ["OutsideFolderError", "delete_recording"]
