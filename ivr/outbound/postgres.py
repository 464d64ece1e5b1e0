"""`PgOutboundStore`: the guard's facts in the shared PostgreSQL store, for every site.

The same tables, stored forms (times as epoch seconds) and statements as `SqliteOutboundStore`
(`OutboundSql`, through `PgDb`), plus the site on attempts, refusals and decisions; only the
dialect differences are written here: the transaction, the lock, bulk inserts, the list import.
The cap stays exact across sites by the database's own guarantee: `guard` takes a
transaction-level advisory lock on (professional, number) before it counts, so two services
deciding for the same consumer at the same instant are serialised by PostgreSQL (READ
COMMITTED: the second counts the first's committed attempt), while decisions for other numbers
run side by side. A lost connection is made again on the next call; while it cannot be, the
guard raises and the caller refuses (fail closed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import islice
from typing import Any

from ivr.outbound.store import Db, OutboundSql, now_text
from ivr.store import postgres
from ivr.store.kept import KeptConnection, is_cut
from ivr.store.url import StoreUrl

SITE = "TEXT NOT NULL DEFAULT coalesce(current_setting('ivr.site', true), '')"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbound_opposition (
        number TEXT NOT NULL, list TEXT NOT NULL, PRIMARY KEY (number, list))""",
    """CREATE TABLE IF NOT EXISTS outbound_lists (
        list TEXT PRIMARY KEY, screened_on TEXT, imported_at TEXT NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS outbound_attempts (
        professional TEXT NOT NULL, number TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
        campaign TEXT NOT NULL, site {SITE})""",
    """CREATE INDEX IF NOT EXISTS outbound_attempts_by_number
        ON outbound_attempts (number, professional, at)""",
    f"""CREATE TABLE IF NOT EXISTS outbound_refusals (
        professional TEXT NOT NULL, number TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
        who TEXT NOT NULL, site {SITE})""",
    """CREATE INDEX IF NOT EXISTS outbound_refusals_by_number
        ON outbound_refusals (number, professional, at)""",
    """CREATE TABLE IF NOT EXISTS outbound_consents (
        id BIGSERIAL PRIMARY KEY, number TEXT NOT NULL, kind TEXT NOT NULL,
        given_at DOUBLE PRECISION NOT NULL, source TEXT NOT NULL, wording TEXT NOT NULL,
        purpose TEXT NOT NULL, outside_hours BOOLEAN NOT NULL,
        revoked_at DOUBLE PRECISION, revoked_by TEXT)""",
    "CREATE INDEX IF NOT EXISTS outbound_consents_by_number ON outbound_consents (number)",
    f"""CREATE TABLE IF NOT EXISTS outbound_decisions (
        id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL, number TEXT NOT NULL,
        campaign TEXT NOT NULL, allowed BOOLEAN NOT NULL, rule TEXT, inputs TEXT NOT NULL,
        site {SITE})""",
    "CREATE INDEX IF NOT EXISTS outbound_decisions_by_at ON outbound_decisions (at)",
)
SCHEMA_LOCK = 0x0B_0D17  # advisory lock key: one site creates the tables
_BATCH = 50_000


class OutboundStoreUnavailable(Exception):
    """The shared store did not answer: nothing was decided nor recorded."""


class PgOutboundStore(OutboundSql):
    def __init__(self, url: StoreUrl, *, site: str) -> None:
        self.url, self.site = url, site
        self._lock = threading.Lock()  # one connection, shared by the service's threads
        self._kept = KeptConnection(url, site=site)
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            for statement in SCHEMA:
                db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._kept.drop()

    @contextmanager
    def _write(self) -> Iterator[postgres.PgDb]:
        with self._lock:
            db = self._begin()
            try:
                yield db
                db.execute("COMMIT")
            except postgres.errors() as exc:
                _abandon(db)
                raise OutboundStoreUnavailable(f"{self.url.shown}: {exc}") from exc
            except BaseException:
                _abandon(db)
                raise

    def _begin(self) -> postgres.PgDb:
        """A transaction begun; a connection a restart cut is replaced here (`KeptConnection`),
        so the first decision after a restart is made rather than refused."""
        try:
            return self._kept.begin()
        except postgres.errors() as exc:
            self._kept.drop()
            raise OutboundStoreUnavailable(f"{self.url.shown}: {exc}") from exc

    def _serialise(self, db: Db, professional: str, number: str) -> None:
        # A transaction-level advisory lock: every site's decision for this consumer of this
        # professional waits here, decisions for other numbers run side by side.
        db.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (f"{professional}\x1f{number}",)
        )

    def _insert_many(self, db: Db, sql: str, rows: list[tuple[Any, ...]]) -> None:
        assert isinstance(db, postgres.PgDb)
        with db.connection.cursor() as cursor:  # one round trip per batch, not per row
            cursor.executemany(postgres.translate(sql), rows)

    def import_opposition(self, name: str, screened_on: date | None, numbers: Iterable[str]) -> int:
        """Numbers are added, never removed (as in the SQLite store); batches of `_BATCH`."""
        added, rows = 0, iter(numbers)
        with self._write() as db:
            while batch := list(islice(rows, _BATCH)):
                added += db.execute(
                    "INSERT INTO outbound_opposition (number, list)"
                    " SELECT n, ? FROM unnest(?::text[]) AS n ORDER BY n ON CONFLICT DO NOTHING",
                    (name, batch),
                ).rowcount
            db.execute(
                "INSERT INTO outbound_lists VALUES (?, ?, ?) ON CONFLICT (list) DO UPDATE SET"
                " screened_on = GREATEST(outbound_lists.screened_on, excluded.screened_on),"
                " imported_at = excluded.imported_at",
                (name, None if screened_on is None else screened_on.isoformat(), now_text()),
            )
        return added


def _abandon(db: postgres.PgDb) -> None:
    """Roll back what the failed transaction did; a cut connection is closed (made anew on
    the next call)."""
    if is_cut(db):
        db.connection.close()
        return
    try:
        db.execute("ROLLBACK")
    except postgres.errors():
        db.connection.close()
