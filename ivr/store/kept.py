"""`KeptConnection`: a store's one long-lived PostgreSQL connection, replaced when it was cut.

A restarted server cuts every idle connection, and psycopg only finds out when the connection
is next used. The one moment a cut connection can be replaced without changing what happens is
when a transaction begins: nothing has been sent on it yet, so running that first statement
again on a new connection is the same as running it once. `begin` does exactly that, once;
anywhere later in a transaction a lost connection stays an error for the store to report (the
ledger spools its writes, the guard refuses, the audit log fails the append), because a
transaction that already wrote is never replayed here. The ledger, the audit log and the
outbound store share this class: each maps the driver's errors it raises to its own.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.store import postgres
from ivr.store.url import StoreUrl


def _nothing(db: postgres.PgDb) -> None:
    pass


class KeptConnection:
    """Not thread-safe: its store serialises its users (a lock, or one worker thread)."""

    def __init__(
        self,
        url: StoreUrl,
        *,
        site: str,
        prepare: Callable[[postgres.PgDb], None] = _nothing,
        db: postgres.PgDb | None = None,
    ) -> None:
        self.url, self.site = url, site
        self._prepare = prepare  # run on each new connection before its first use (a schema)
        self._db = db

    @property
    def db(self) -> postgres.PgDb:
        """The kept connection; a new one if there is none or it is known to be cut (raises the
        driver's error if the server cannot be reached)."""
        if self._db is None or is_cut(self._db):
            self.drop()
            self._db = self._open()
        return self._db

    def begin(self, statement: str = "BEGIN") -> postgres.PgDb:
        """Run a transaction's first ``statement``; the connection that runs it. A connection
        that this statement finds cut is replaced, and the statement run again, once."""
        db = self.db
        fresh = _idle(db)  # nothing open on it: the statement may be run again elsewhere
        try:
            db.execute(statement)
            return db
        except postgres.errors() as exc:
            if not (fresh and postgres.is_connection_lost(exc)):
                raise
            self.drop()
        db = self.db
        db.execute(statement)
        return db

    def drop(self) -> None:
        """Close and forget the connection (the next use makes a new one)."""
        if self._db is not None:
            self._db.connection.close()
            self._db = None

    def _open(self) -> postgres.PgDb:
        db = postgres.PgDb(postgres.connect(self.url, site=self.site))
        try:
            self._prepare(db)
        except BaseException:
            db.connection.close()
            raise
        return db


def is_cut(db: postgres.PgDb) -> bool:
    """psycopg already knows this connection is unusable (closed, or lost mid-statement)."""
    return bool(db.connection.closed or db.connection.broken)


def _idle(db: postgres.PgDb) -> bool:
    from psycopg.pq import TransactionStatus

    return bool(db.connection.info.transaction_status == TransactionStatus.IDLE)
