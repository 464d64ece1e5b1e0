"""The one place that picks the backend: the SQLite files, or the PostgreSQL store that
``[store] url`` names. Call sites ask for the ledger or the audit log of their settings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from ivr.audit.chain import Row
from ivr.audit.log import AuditLog
from ivr.config.model import Settings
from ivr.config.store import StoreSettings, default_site
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.sqlite import Ledger
from ivr.ledger.store import LedgerStore
from ivr.store.url import StoreUrl, is_store_url

Location = Path | StoreUrl


def location(text: str | Path) -> Location:
    """A path, or a store URL if the text is one (command-line options take either)."""
    return StoreUrl.parse(str(text)) if is_store_url(str(text)) else Path(text)


def ledger_location(settings: Settings) -> Location:
    return settings.store.url or settings.ledger.path


def audit_location(settings: Settings) -> Location:
    return settings.store.url or settings.compliance.audit_path


def open_ledger(where: Location, *, site: str | None = None, read_only: bool = False) -> Ledger:
    if isinstance(where, StoreUrl):
        from ivr.ledger.postgres import PgLedger  # psycopg only where a store URL is used

        return PgLedger.open_url(where, site=site or default_site(), read_only=read_only)
    return Ledger.open(where, read_only=read_only)


async def open_async_ledger(
    where: Location, *, site: str | None = None, read_only: bool = False
) -> AsyncLedger:
    """The ledger on its worker thread (the group commit and the kept connection are the
    same for both backends)."""
    return await AsyncLedger.start(
        functools.partial(open_ledger, where, site=site, read_only=read_only)
    )


async def settings_ledger(settings: Settings) -> AsyncLedger:
    """The service's ledger: the SQLite file, or the shared store with its local spool."""
    store = settings.store
    if store.url is None:
        return await open_async_ledger(settings.ledger.path)
    url = store.url
    spool = store.spool or settings.ledger.path.with_name("store-spool.sqlite3")

    def spooled() -> LedgerStore:
        from ivr.ledger.postgres import PgLedger
        from ivr.store.spool import SpooledLedger

        return SpooledLedger(PgLedger.open_url(url, site=store.site), spool)

    return await AsyncLedger.start(spooled)


def open_audit(
    where: Location,
    *,
    site: str | None = None,
    on_append: Callable[[Row], None] | None = None,
) -> AuditLog:
    if isinstance(where, StoreUrl):
        from ivr.audit.postgres import PgAuditLog

        return PgAuditLog(where, site=site or default_site(), on_append=on_append)
    return AuditLog(where, on_append=on_append)


def settings_audit(settings: Settings, on_append: Callable[[Row], None] | None = None) -> AuditLog:
    return open_audit(audit_location(settings), site=settings.store.site, on_append=on_append)


def store_of(settings: Settings) -> StoreSettings:
    return settings.store
