"""A read-only view of the outbound store for reports (the dashboard's guard page).

It opens the store's SQLite file in read-only mode (``mode=ro``), on its own connection, so a
report can never write a decision nor take the guard's write lock; WAL lets it read while the
guard writes. A store not created yet reads as empty. Every call blocks: run it in a thread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

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


class OutboundReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> sqlite3.Connection | None:
        if not self.path.exists():
            return None
        return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)

    def guard_log(self, since: datetime, latest: int = LATEST) -> GuardLog:
        """Decisions since `since`: refusals per day and rule, counts per campaign, the latest."""
        db = self._open()
        if db is None:
            return EMPTY
        try:
            return _guard_log(db, since.timestamp(), latest)
        finally:
            db.close()

    def attempts(self, since: datetime) -> tuple[AttemptRow, ...]:
        """Calls the guard let through since `since` (with their campaign), oldest first."""
        db = self._open()
        if db is None:
            return ()
        try:
            rows = db.execute(
                "SELECT number, at, campaign FROM outbound_attempts WHERE at >= ? ORDER BY at",
                (since.timestamp(),),
            ).fetchall()
        finally:
            db.close()
        return tuple(AttemptRow(number, _dt(at), campaign) for number, at, campaign in rows)


def _guard_log(db: sqlite3.Connection, since: float, latest: int) -> GuardLog:
    refusals = db.execute(
        "SELECT date(at, 'unixepoch'), rule, count(*) FROM outbound_decisions"
        " WHERE at >= ? AND NOT allowed GROUP BY 1, 2 ORDER BY 1, 2",
        (since,),
    ).fetchall()
    by_campaign = db.execute(
        "SELECT campaign, sum(allowed), sum(NOT allowed) FROM outbound_decisions"
        " WHERE at >= ? GROUP BY campaign ORDER BY campaign",
        (since,),
    ).fetchall()
    newest = db.execute(
        "SELECT at, number, campaign, allowed, rule FROM outbound_decisions"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (latest,),
    ).fetchall()
    lists = db.execute(
        "SELECT list, screened_on, imported_at FROM outbound_lists ORDER BY list"
    ).fetchall()
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
