"""What the ledger's statements need of a connection: sqlite3's shape, which the PostgreSQL
backend's adapter (`ivr.store.postgres.PgDb`) also has."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
