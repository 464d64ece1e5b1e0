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
    """`Action: name` and its fields for a DEBUG log line, secrets masked."""
    pairs = fields.items() if isinstance(fields, Mapping) else (fields or ())
    shown = [f"{key}: {'***' if key.lower() in _SECRET_KEYS else value}" for key, value in pairs]
    return " | ".join([f"Action: {name}", *shown])


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


def hide_digits(frame: str) -> str:
    """A frame for a DEBUG log line, with the keys pressed hidden: a caller may be typing card
    digits, which must never reach a log."""
    return _DIGIT.sub(lambda m: f"{m.group(1)}: ***", frame)
