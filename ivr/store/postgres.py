"""The PostgreSQL connection: psycopg 3, one connection per writer, its site in a setting.

psycopg is imported here only, and lazily: a site on SQLite never loads it (nor needs libpq).
The ledger and the audit log keep one long-lived connection each (the ledger's on its worker
thread, whose group commit already turns many calls into one transaction); a pool would add
nothing for one writer per process. Each connection carries ``ivr.site`` (a custom setting,
read by the tables' column defaults), so every row names the site that wrote it without a
single statement changing.

`PgDb` gives a psycopg connection the shape of sqlite3's (``execute`` returning a cursor with
``rowcount`` and ``lastrowid``), so the ledger's statements are written once: `translate` turns
their few SQLite spellings into PostgreSQL's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ivr.store.url import StoreUrl

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT = 5  # seconds: an unreachable database is reported, not waited for
_INSERT_WITH_SEQ = re.compile(r"^\s*INSERT INTO (events|erasures)\b", re.IGNORECASE)
# The SQLite spellings the shared statements use, and PostgreSQL's.
_SPELLINGS = (
    ("min(calls.started_at, excluded.started_at)", "LEAST(calls.started_at, excluded.started_at)"),
    ("char(9)", "chr(9)"),
)


def connect(url: StoreUrl, *, site: str) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection (transactions are begun explicitly) naming ``site``."""
    import psycopg

    return psycopg.connect(
        url.dsn,
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT,
        application_name=f"ivr {site}",
        options=f"-c ivr.site={site}",
    )


def errors() -> tuple[type[Exception], ...]:
    import psycopg

    return (psycopg.Error,)


def is_connection_lost(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


@functools.lru_cache(maxsize=256)
def translate(sql: str) -> str:
    """A statement written for sqlite3 (``?`` parameters) as psycopg runs it."""
    text = sql.replace("%", "%%").replace("?", "%s")
    for sqlite, postgres in _SPELLINGS:
        text = text.replace(sqlite, postgres)
    if _INSERT_WITH_SEQ.match(text):
        text = text.rstrip().rstrip(";") + " RETURNING seq"
    return text


class PgCursor:
    def __init__(self, cursor: psycopg.Cursor[tuple[Any, ...]], returning: bool) -> None:
        self._cursor = cursor
        self._lastrowid: int | None = None
        if returning:
            row = cursor.fetchone()
            self._lastrowid = None if row is None else int(row[0])

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._lastrowid

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


class PgDb:
    """A psycopg connection with sqlite3's ``execute``; see `translate`."""

    def __init__(self, connection: psycopg.Connection[tuple[Any, ...]]) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: Any = (), /) -> PgCursor:
        text = translate(sql)
        cursor = self.connection.execute(text, tuple(parameters))
        return PgCursor(cursor, text.endswith(" RETURNING seq"))
