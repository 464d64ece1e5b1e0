"""``ivr store migrate``: bring the shared store's schemas (ledger, audit log) to this version.

Services migrate on start too (under an advisory lock, so several sites starting together are
safe); the command lets an administrator do it before rolling a new version out, and tells
which version the store was at.
"""

from __future__ import annotations

from ivr.audit.postgres import migrate as migrate_audit
from ivr.ledger.errors import LedgerUnreadableError
from ivr.ledger.pg_schema import CURRENT_VERSION
from ivr.ledger.pg_schema import migrate as migrate_ledger
from ivr.store import postgres
from ivr.store.url import StoreUrl


def migrate_store(url: StoreUrl, *, site: str) -> dict[str, object]:
    try:
        connection = postgres.connect(url, site=site)
    except postgres.errors() as exc:
        raise LedgerUnreadableError(f"{url.shown}: cannot connect: {exc}") from exc
    with connection:
        db = postgres.PgDb(connection)
        before = migrate_ledger(db, url.shown)
        migrate_audit(db)
    return {"store": url.shown, "ledger_version_before": before, "ledger_version": CURRENT_VERSION}
