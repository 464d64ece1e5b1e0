"""The service's task that brings a lost store back: every `HEAL_EVERY` seconds, while the
store cannot be reached or rows wait in the spool, try again (the spool is written then,
even when no call is writing)."""

from __future__ import annotations

import asyncio
import logging

from ivr.ledger.aio import AsyncLedger

log = logging.getLogger(__name__)
HEAL_EVERY = 0.5


async def heal_store(ledger: AsyncLedger, every: float = HEAL_EVERY) -> None:
    while True:
        await asyncio.sleep(every)
        if ledger.health.reachable and not ledger.health.spooled_rows:
            continue
        try:
            await ledger.heal()
        except Exception:  # a bug must not end the task: the next round tries again
            log.exception("%s: reaching the store again failed", ledger.location)
