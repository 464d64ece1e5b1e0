"""Outbound data kept only as long as a rule needs it, and the art. 30 record's canvassing part.

Attempts and refusals are facts for the cap and the rest after a refusal: they go once older
than the longest of those windows (over every profile a campaign uses). The decisions log holds
numbers: it follows the ledger's personal-data retention. Consents stay: they are the proof a
call was lawful, and a revoked one proves the revocation was honoured.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ivr.config.model import Settings
from ivr.outbound.config import OutboundSettings, load_outbound
from ivr.outbound.stores import open_outbound_store


def longest_window_days(outbound: OutboundSettings) -> int:
    profiles = {campaign.profile.name: campaign.profile for campaign in outbound.campaigns.values()}
    return max((max(p.cap_days, p.rest_days) for p in profiles.values()), default=60)


def purge_outbound(settings: Settings, now: datetime) -> int:
    """Delete what no rule needs any more; returns how many rows went."""
    outbound = load_outbound(settings)
    if settings.store.url is None and not outbound.store.exists():
        return 0
    store = open_outbound_store(settings.store, outbound.store)
    try:
        facts_before = now - timedelta(days=longest_window_days(outbound))
        log_before = now - timedelta(days=settings.compliance.retention.default.data_days)
        return store.purge(facts_before, log_before)
    finally:
        store.close()


def canvassing_record(settings: Settings) -> dict[str, Any]:
    """The art. 30 record's section on outbound calls, from the configuration."""
    outbound = load_outbound(settings)
    return {
        "processing": "guard of outbound canvassing calls (opposition lists, consents, "
        "attempts, calling windows) and the called party's objection and stop keys",
        "campaigns": {
            name: {
                "profile": c.profile.name,
                "on_behalf_of": c.professional,
                "purpose": c.purpose,
                "opposition_lists": list(c.lists),
            }
            for name, c in outbound.campaigns.items()
        },
        "categories_of_personal_data": [
            "called numbers (E.164), call attempts and their times",
            "consents: date, source, wording, purpose, revocation",
            "refusals during a call and opposition lists (Bloctel screening results)",
        ],
        "retention": {
            "attempts_and_refusals_days": longest_window_days(outbound),
            "decisions_log_days": settings.compliance.retention.default.data_days,
            "consents": "kept as proof of a lawful call and of the revocation",
        },
        "erasure": "attempts and decisions deleted; the number kept opposed (internal list) "
        "and its consents revoked, their proof kept (docs/outbound.md, Erasure)",
        "store": str(outbound.store),
        "guard_unavailable": "calls placed and logged" if outbound.fail_open else "calls refused",
    }
