"""Bookkeeping for actions in flight: event-list collection, failing futures, safe logging."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any

from ivr.ami.errors import AmiActionError, AmiConnectionError
from ivr.ami.protocol import Fields, Message

# Header keys whose values never reach a log line: the login secret and the MD5 challenge key.
_SECRET_KEYS = frozenset({"secret", "key"})


def fail_future(future: asyncio.Future[Any], error: BaseException) -> None:
    """Fail `future` unless it is already done.

    The exception is marked as retrieved: if the awaiting task was cancelled at the same
    moment, nobody will read it, and asyncio would log "exception was never retrieved".
    """
    if not future.done():
        future.set_exception(error)
        future.exception()


def redacted(name: str, fields: Fields | None) -> str:
    """`Action: name` and its fields for a DEBUG log line, secrets and callers masked."""
    pairs = fields.items() if isinstance(fields, Mapping) else (fields or ())
    shown = [f"{key}: {_field_for_log(key, value)}" for key, value in pairs]
    return " | ".join([f"Action: {name}", *shown])


def _field_for_log(key: str, value: object) -> object:
    if key.lower() in _SECRET_KEYS:
        return "***"
    return masked(str(value)) if key.lower() in _PERSONAL_FIELDS else value


class EventList:
    """Collects the events answering one list action, up to `EventList: Complete`."""

    def __init__(self, name: str, future: asyncio.Future[tuple[Message, list[Message]]]) -> None:
        self.name = name
        self.items: list[Message] = []
        self._future = future
        self._response: Message | None = None
        self._complete = False

    def on_response(self, response: Message) -> None:
        if response.is_error:
            reason = response.get("Message", "")
            fail_future(self._future, AmiActionError(response, f"{self.name} failed: {reason}"))
            return
        self._response = response
        if (response.get("EventList") or "").lower() != "start":
            self._complete = True
        self._finish()

    def on_event(self, event: Message) -> None:
        if (event.get("EventList") or "").lower() == "complete":
            self._complete = True
            self._finish()
        else:
            self.items.append(event)

    def fail(self, error: AmiConnectionError) -> None:
        fail_future(self._future, error)

    def _finish(self) -> None:
        if self._complete and self._response is not None and not self._future.done():
            self._future.set_result((self._response, self.items))


_DIGIT = re.compile(r"^(Digit|DTMF|Keys?):[^\r\n]*", re.MULTILINE | re.IGNORECASE)
# Who calls (numbers and names, of both legs) and what they dialled: personal data, which a
# DEBUG log (often shipped to a log platform) must not collect.
_PERSON_KEYS = r"(?:Dest)?(?:CallerIDNum|CallerIDName|ConnectedLineNum|ConnectedLineName)"
_PERSONAL = re.compile(
    rf"^({_PERSON_KEYS}|CallerID|(?:Dest)?Exten):[ \t]*([^\r\n]*)", re.MULTILINE | re.IGNORECASE
)
_PERSONAL_FIELDS = frozenset({"callerid", "exten", "calleridnum", "calleridname"})
_NOT_PERSONAL = frozenset({"", "<unknown>", "s"})


def masked(value: str) -> str:
    """A caller's number or name for a log: its last two digits at most (enough to tell two
    calls apart while reading a trace), the rest starred."""
    if value in _NOT_PERSONAL:
        return value
    tail = value[-2:] if len(value) > 4 and value[-2:].isdigit() else ""
    return "***" + tail


def hide_digits(frame: str) -> str:
    """A frame for a DEBUG log line, with the keys pressed hidden (a caller may be typing card
    digits, which must never reach a log) and callers' numbers and names masked."""
    frame = _DIGIT.sub(lambda m: f"{m.group(1)}: ***", frame)
    return _PERSONAL.sub(lambda m: f"{m.group(1)}: {masked(m.group(2))}", frame)
