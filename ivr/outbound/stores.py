"""The outbound store the settings name: the SQLite file ([outbound] store), or the shared
PostgreSQL store when [store] url is set (one cap for every site)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ivr.config.store import StoreSettings
from ivr.outbound.postgres import OutboundStoreUnavailable, PgOutboundStore
from ivr.outbound.store import SqliteOutboundStore

AnyOutboundStore = SqliteOutboundStore | PgOutboundStore
# What a store raises when it cannot answer: the guard then decides nothing (fail closed).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, OutboundStoreUnavailable)


def open_outbound_store(
    store: StoreSettings, path: Path, *, checkpoint_every: float | None = None
) -> AnyOutboundStore:
    if store.url is not None:
        return PgOutboundStore(store.url, site=store.site)
    return SqliteOutboundStore(path, checkpoint_every=checkpoint_every)
