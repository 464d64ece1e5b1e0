"""A recording's file name: from the PBX's unique id only, never from anything a caller controls."""

from __future__ import annotations

import re

# Formats whose every step works (closing, length, hashing, encryption): see the package's doc.
FORMATS = ("wav",)
DEFAULT_FORMAT = "wav"
_SAFE_NAME = re.compile(r"ivr-[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.wav")


class UnsafeRecordingName(ValueError):
    """A recording name that is not one the service makes."""


def file_name(call_id: str, fmt: str = DEFAULT_FORMAT) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"recording format {fmt!r}: only {', '.join(FORMATS)} is supported")
    return f"ivr-{call_id}.{fmt}"


def is_safe_name(name: str) -> bool:
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name
