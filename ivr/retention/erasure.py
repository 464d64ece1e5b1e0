"""Erasure on request (GDPR art. 17): a caller's recordings and personal data are deleted; the
proof kept is a keyed hash of the number (HMAC-SHA256 with the configured secret), the time,
the counts, who asked and why: enough to show the request was honoured, and to recognise the
same number if asked again, without keeping the number.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import datetime
from pathlib import Path

from ivr.config.secret import Secret
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.privacy import ErasureProof, normalise_number
from ivr.retention.files import delete_recording


class ErasureError(Exception):
    """The erasure cannot run (no secret configured, no number given)."""


def subject_hash(secret: Secret, number: str) -> str:
    normalised = normalise_number(number).encode("utf-8", "surrogateescape")
    return hmac.new(secret.reveal().encode(), normalised, hashlib.sha256).hexdigest()


async def erase_caller(
    ledger: AsyncLedger,
    secret: Secret | None,
    folder: Path,
    number: str,
    *,
    at: datetime,
    requested_by: str,
    reason: str,
) -> ErasureProof:
    if secret is None:
        raise ErasureError("erasure needs [erasure] secret or secret_file in the configuration")
    if not normalise_number(number):
        raise ErasureError("give the caller's number")
    calls = await ledger.calls_of_caller(number)
    recordings = 0
    for call_id in calls:
        stored = await ledger.get_recording(call_id)
        if stored is None or stored.deleted_at is not None:
            continue
        await asyncio.to_thread(delete_recording, stored.path, folder)
        await ledger.mark_recording_deleted(call_id, at=at, why="erasure")
        recordings += 1
    await ledger.redact_calls(calls, at=at, why="erasure")
    proof = ErasureProof(
        0, at, subject_hash(secret, number), len(calls), recordings, requested_by, reason
    )
    seq = await ledger.record_erasure(proof)
    return ErasureProof(seq, at, proof.subject, len(calls), recordings, requested_by, reason)
