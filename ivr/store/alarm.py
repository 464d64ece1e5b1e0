"""How the shared store's heal task learns, without polling, that the store was lost.

The ledger's worker thread rings the alarm when a write (or a read) finds the database away;
the heal task, on the event loop, sleeps on it while all is well. A ring that comes before
anyone waits is kept, so a loss is never missed between two waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field

from ivr.ledger.health import StoreHealth


class StoreAlarm:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # ring() comes from the ledger's worker thread
        self._rung = False
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    def ring(self) -> None:
        with self._lock:
            self._rung = True
            waiter = self._waiter
        if waiter is not None:
            loop, event = waiter
            loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float) -> bool:
        """True once rung (at once if it was rung since the last wait), False after
        ``timeout`` seconds of silence."""
        event = asyncio.Event()
        with self._lock:
            if self._rung:
                self._rung = False
                return True
            self._waiter = (asyncio.get_running_loop(), event)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            with self._lock:
                self._waiter, rung, self._rung = None, self._rung, False
        return rung


@dataclass
class SpoolHealth(StoreHealth):
    """The shared store's health, with the alarm its losses ring."""

    lost: StoreAlarm = field(default_factory=StoreAlarm, repr=False, compare=False)
