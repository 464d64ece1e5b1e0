"""Kept recordings still in the clear are encrypted again, until they are not.

A recording whose encryption failed at the end of its call is kept (the ledger's row and an
error event say so) rather than lost or hidden; this task, started by the service, looks every
`every` seconds (and at start-up) for the plain files the ledger keeps, encrypts them and logs
`recording-encrypted` on the call. The plain files of calls in progress are not the ledger's
yet, and are left to the call.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ivr.clock import Clock
from ivr.crypto import CryptoError, Keyring, encrypt_recording
from ivr.ledger.aio import AsyncLedger
from ivr.names import EventKind, Source
from ivr.recordings.entries import Form, recording_entries

log = logging.getLogger(__name__)

EVERY_SECONDS = 60.0


class EncryptionRetry:
    def __init__(
        self,
        folder: Path,
        ledger: AsyncLedger,
        keyring: Keyring,
        clock: Clock,
        every: float = EVERY_SECONDS,
    ) -> None:
        self.folder = folder
        self.ledger = ledger
        self.keyring = keyring
        self.clock = clock
        self.every = every

    async def run_once(self) -> list[str]:
        """Encrypt every kept plain recording; the call ids encrypted now."""
        key = self.keyring.current
        if key is None:
            return []
        done = []
        for entry in await asyncio.to_thread(recording_entries, self.folder):
            if entry.form is not Form.PLAIN:
                continue
            if not entry.accounted_by(await self.ledger.get_recording(entry.call_id)):
                continue
            try:
                path = await asyncio.to_thread(encrypt_recording, self.folder / entry.name, key)
            except CryptoError as exc:
                log.warning("call %s: recording still not encrypted: %s", entry.call_id, exc)
                continue
            await self.ledger.add_event(
                entry.call_id,
                at=self.clock(),
                kind=EventKind.RECORDING_ENCRYPTED,
                source=Source.SERVICE,
                detail={"file": path.name},
            )
            log.info("call %s: recording encrypted after the call", entry.call_id)
            done.append(entry.call_id)
        return done

    async def run(self) -> None:
        """Until cancelled: a pass now, then one every `every` seconds."""
        while True:
            try:
                await self.run_once()
            except Exception:  # a bad pass must not end the retries
                log.exception("encryption retry failed; next pass in %.0f s", self.every)
            await asyncio.sleep(self.every)
