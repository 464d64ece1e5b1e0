"""Which site (PBX) each call came from, for the outcomes page.

With the SQLite files a service is one site: every call is this service's ([store] site). With
the shared PostgreSQL store, the ledger's calls table names the site that wrote each call; it
is read here on a connection of its own, in a READ ONLY transaction, in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from ivr.config.model import Settings
from ivr.ledger.model import CallSummary
from ivr.store import postgres

log = logging.getLogger(__name__)

UNKNOWN = "-"
SiteOf = Callable[[CallSummary], str]


async def site_finder(settings: Settings, calls: Sequence[CallSummary]) -> SiteOf:
    store = settings.store
    if store.url is None:
        return lambda call: store.site
    url = store.url

    def read() -> dict[str, str]:
        with postgres.connect(url, site=store.site) as conn:
            conn.execute("BEGIN READ ONLY")
            try:
                rows = conn.execute(
                    "SELECT call_id, site FROM calls WHERE call_id = ANY(%s)",
                    ([call.call_id for call in calls],),
                ).fetchall()
            finally:
                conn.execute("ROLLBACK")
        return {call_id: site or UNKNOWN for call_id, site in rows}

    try:
        sites = await asyncio.to_thread(read)
    except postgres.errors():
        log.exception("outcomes: the calls' sites cannot be read from %s", url.shown)
        return lambda call: UNKNOWN
    return lambda call: sites.get(call.call_id, UNKNOWN)
