"""A consumer's erasure request (GDPR art. 17) applied to the outbound store.

What goes and what stays, and why (docs/outbound.md, "Erasure"):
- attempts and guard decisions are deleted: personal data no rule needs once the number is
  opposed (the cap and the log only matter for a number that may still be called);
- the number enters the internal opposition list and stays there: deleting it would let the
  next campaign call the person who asked to be forgotten (art. 17(3)(b), art. 21(3); the
  CNIL's "liste repoussoir"); the refusal row says it came from an erasure request and when;
- consents are revoked (art. 17(1)(b)) but their proof (date, source, wording) is kept: it is
  the defence of calls already made (art. 17(3)(e)).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ivr.config.model import Settings
from ivr.outbound.config import load_outbound
from ivr.outbound.service import Outbound, OutboundInputError
from ivr.outbound.stores import open_outbound_store


def erase_outbound(
    settings: Settings, number: str, at: datetime, requested_by: str
) -> dict[str, Any]:
    """What the erasure did to the outbound store (JSON for the proof's answer)."""
    outbound = load_outbound(settings)
    if settings.store.url is None and not outbound.store.exists():
        return {"store": False}
    store = open_outbound_store(settings.store, outbound.store)
    try:
        try:
            e164 = Outbound(outbound, store).number(number)
        except OutboundInputError:  # not a phone number: the guard never saw it (the reason
            # would quote the number, and this answer goes to the audit log)
            return {"store": True, "skipped": "not a phone number"}
        erased = store.erase(e164, at, f"erasure request ({requested_by})")
    finally:
        store.close()
    if erased is None:  # never called nor consented: no canvassing data to keep or delete
        return {"store": True, "known": False}
    attempts, decisions = erased
    return {
        "known": True,
        "store": True,
        "opposed": True,
        "attempts_deleted": attempts,
        "decisions_deleted": decisions,
        "consents": "revoked, proof kept",
    }
