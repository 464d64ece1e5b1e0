"""`Message`: one AMI frame (an event or a response), immutable, cheap to build.

A frame is kept as its decoded text (lines joined by "\\n"); the (key, value) pairs are split
out only when someone asks for them. Why: on a busy PBX most events are filtered out by name
and never read further, and splitting ~20 headers per frame in Python costs more than all the
rest of the read path together (see docs/ami-client.md). The event name is taken eagerly
because every dispatch needs it; single-header lookups search the text without splitting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar, overload

from ivr.ami.errors import AmiInjectionError

_T = TypeVar("_T")
_EVENT = "Event: "

Header = tuple[str, str]


def check_header(key: str, value: str, *, where: str = "header") -> None:
    """Raise AmiInjectionError if `key: value` cannot travel as exactly one AMI line."""
    for part, text in (("key", key), ("value", value)):
        if "\r" in text or "\n" in text or "\0" in text:
            raise AmiInjectionError(f"{where} {key!r}", f"the {part} contains CR, LF or NUL")
    if ":" in key:
        raise AmiInjectionError(f"{where} {key!r}", "the key contains ':'")


def split_line(line: str) -> Header:
    """Split one AMI line at its first ':' and drop the single space Asterisk puts after it.

    `Key:` gives an empty value, `Key:  x` keeps " x" (values stay faithful), and a line with
    no ':' at all (legacy raw command output) is kept whole as the value of the key "".
    """
    key, sep, value = line.partition(": ")
    if sep and ":" not in key:
        return key, value
    key, sep, value = line.partition(":")
    if not sep:
        return "", line
    return key, value[1:] if value[:1] == " " else value


def _render(headers: Iterable[Header]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in headers)


def _name_of(text: str) -> str | None:
    if text.startswith(_EVENT):
        end = text.find("\n")
        return text[7:end] if end >= 0 else text[7:]
    return _lookup(text, "event")


def _lookup(text: str, lowered_key: str) -> str | None:
    """First value of a key (given lower-cased) found by searching the frame text, or None.

    Searching a lower-cased copy keeps the match case-insensitive without splitting the
    frame. Positions line up unless lower() changed the length (it can only lengthen, e.g.
    U+0130); then the frame is split instead.
    """
    low = text.lower()
    if len(low) != len(text):
        return _scan(map(split_line, text.split("\n")), lowered_key)
    size = len(lowered_key)
    if low.startswith(lowered_key) and low[size : size + 1] == ":":
        start = size + 1
    else:
        at = low.find(f"\n{lowered_key}:")
        if at < 0:
            return None
        start = at + size + 2
    end = text.find("\n", start)
    value = text[start:end] if end >= 0 else text[start:]
    return value[1:] if value[:1] == " " else value


def _scan(headers: Iterable[Header], lowered_key: str) -> str | None:
    for key, value in headers:
        if key.lower() == lowered_key:
            return value
    return None


class Message:
    """One AMI frame: headers in arrival order, repeated keys kept (`Variable`, `Output`, ...).

    Keys are matched case-insensitively, as Asterisk does. Build one from pairs or a mapping:
    `Message([("Event", "Hangup"), ("Channel", "PJSIP/1-0001")])`.
    """

    __slots__ = ("_headers", "_name", "_text")

    _text: str
    _name: str | None
    _headers: tuple[Header, ...] | None

    def __init__(self, headers: Mapping[str, str] | Iterable[Header] = ()) -> None:
        items = headers.items() if isinstance(headers, Mapping) else headers
        pairs = tuple((key, value) for key, value in items)
        for key, value in pairs:
            check_header(key, value)
        self._headers = pairs
        self._text = _render(pairs)
        self._name = _name_of(self._text)

    @property
    def headers(self) -> tuple[Header, ...]:
        """Every (key, value) pair, in order."""
        if self._headers is None:
            self._headers = tuple(map(split_line, self._text.split("\n")))
        return self._headers

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: _T) -> str | _T: ...

    def get(self, key: str, default: object = None) -> object:
        """First value of `key` (case-insensitive), or `default`."""
        lowered = key.lower()
        if key and "\n" not in key and ":" not in key:
            value = _lookup(self._text, lowered)
        else:
            value = _scan(self.headers, lowered)
        return default if value is None else value

    def get_all(self, key: str) -> list[str]:
        """Every value of `key` (case-insensitive), in order; [] when absent."""
        lowered = key.lower()
        return [value for name, value in self.headers if name.lower() == lowered]

    @property
    def name(self) -> str | None:
        """The `Event` value, or None for a response."""
        return self._name

    @property
    def is_event(self) -> bool:
        return self._name is not None

    @property
    def is_response(self) -> bool:
        return self._name is None and self.get("Response") is not None

    @property
    def is_error(self) -> bool:
        """True for `Response: Error`."""
        return (self.get("Response") or "").lower() == "error"

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def text(self) -> str:
        """The frame as text, one header per line, "\\n" line ends (for logs and captures)."""
        return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.headers == other.headers

    def __hash__(self) -> int:
        return hash(self.headers)

    def __repr__(self) -> str:
        return f"Message({list(self.headers)!r})"


def message_from_text(text: str) -> Message:
    """Wrap one decoded frame ("\\n" line ends, no blank line) without copying or splitting it.

    The parser's hot path: it bypasses __init__ because the text is already one valid frame.
    """
    message = Message.__new__(Message)
    message._text = text
    message._name = _name_of(text)
    message._headers = None
    return message
