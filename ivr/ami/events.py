"""Event delivery: `Subscription` (buffered, awaitable) and `EventMatch` (a readable predicate)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from ivr.ami.errors import AmiConnectionError, AmiError, AmiTimeout
from ivr.ami.message import Message

Predicate = Callable[[Message], bool]
DEFAULT_BUFFER = 100_000


@dataclass(frozen=True)
class EventMatch:
    """Predicate matching an event by name and by exact header values.

    `EventMatch("DTMFEnd", {"Digit": "5"})` reads well in a timeout message, which a lambda
    does not.
    """

    name: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, message: Message) -> bool:
        if self.name is not None and message.name != self.name:
            return False
        return all(message.get(key) == value for key, value in self.headers.items())

    def __str__(self) -> str:
        wanted = ", ".join(f"{key}={value!r}" for key, value in self.headers.items())
        event = self.name or "any event"
        return f"{event} with {wanted}" if wanted else event


def describe(predicate: Predicate | None) -> str:
    """A human name for a predicate, for error messages."""
    if predicate is None:
        return "any event"
    if isinstance(predicate, EventMatch):
        return str(predicate)
    return getattr(predicate, "__qualname__", repr(predicate))


class Subscription:
    """Every event matching `predicate` from the moment of creation, in order.

    The buffer is bounded: past `maxlen` the oldest event is dropped and counted in `dropped`,
    so a forgotten subscription costs memory, never the connection. Consume it with
    `async for`, or pick single events with `wait_for`. When the link is lost, what is already
    buffered can still be read; after that, AmiConnectionError.
    """

    def __init__(
        self,
        predicate: Predicate | None,
        detach: Callable[[Subscription], None],
        maxlen: int = DEFAULT_BUFFER,
    ) -> None:
        self.predicate = predicate
        self.dropped = 0
        self._maxlen = maxlen
        self._buffer: deque[Message] = deque(maxlen=maxlen)
        self._appended = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._detach = detach
        self._error: AmiConnectionError | None = None
        self._closed = False

    def offer(self, message: Message) -> None:
        """Called by the client for every event."""
        if self.predicate is not None and not self.predicate(message):
            return
        if len(self._buffer) == self._maxlen:
            self.dropped += 1
        self._buffer.append(message)
        self._appended += 1
        if self._waiters:
            self._wake()

    def close(self, error: AmiConnectionError | None = None) -> None:
        """Stop receiving; waiters raise `error` (link lost) or stop (unsubscribed)."""
        self._closed = True
        self._error = self._error or error
        self._wake()

    def unsubscribe(self) -> None:
        self._detach(self)
        self.close()

    def __len__(self) -> int:
        return len(self._buffer)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.unsubscribe()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        while not self._buffer:
            if self._closed:
                self._raise_if_lost()
                raise StopAsyncIteration
            await self._wait()
        return self._buffer.popleft()

    async def wait_for(
        self, predicate: Predicate | None = None, timeout: float = 5.0, *, what: str | None = None
    ) -> Message:
        """Take the first buffered or future event matching `predicate` out of the buffer.

        Other events stay buffered. Raise AmiTimeout naming `what` (or the predicate).
        """
        try:
            async with asyncio.timeout(timeout):
                return await self._take(predicate)
        except AmiError:
            raise
        except TimeoutError:
            raise AmiTimeout(f"waiting for {what or describe(predicate)}", timeout) from None

    async def _take(self, predicate: Predicate | None) -> Message:
        unseen = len(self._buffer)
        while True:
            found = self._search(predicate, unseen)
            if found is not None:
                return found
            if self._closed:
                self._raise_if_lost()
                raise AmiError("the subscription was closed")
            seen = self._appended
            await self._wait()
            unseen = self._appended - seen

    def _search(self, predicate: Predicate | None, unseen: int) -> Message | None:
        """Look at the `unseen` newest events only: older ones were checked already."""
        buffer = self._buffer
        for index in range(max(0, len(buffer) - unseen), len(buffer)):
            message = buffer[index]
            if predicate is None or predicate(message):
                del buffer[index]
                return message
        return None

    async def _wait(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def _raise_if_lost(self) -> None:
        if self._error is not None:
            raise AmiConnectionError(str(self._error)) from self._error
