"""`PgAuditLog`: the audit log in the shared PostgreSQL store, one chain for every site.

Several services (one per site) and the CLI append at once; the chain stays one line because
each append takes a transaction-level advisory lock before it reads the head, so appends are
serialised by the database, not by a process. Every row names its site (``site``, hashed with
the row: moving a row to another site breaks the chain); `verify` reads the whole store.
A connection a restart cut is replaced when the next transaction begins (`KeptConnection`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ivr.audit import retention
from ivr.audit.chain import Row
from ivr.audit.log import SELECT_WITH_SITE, AuditError, AuditLog
from ivr.ledger.db import Db
from ivr.store import postgres
from ivr.store.kept import KeptConnection, is_cut
from ivr.store.url import StoreUrl

FETCH_ROWS = 20_000  # rows per round trip when the whole chain is read (verify)
APPEND_LOCK = 0x1A_0D17  # pg_advisory_xact_lock key: one appender at a time, every site
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit (
        seq       BIGINT PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        role      TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT NOT NULL,
        reason    TEXT NOT NULL,
        origin    TEXT NOT NULL,
        outcome   TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL,
        site      TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS audit_by_site ON audit (site, seq)",
    retention.ANCHOR_SCHEMA,
)
_WRITE = "BEGIN"
# One snapshot for the whole read; not READ ONLY: `retention.read_anchor` makes its table.
_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ"


class PgAuditLog(AuditLog):
    def __init__(
        self, url: StoreUrl, *, site: str, on_append: Callable[[Row], None] | None = None
    ) -> None:
        super().__init__(url.shown, on_append=on_append)
        self.url = url
        self.site = site
        # Each new connection (the first, or one replacing a connection a restart cut) first
        # creates the tables if missing.
        self._kept = KeptConnection(url, site=site, prepare=migrate)
        self._pg_lock = threading.Lock()

    @property
    def location(self) -> str:
        return self.url.shown

    def exists(self) -> bool:
        return True

    def close(self) -> None:
        with self._pg_lock:
            self._kept.drop()

    def _select(self) -> str:
        return SELECT_WITH_SITE

    def _stream(self, db: Db, query: str) -> Iterator[tuple[object, ...]]:
        """The query's rows through a server-side cursor, `FETCH_ROWS` at a time: memory stays
        flat however long the chain, and `_connect`'s snapshot holds for the whole read."""
        assert isinstance(db, postgres.PgDb)
        with db.connection.cursor(name="ivr_audit_read") as cursor:
            cursor.execute(query)
            while rows := cursor.fetchmany(FETCH_ROWS):
                yield from rows

    def _begin_append(self, db: Db) -> None:
        db.execute("SELECT pg_advisory_xact_lock(?)", (APPEND_LOCK,))  # `_connect` began

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[Db]:
        """A transaction begun on the kept connection (a write's, or a read's snapshot); a
        connection a restart cut is replaced as it begins (`KeptConnection.begin`)."""
        with self._pg_lock:
            db = self._begin(_WRITE if create else _READ)
            try:
                yield db
                if _in_transaction(db):
                    db.execute("ROLLBACK")  # a read, or a caller that returned early
            except postgres.errors() as exc:
                if postgres.is_connection_lost(exc):
                    self._kept.drop()  # the next transaction begins on a new one
                else:
                    _rollback_quietly(db)
                raise AuditError(f"{self.location}: {exc}") from exc
            except BaseException:
                _rollback_quietly(db)
                raise

    def _begin(self, statement: str) -> postgres.PgDb:
        try:
            return self._kept.begin(statement)
        except postgres.errors() as exc:
            self._kept.drop()
            raise AuditError(f"{self.location}: cannot open the audit log: {exc}") from exc


def migrate(db: Db) -> None:
    """Create the audit tables if missing, once even with several sites starting together."""
    db.execute("BEGIN")
    try:
        db.execute("SELECT pg_advisory_xact_lock(?)", (APPEND_LOCK,))
        for statement in SCHEMA:
            db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        _rollback_quietly(db)
        raise


def _in_transaction(db: Db) -> bool:
    connection: Any = getattr(db, "connection", None)
    return connection is not None and connection.info.transaction_status != 0


def _rollback_quietly(db: Db) -> None:
    if isinstance(db, postgres.PgDb) and not is_cut(db) and _in_transaction(db):
        db.execute("ROLLBACK")
