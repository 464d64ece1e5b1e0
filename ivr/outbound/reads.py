"""A read-only view of the outbound store for reports (the dashboard's guard page).

SQLite: the file opened in read-only mode (``mode=ro``) on its own connection, so a report can
never write a decision nor take the guard's write lock (WAL lets it read while the guard
writes); a file not created yet reads as empty. PostgreSQL (the shared store): its own
connection, each read in a ``READ ONLY`` transaction. The SQL is the same for both. Every call
blocks: run it in a thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ivr.store import postgres
from ivr.store.url import StoreUrl

LATEST = 50  # decisions shown as the latest


@dataclass(frozen=True)
class DecisionRow:
    at: datetime
    number: str  # E.164 when the guard could normalise it, else as the dialplan sent it
    campaign: str
    allowed: bool
    rule: str | None  # the refusing rule; for an allowed call, None (or "unavailable")


@dataclass(frozen=True)
class ListRow:
    name: str
    screened_on: date | None
    imported_at: datetime


@dataclass(frozen=True)
class AttemptRow:
    number: str  # E.164
    at: datetime
    campaign: str


@dataclass(frozen=True)
class GuardLog:
    refusals: tuple[tuple[date, str, int], ...]  # day (UTC), rule, refusals that day
    by_campaign: tuple[tuple[str, int, int], ...]  # campaign, allowed, refused
    latest: tuple[DecisionRow, ...]  # newest first
    lists: tuple[ListRow, ...]


EMPTY = GuardLog((), (), (), ())


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


T = TypeVar("T")
Query = Callable[[str, Sequence[object]], list[Any]]  # SQL with ? marks -> rows


class OutboundReads(Protocol):
    def guard_log(self, since: datetime, latest: int = LATEST) -> GuardLog: ...

    def attempts(self, since: datetime) -> tuple[AttemptRow, ...]: ...


class OutboundReader:
    """The SQLite file's reads."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def guard_log(self, since: datetime, latest: int = LATEST) -> GuardLog:
        """Decisions since `since`: refusals per day and rule, counts per campaign, the latest."""
        return self._read(lambda query: _guard_log(query, since.timestamp(), latest), EMPTY)

    def attempts(self, since: datetime) -> tuple[AttemptRow, ...]:
        """Calls the guard let through since `since` (with their campaign), oldest first."""
        return self._read(lambda query: _attempts(query, since.timestamp()), ())

    def _read(self, work: Callable[[Query], T], empty: T) -> T:
        if not self.path.exists():
            return empty
        db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
        try:
            return work(lambda sql, args: db.execute(sql, args).fetchall())
        finally:
            db.close()


class PgOutboundReader:
    """The shared PostgreSQL store's reads (every site's decisions)."""

    def __init__(self, url: StoreUrl, site: str) -> None:
        self.url, self.site = url, site

    def guard_log(self, since: datetime, latest: int = LATEST) -> GuardLog:
        return self._read(lambda query: _guard_log(query, since.timestamp(), latest))

    def attempts(self, since: datetime) -> tuple[AttemptRow, ...]:
        return self._read(lambda query: _attempts(query, since.timestamp()))

    def _read(self, work: Callable[[Query], T]) -> T:
        with postgres.connect(self.url, site=self.site) as conn:
            conn.execute("BEGIN READ ONLY")
            try:
                return work(lambda sql, args: conn.execute(_pg(sql), args).fetchall())
            finally:
                conn.execute("ROLLBACK")


def _pg(sql: str) -> str:
    """The shared SQL in PostgreSQL's dialect: %s marks, and the UTC day of an epoch."""
    day = "to_char(to_timestamp(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    return sql.replace("?", "%s").replace("date(at, 'unixepoch')", day)


def _attempts(query: Query, since: float) -> tuple[AttemptRow, ...]:
    rows = query(
        "SELECT number, at, campaign FROM outbound_attempts WHERE at >= ? ORDER BY at", (since,)
    )
    return tuple(AttemptRow(number, _dt(at), campaign) for number, at, campaign in rows)


def _guard_log(query: Query, since: float, latest: int) -> GuardLog:
    refusals = query(
        "SELECT date(at, 'unixepoch'), rule, count(*) FROM outbound_decisions"
        " WHERE at >= ? AND NOT allowed GROUP BY 1, 2 ORDER BY 1, 2",
        (since,),
    )
    by_campaign = query(
        "SELECT campaign, sum(CASE WHEN allowed THEN 1 ELSE 0 END),"
        " sum(CASE WHEN allowed THEN 0 ELSE 1 END) FROM outbound_decisions"
        " WHERE at >= ? GROUP BY campaign ORDER BY campaign",
        (since,),
    )
    newest = query(
        "SELECT at, number, campaign, allowed, rule FROM outbound_decisions"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (latest,),
    )
    lists = query("SELECT list, screened_on, imported_at FROM outbound_lists ORDER BY list", ())
    return GuardLog(
        tuple((date.fromisoformat(day), rule or "-", n) for day, rule, n in refusals),
        tuple((campaign, int(ok), int(no)) for campaign, ok, no in by_campaign),
        tuple(DecisionRow(_dt(at), n, c, bool(ok), rule) for at, n, c, ok, rule in newest),
        tuple(
            ListRow(name, None if on is None else date.fromisoformat(on), _imported(at))
            for name, on, at in lists
        ),
    )


def _imported(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
