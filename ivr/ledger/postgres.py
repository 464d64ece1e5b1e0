"""`PgLedger`: the consent ledger in PostgreSQL, shared by the services of several sites.

Same statements, same guarantees as the SQLite `Ledger` (it is a subclass): each write method
is one transaction, committed (``synchronous_commit`` on, the server's default) before it
returns; `batch` is one transaction with a savepoint per write. What differs is the
connection: it names the site (every call and event row records it), reads take one
``REPEATABLE READ`` snapshot, and a lost connection raises `LedgerUnavailableError` and is made
again on the next call, so a restarted database is picked up without restarting the service; a
connection a restart cut while idle is replaced as the next transaction begins
(`KeptConnection`), so that call is served rather than failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from ivr.ledger import pg_batch
from ivr.ledger.codec import encode_time
from ivr.ledger.db import Db
from ivr.ledger.errors import LedgerError, LedgerUnavailableError, LedgerUnreadableError
from ivr.ledger.health import StoreHealth
from ivr.ledger.pg_schema import CURRENT_VERSION, migrate, version_of
from ivr.ledger.sqlite import Ledger
from ivr.ledger.store import LedgerStore
from ivr.store import postgres
from ivr.store.kept import KeptConnection, is_cut
from ivr.store.url import StoreUrl

log = logging.getLogger(__name__)
WRITE_LOCK = 0x1E_D6E7  # pg_advisory_xact_lock key: one ledger writer at a time, every site
_BEGIN = {
    "BEGIN IMMEDIATE": "BEGIN",
    "BEGIN": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
}


class PgLedger(Ledger):
    """The PostgreSQL `LedgerStore`; make one with `PgLedger.open`, use it from one thread."""

    def __init__(self, db: postgres.PgDb, url: StoreUrl, site: str) -> None:
        super().__init__(db, Path(url.shown))
        self.health = StoreHealth("postgresql")
        self._url, self._site = url, site
        self._kept: KeptConnection | None = KeptConnection(url, site=site, db=db)

    @classmethod
    def open_url(cls, url: StoreUrl, *, site: str, read_only: bool = False) -> Self:
        """Connect, and migrate the schema unless ``read_only`` (which needs it current)."""
        db = _connect(url, site)
        try:
            if read_only:
                _check_current(db, url.shown)
            else:
                migrate(db, url.shown)
        except postgres.errors() as exc:
            db.connection.close()
            raise LedgerUnreadableError(f"{url.shown}: not a usable ivr ledger: {exc}") from exc
        except BaseException:
            db.connection.close()
            raise
        return cls(db, url, site)

    @property
    def location(self) -> str:
        return self._url.shown

    @property
    def site(self) -> str:
        return self._site

    def batch(self, writes: Sequence[Callable[[LedgerStore], object]]) -> list[object]:
        """As `Ledger.batch`, in a few round trips for the whole batch (`pg_batch`) when every
        write is a start, an event or a decision (the service's writes); otherwise optimistic
        statement by statement. Either way, when a write is refused the transaction is rolled
        back and the batch run again the careful way (a savepoint per write)."""
        try:
            ops = pg_batch.plan(writes)
        except pg_batch.Unplannable:
            return self._one_by_one(writes)
        try:
            db = self._pgdb()
            with self._mapped_errors(db):
                try:
                    return pg_batch.write(db.connection, ops, WRITE_LOCK)  # BEGIN to COMMIT
                except BaseException:
                    _rollback(db)
                    raise
        except LedgerUnavailableError:
            raise
        except (LedgerError, ValueError):
            return super().batch(writes)

    def _one_by_one(self, writes: Sequence[Callable[[LedgerStore], object]]) -> list[object]:
        """Without a savepoint per write (three round trips fewer each): nearly every batch is
        all good; only when one is refused is it run again the careful way."""
        try:
            with self._write() as _:
                self._batching = True
                try:
                    return [write(self) for write in writes]
                finally:
                    self._batching = False
        except LedgerUnavailableError:
            raise
        except (LedgerError, ValueError):
            return super().batch(writes)

    def ping(self) -> None:
        """Raise `LedgerUnavailableError` unless the database answers now."""
        with self._transaction("BEGIN") as db:
            db.execute("SELECT 1")

    def apply_once(self, token: str, writes: Sequence[Callable[[LedgerStore], object]]) -> bool:
        """Run ``writes`` in one transaction with the row saying ``token`` was applied; False
        (nothing run) if it already was. A write refused alone is logged, the others kept."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM spool_replays WHERE id = ?", (token,)).fetchone():
                return False
            self._batching = True
            try:
                for write in writes:
                    result = self._savepoint(db, write)
                    if isinstance(result, Exception):
                        log.error("%s: a spooled row was refused: %s", self.location, result)
            finally:
                self._batching = False
            db.execute(
                "INSERT INTO spool_replays (id, at) VALUES (?, ?)",
                (token, encode_time(datetime.now(UTC))),
            )
        return True

    def pragmas(self) -> dict[str, object]:
        row = self._pgdb().execute("SHOW synchronous_commit").fetchone()
        return {"synchronous_commit": row[0]}

    def close(self) -> None:
        if self._kept is not None:
            self._kept.drop()
            self._kept = None
        self._db = None

    def _forget_old_pages(self) -> None:
        """Removed personal data must not linger in dead row versions: vacuum them away (not
        inside a batch's transaction, where VACUUM cannot run; the next purge does it)."""
        if not self._batching:
            self._pgdb().execute("VACUUM calls, events")

    def _pgdb(self) -> postgres.PgDb:
        """The kept connection, made again if it was lost (not for use inside a transaction:
        there `_connection` gives the transaction's own)."""
        try:
            db = self._kept_connection().db
        except postgres.errors() as exc:
            raise LedgerUnavailableError(f"{self.location}: unreachable: {exc}") from exc
        self._db = db
        return db

    def _kept_connection(self) -> KeptConnection:
        if self._kept is None:
            raise LedgerError(f"{self.location}: the ledger is closed")
        return self._kept

    def _begun(self, statement: str) -> postgres.PgDb:
        """A transaction begun; a connection a restart cut is replaced here, so the first read
        or write after a restart is served rather than failed (`KeptConnection.begin`)."""
        kept = self._kept_connection()
        try:
            db = kept.begin(statement)
        except postgres.errors() as exc:
            kept.drop()
            raise LedgerUnavailableError(f"{self.location}: unreachable: {exc}") from exc
        self._db = db  # the connection a batch's writes run on (`_connection`)
        return db

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Db]:
        db = self._begun(_BEGIN[begin])
        with self._mapped_errors(db):
            if begin == "BEGIN IMMEDIATE":  # as SQLite's write lock: the event chain's head
                db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                raise

    @contextmanager
    def _mapped_errors(self, db: postgres.PgDb) -> Iterator[None]:
        """The driver's errors as the ledger's: a lost link makes the store unavailable (the
        connection is made again on the next call), anything else refuses the write."""
        try:
            yield
        except postgres.errors() as exc:
            if postgres.is_connection_lost(exc) or db.connection.closed:
                db.connection.close()
                raise LedgerUnavailableError(f"{self.location}: {exc}") from exc
            raise LedgerError(f"{self.location}: {exc}") from exc


def _connect(url: StoreUrl, site: str) -> postgres.PgDb:
    try:
        return postgres.PgDb(postgres.connect(url, site=site))
    except postgres.errors() as exc:
        raise LedgerUnavailableError(f"{url.shown}: cannot connect: {exc}") from exc


def _rollback(db: postgres.PgDb) -> None:
    connection: Any = db.connection
    if not is_cut(db) and connection.info.transaction_status != 0:  # 0: idle
        db.execute("ROLLBACK")


def _check_current(db: postgres.PgDb, location: str) -> None:
    version = version_of(db, location)
    if version != CURRENT_VERSION:
        raise LedgerUnreadableError(
            f"{location}: ledger schema version {version}, this ivr reads {CURRENT_VERSION}: "
            "run `ivr store migrate`"
        )
