"""The service's task that brings a lost store back: every `HEAL_EVERY` seconds, while the
store cannot be reached or rows wait in the spool, try again (the spool is written then,
even when no call is writing). While all is well it still asks the store every
`CHECK_EVERY` seconds, so that /healthz and ``ivr_store_up`` see a store that went away
while nothing was writing to it or reading from it."""

from __future__ import annotations

import asyncio
import logging

from ivr.ledger.aio import AsyncLedger

log = logging.getLogger(__name__)
HEAL_EVERY = 0.5
CHECK_EVERY = 5.0


async def heal_store(
    ledger: AsyncLedger, every: float = HEAL_EVERY, check_every: float = CHECK_EVERY
) -> None:
    quiet = 0.0  # seconds since the store was last asked while all was well
    while True:
        await asyncio.sleep(every)
        if ledger.health.reachable and not ledger.health.spooled_rows:
            quiet += every
            if quiet < check_every:
                continue
        quiet = 0.0
        try:
            await ledger.heal()  # reachable: one round trip; lost, it is said in the health
        except Exception:  # a bug must not end the task: the next round tries again
            log.exception("%s: reaching the store again failed", ledger.location)
