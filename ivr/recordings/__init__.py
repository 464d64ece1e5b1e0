"""The recording file, in one place: its name (`naming`), its header and length (`wav`), safe
paths, plain or encrypted, waiting for the PBX to close it and deleting it (`folder`, `files`).

MixMonitor picks the format from the file's extension. Only WAV is offered: it is the one format
whose header tells when the PBX closed the file and how long it is (16-bit, 8 kHz), so that
closing, length, hashing and encryption are all proven on it.
"""

from ivr.recordings.files import OutsideFolderError, delete_stored, locate
from ivr.recordings.folder import ClosedRecording, RecordingsFolder
from ivr.recordings.naming import FORMATS, UnsafeRecordingName, file_name, is_safe_name

__all__ = [
    "FORMATS",
    "ClosedRecording",
    "OutsideFolderError",
    "RecordingsFolder",
    "UnsafeRecordingName",
    "delete_stored",
    "file_name",
    "is_safe_name",
    "locate",
]
