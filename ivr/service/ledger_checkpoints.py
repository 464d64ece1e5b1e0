"""The ledger's chain head signed like the audit log's, with the same key and to the same
sinks ([audit] checkpoint_*), as chain "ledger": every ``every_seconds`` and at shutdown.
`ivr ledger verify` then finds a ledger rewritten behind a signed head."""

from __future__ import annotations

import asyncio
import logging

from ivr.audit.sinks import CheckpointWriter
from ivr.config.audit import CheckpointSettings
from ivr.ledger.aio import AsyncLedger

log = logging.getLogger(__name__)


class LedgerCheckpoints:
    def __init__(self, settings: CheckpointSettings, ledger: AsyncLedger) -> None:
        self.writer = CheckpointWriter(settings, chain="ledger")
        self.ledger = ledger
        self.every = settings.every_seconds

    async def sign_now(self) -> bool:
        """Sign the ledger's head if it moved since the last checkpoint."""
        head = await self.ledger.chain_head()
        return head is not None and await asyncio.to_thread(self.writer.flush, head)

    async def run(self) -> None:
        """Until cancelled (the service signs a last time once its calls are drained)."""
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.sign_now()
            except Exception:  # a sink down must not stop the next attempts
                log.exception("ledger checkpoint failed; retried in %.0f s", self.every)
