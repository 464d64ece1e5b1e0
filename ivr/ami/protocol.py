"""AMI wire format, pure: bytes in, `Message`s out, and actions out as bytes. No I/O here.

Decoding: UTF-8 with errors="surrogateescape". A byte sequence that is not UTF-8 (a Latin-1
caller name from an old phone) survives as lone surrogates and is written back byte for byte
by `encode_action`, so a value read from Asterisk can be sent back unchanged; "replace" would
turn it into U+FFFD for good. A consumer that writes values to a strict UTF-8 sink must pick
its own policy (e.g. errors="backslashreplace").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ivr.ami.errors import AmiInjectionError, AmiProtocolError
from ivr.ami.message import Header, Message, check_header, message_from_text

__all__ = [
    "BANNER_PREFIX",
    "DEFAULT_MAX_FRAME",
    "Fields",
    "FrameParser",
    "Message",
    "encode_action",
]

DEFAULT_MAX_FRAME = 4 * 1024 * 1024
BANNER_PREFIX = b"Asterisk Call Manager/"
_ENCODING = "utf-8"
_ERRORS = "surrogateescape"
_RESERVED = frozenset({"action", "actionid"})
_BLANK_RUNS = re.compile("\n\n\n+")

Fields = Mapping[str, str] | Iterable[Header]


class FrameParser:
    """Turn a TCP byte stream from Asterisk into Messages, whatever the chunking.

    Line ends may be CRLF or bare LF; they are normalised to LF before anything else, and a CR
    at the end of a chunk waits for the next chunk. Complete frames are found with one bytes
    search per chunk and decoded with one call per chunk: a frame boundary is ASCII, so a
    multibyte character is never cut. An unterminated frame may grow up to `max_frame` bytes;
    past that, AmiProtocolError, the partial frame is dropped and the parser skips to the next
    blank line instead of buffering without bound.
    """

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.max_frame = max_frame
        self.banner: str | None = None
        self._buffer = bytearray()
        self._held_cr = False
        self._at_start = True
        self._skipping = False

    def feed(self, data: bytes) -> list[Message]:
        """Consume `data`; return the frames it completed, in order."""
        return [message_from_text(frame) for frame in self.feed_frames(data)]

    def feed_frames(self, data: bytes) -> list[str]:
        """Like `feed`, but return each frame as text, for `message_from_text`.

        Why: a reader that wraps and dispatches one frame at a time lets each Message die
        right after dispatch; a list of a whole read's Messages (hundreds) keeps them alive
        long enough for the cyclic GC to scan them again and again.
        """
        data = self._normalise(data)
        if self._skipping and not (data := self._skip(data)):
            return []
        buffer = self._buffer
        scan_from = max(0, len(buffer) - 1)
        buffer += data
        if self._at_start:
            if not self._take_banner():
                return []
            scan_from = 0
        end = buffer.rfind(b"\n\n", scan_from)
        if end < 0:
            self._check_size(len(buffer))
            return []
        block = buffer[:end]
        del buffer[: end + 2]
        if end > self.max_frame:
            self._check_frames(block)
        return _frames(block.decode(_ENCODING, _ERRORS))

    def _normalise(self, data: bytes) -> bytes:
        if self._held_cr:
            data = b"\r" + data
            self._held_cr = False
        if data.endswith(b"\r"):
            self._held_cr = True
            data = data[:-1]
        return data.replace(b"\r\n", b"\n") if b"\r" in data else data

    def _take_banner(self) -> bool:
        """At stream start, wait for the first line and drop it if it is the AMI banner."""
        buffer = self._buffer
        end = buffer.find(b"\n")
        if end < 0:
            self._check_size(len(buffer))
            return False
        self._at_start = False
        if buffer.startswith(BANNER_PREFIX):
            self.banner = buffer[:end].decode(_ENCODING, _ERRORS)
            del buffer[: end + 1]
        return True

    def _skip(self, data: bytes) -> bytes:
        """Drop bytes up to the next blank line after an oversized frame; return the rest."""
        joined = self._buffer + data
        end = joined.find(b"\n\n")
        self._buffer.clear()
        if end < 0:
            self._buffer += joined[-1:]
            return b""
        self._skipping = False
        return bytes(joined[end + 2 :])

    def _check_size(self, size: int) -> None:
        if size > self.max_frame:
            self._buffer.clear()
            self._skipping = True
            raise AmiProtocolError(
                f"frame larger than {self.max_frame} bytes without a terminating blank line; "
                "dropped it"
            )

    def _check_frames(self, block: bytearray) -> None:
        start = 0
        while start <= len(block):
            end = block.find(b"\n\n", start)
            end = len(block) if end < 0 else end
            if end - start > self.max_frame:
                raise AmiProtocolError(f"frame of {end - start} bytes exceeds {self.max_frame}")
            start = end + 2


def _frames(text: str) -> list[str]:
    if "\n\n\n" in text or text[:1] == "\n" or text[-1:] == "\n":
        text = _BLANK_RUNS.sub("\n\n", text).strip("\n")
    if not text:
        return []
    return text.split("\n\n")


def encode_action(name: str, fields: Fields | None, action_id: str) -> bytes:
    """Serialise one action. Raise AmiInjectionError, sending nothing, if any key or value
    contains CR, LF or NUL, if a key contains ':', or if `fields` tries to set Action or
    ActionID (the client owns both)."""
    check_header("Action", name, where="action name")
    check_header("ActionID", action_id, where="action id")
    lines = [f"Action: {name}", f"ActionID: {action_id}"]
    for key, value in _pairs(fields):
        check_header(key, value, where=f"{name} field")
        if not key or key.lower() in _RESERVED:
            raise AmiInjectionError(f"{name} field {key!r}", "empty or reserved key")
        lines.append(f"{key}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode(_ENCODING, _ERRORS)


def _pairs(fields: Fields | None) -> Iterable[Header]:
    if fields is None:
        return ()
    if isinstance(fields, Mapping):
        return fields.items()
    return fields
