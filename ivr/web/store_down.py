"""Reads while the store is away: the API answers a 503 naming the store, the dashboard a page
with a banner, never a 500 with a stack trace.

The calls go on meanwhile (their rows wait in the spool, `ivr.store.spool`); ``/healthz`` and
``/metrics`` read the service's memory only, so they keep answering and say the store's state.
Nothing here retries: the next request reads again, and reads work by themselves once the
store is back (the ledger and the audit log reconnect on their next use).
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from ivr.audit import AuditError
from ivr.config.model import Settings
from ivr.ledger.errors import LedgerUnavailableError
from ivr.outbound.postgres import OutboundStoreUnavailable
from ivr.store.url import scrub
from ivr.web.context import SERVICE
from ivr.web.dashboard.paths import is_dashboard
from ivr.web.errors import error_response

log = logging.getLogger(__name__)

# What the stores raise when their database does not answer (not a bug: no stack trace).
STORE_DOWN: tuple[type[Exception], ...] = (
    LedgerUnavailableError,
    AuditError,
    OutboundStoreUnavailable,
)
RETRY_AFTER = 5  # seconds: what a client is told to wait before reading again


def explained(exc: Exception, settings: Settings) -> str | None:
    """The message: the store named, the driver's reason, never a password. None on the
    SQLite files: their failure is no outage that passes (a file made unwritable), a 500."""
    url = settings.store.url
    if url is None:
        return None
    return f"the shared store is unreachable: {scrub(' '.join(str(exc).split()), url)}"


@web.middleware
async def store_down(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except STORE_DOWN as exc:
        message = explained(exc, request.app[SERVICE].settings)
        if message is None:
            raise
        log.warning("%s %s: 503, %s", request.method, request.path, message)
        if is_dashboard(request.path):
            from ivr.web.dashboard.banner import store_down_page

            return store_down_page(request, message)
        response = error_response(503, "store-unreachable", message, {"retry_after": RETRY_AFTER})
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
