"""`PgOutboundStore`: the guard's facts in the shared PostgreSQL store, for every site.

The same tables and the same stored forms as `SqliteOutboundStore` (times as epoch seconds),
plus the site on attempts, refusals and decisions. The cap stays exact across sites by the
database's own guarantee: `guard` takes a transaction-level advisory lock on (professional,
number) before it counts, so two services deciding for the same consumer at the same instant
are serialised by PostgreSQL (READ COMMITTED: the second counts the first's committed
attempt), while decisions for other numbers run side by side. A lost connection is made again
on the next call; while it cannot be, the guard raises and the caller refuses (fail closed).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

from ivr.outbound.port import Attempt, ConsentRecord
from ivr.outbound.profiles import INTERNAL_LIST, Campaign
from ivr.outbound.rules import ConsentFact, Decision, Facts, decide
from ivr.store import postgres
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
Cursor = Any  # psycopg's cursor; typed loosely to keep psycopg a lazy import

# What the store may hold of a number of its own (imported lists are not its data about them).
_OWN_TABLES = ("outbound_attempts", "outbound_decisions", "outbound_consents", "outbound_refusals")


def _ts(at: datetime) -> float:
    return at.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class OutboundStoreUnavailable(Exception):
    """The shared store did not answer: nothing was decided nor recorded."""


class PgOutboundStore:
    def __init__(self, url: StoreUrl, *, site: str) -> None:
        self.url, self.site = url, site
        self._lock = threading.Lock()  # one connection, shared by the service's threads
        self._conn: Any = None
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in SCHEMA:
                db.execute(statement)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = postgres.connect(self.url, site=self.site)
            except postgres.errors() as exc:
                raise OutboundStoreUnavailable(f"{self.url.shown}: {exc}") from exc
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[Cursor]:
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction(), conn.cursor() as cursor:
                    yield cursor
            except postgres.errors() as exc:
                if conn.closed or conn.broken:
                    conn.close()
                raise OutboundStoreUnavailable(f"{self.url.shown}: {exc}") from exc

    def facts(self, campaign: Campaign, number: str, at: datetime, shown: bool) -> Facts:
        with self._write() as db:
            return self._facts(db, campaign, number, at, shown)

    def _facts(
        self, db: Cursor, campaign: Campaign, number: str, at: datetime, shown: bool
    ) -> Facts:
        pro = campaign.professional
        db.execute(
            "SELECT list FROM outbound_opposition WHERE number = %s AND list = ANY(%s)",
            (number, list(campaign.lists)),
        )
        opposed = sorted(row[0] for row in db.fetchall())
        since = _ts(at - timedelta(days=campaign.profile.cap_days))
        db.execute(
            "SELECT count(*), (SELECT max(at) FROM outbound_refusals WHERE number = %s"
            " AND professional = %s AND at <= %s) FROM outbound_attempts"
            " WHERE number = %s AND professional = %s AND at >= %s AND at <= %s",
            (number, pro, _ts(at), number, pro, since, _ts(at)),
        )
        attempts, refused = db.fetchone()
        return Facts(
            number=number,
            at=at,
            caller_id_shown=shown,
            opposed_on=tuple(opposed),
            last_refusal=None if refused is None else _dt(refused),
            attempts=int(attempts),
            consents=self._consents(db, number, at),
            screened_on=self._screenings(db, campaign.profile.required_lists),
        )

    @staticmethod
    def _consents(db: Cursor, number: str, at: datetime) -> tuple[ConsentFact, ...]:
        db.execute(
            "SELECT kind, given_at, source, purpose, outside_hours FROM outbound_consents"
            " WHERE number = %s AND given_at <= %s AND (revoked_at IS NULL OR revoked_at > %s)"
            " ORDER BY given_at",
            (number, _ts(at), _ts(at)),
        )
        return tuple(ConsentFact(k, _dt(g), s, p, bool(o)) for k, g, s, p, o in db.fetchall())

    @staticmethod
    def _screenings(db: Cursor, names: tuple[str, ...]) -> dict[str, date | None]:
        found: dict[str, date | None] = dict.fromkeys(names, None)
        db.execute(
            "SELECT list, screened_on FROM outbound_lists WHERE list = ANY(%s)", (list(names),)
        )
        for name, screened in db.fetchall():
            if screened is not None:
                found[name] = date.fromisoformat(screened)
        return found

    def guard(self, campaign: Campaign, number: str, at: datetime, shown: bool) -> Decision:
        with self._write() as db:
            # Serialise every decision for this consumer of this professional, on every site.
            db.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"{campaign.professional}\x1f{number}",),
            )
            facts = self._facts(db, campaign, number, at, shown)
            decision = decide(campaign, facts)
            if decision.allowed:
                self._attempt(db, campaign, number, at)
            self._log(db, campaign.name, number, at, decision, facts)
        return decision

    @staticmethod
    def _attempt(db: Cursor, campaign: Campaign, number: str, at: datetime) -> None:
        db.execute(
            "INSERT INTO outbound_attempts (professional, number, at, campaign)"
            " VALUES (%s, %s, %s, %s)",
            (campaign.professional, number, _ts(at), campaign.name),
        )

    def record_unguarded(
        self, campaign: Campaign, number: str, at: datetime, decision: Decision
    ) -> None:
        with self._write() as db:
            self._attempt(db, campaign, number, at)
            self._log(db, campaign.name, number, at, decision, None)

    def log_refusal(self, campaign: str, number: str, at: datetime, decision: Decision) -> None:
        with self._write() as db:
            self._log(db, campaign, number, at, decision, None)

    @staticmethod
    def _log(
        db: Cursor,
        campaign: str,
        number: str,
        at: datetime,
        decision: Decision,
        facts: Facts | None,
    ) -> None:
        inputs = {
            "checks": [[c.rule.value, c.passed, c.detail] for c in decision.checks],
            "attempts": None if facts is None else facts.attempts,
            "lists": None if facts is None else {k: str(v) for k, v in facts.screened_on.items()},
        }
        db.execute(
            "INSERT INTO outbound_decisions (at, number, campaign, allowed, rule, inputs)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (_ts(at), number, campaign, decision.allowed, decision.rule, json.dumps(inputs)),
        )

    def import_opposition(self, name: str, screened_on: date | None, numbers: Iterable[str]) -> int:
        """Numbers are added, never removed (as in the SQLite store); batches of `_BATCH`."""
        added, rows = 0, iter(numbers)
        with self._write() as db:
            while batch := list(islice(rows, _BATCH)):
                db.execute(
                    "INSERT INTO outbound_opposition (number, list)"
                    " SELECT n, %s FROM unnest(%s::text[]) AS n ORDER BY n ON CONFLICT DO NOTHING",
                    (name, batch),
                )
                added += db.rowcount
            db.execute(
                "INSERT INTO outbound_lists VALUES (%s, %s, %s) ON CONFLICT (list) DO UPDATE SET"
                " screened_on = GREATEST(outbound_lists.screened_on, excluded.screened_on),"
                " imported_at = excluded.imported_at",
                (name, None if screened_on is None else screened_on.isoformat(), _now()),
            )
        return added

    def oppose(self, number: str, at: datetime, professional: str, who: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO outbound_opposition VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (number, INTERNAL_LIST),
            )
            db.execute(
                "INSERT INTO outbound_refusals (professional, number, at, who)"
                " VALUES (%s, %s, %s, %s)",
                (professional, number, _ts(at), who),
            )
            self._revoke(db, number, at, who)

    def erase(self, number: str, at: datetime, who: str) -> tuple[int, int] | None:
        """As SqliteOutboundStore.erase: opposed, consents revoked (kept as proof), attempts
        and decisions deleted, for every site; None (and nothing kept) for an unknown number."""
        with self._write() as db:
            for table in _OWN_TABLES:
                db.execute(f"SELECT 1 FROM {table} WHERE number = %s LIMIT 1", (number,))  # noqa: S608
                if db.fetchone() is not None:
                    break
            else:
                db.execute(
                    "SELECT 1 FROM outbound_opposition WHERE number = %s AND list = %s",
                    (number, INTERNAL_LIST),
                )
                if db.fetchone() is None:
                    return None
            db.execute(
                "INSERT INTO outbound_opposition VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (number, INTERNAL_LIST),
            )
            db.execute(
                "INSERT INTO outbound_refusals (professional, number, at, who)"
                " VALUES ('', %s, %s, %s)",
                (number, _ts(at), who),
            )
            self._revoke(db, number, at, who)
            db.execute("DELETE FROM outbound_attempts WHERE number = %s", (number,))
            attempts = int(db.rowcount)
            db.execute("DELETE FROM outbound_decisions WHERE number = %s", (number,))
            return attempts, int(db.rowcount)

    def add_consents(self, records: Iterable[ConsentRecord]) -> int:
        rows = [
            (r.number, r.kind, _ts(r.given_at), r.source, r.wording, r.purpose, r.outside_hours)
            for r in records
        ]
        with self._write() as db:
            db.executemany(
                "INSERT INTO outbound_consents (number, kind, given_at, source, wording, purpose,"
                " outside_hours) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        return len(rows)

    def revoke_consents(self, number: str, at: datetime, who: str) -> int:
        with self._write() as db:
            return self._revoke(db, number, at, who)

    @staticmethod
    def _revoke(db: Cursor, number: str, at: datetime, who: str) -> int:
        db.execute(
            "UPDATE outbound_consents SET revoked_at = %s, revoked_by = %s"
            " WHERE number = %s AND revoked_at IS NULL",
            (_ts(at), who, number),
        )
        return int(db.rowcount)

    def attempts(self, number: str) -> list[Attempt]:
        with self._write() as db:
            db.execute(
                "SELECT at, professional, campaign FROM outbound_attempts WHERE number = %s"
                " ORDER BY at",
                (number,),
            )
            return [Attempt(_dt(at), pro, campaign) for at, pro, campaign in db.fetchall()]

    def decisions(self, number: str) -> list[tuple[datetime, str, bool, str | None]]:
        with self._write() as db:
            db.execute(
                "SELECT at, campaign, allowed, rule FROM outbound_decisions WHERE number = %s"
                " ORDER BY id",
                (number,),
            )
            return [(_dt(a), c, bool(ok), rule) for a, c, ok, rule in db.fetchall()]

    def purge(self, attempts_before: datetime, decisions_before: datetime) -> int:
        removed = 0
        with self._write() as db:
            for table, before in (
                ("outbound_attempts", attempts_before),
                ("outbound_refusals", attempts_before),
                ("outbound_decisions", decisions_before),
            ):
                db.execute(f"DELETE FROM {table} WHERE at < %s", (_ts(before),))  # noqa: S608
                removed += db.rowcount
        return removed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
