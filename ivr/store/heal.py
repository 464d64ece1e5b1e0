"""The service's task that brings a lost shared store back.

While all is well it sleeps: a write that finds the store away rings its alarm
(`ivr.store.alarm`), and only then does the task try again every `HEAL_EVERY` seconds until
the store answers and the spool is written (even when no call is writing). One wake-up while
all is well: the store is asked every `CHECK_EVERY` seconds, so that /healthz and
``ivr_store_up`` see a store that went away while nothing was writing to it or reading from it.
A SQLite ledger is never lost: the task ends at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from ivr.ledger.health import StoreHealth
from ivr.store.alarm import SpoolHealth

log = logging.getLogger(__name__)
HEAL_EVERY = 0.5
CHECK_EVERY = 5.0
Sleep = Callable[[float], Awaitable[None]]


class Healable(Protocol):
    """What the task needs of the ledger (`ivr.ledger.aio.AsyncLedger`)."""

    @property
    def location(self) -> str: ...

    @property
    def health(self) -> StoreHealth: ...

    async def heal(self) -> bool: ...


async def heal_store(
    ledger: Healable,
    every: float = HEAL_EVERY,
    check_every: float = CHECK_EVERY,
    sleep: Sleep = asyncio.sleep,
) -> None:
    health = ledger.health
    if not isinstance(health, SpoolHealth):
        return
    while True:
        if _well(health):
            await health.lost.wait(check_every)  # rung by a loss, or the idle check is due
        else:
            await sleep(every)
        try:
            await ledger.heal()  # reachable: one round trip; lost, it is said in the health
        except Exception:  # a bug must not end the task: the next round tries again
            log.exception("%s: reaching the store again failed", ledger.location)


def _well(health: StoreHealth) -> bool:
    return health.reachable and not health.spooled_rows
