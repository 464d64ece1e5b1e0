"""The guard's facts in SQL: `OutboundSql`, every statement written once, and
`SqliteOutboundStore`, the facts in their own SQLite file (`ivr.outbound.postgres` is the other
backend, the shared store: only the dialect differences are its own).

The numbers of every list live in an indexed table, never in Python memory, so a list of ten
million numbers costs one index lookup per decision. `guard` runs in ``BEGIN IMMEDIATE``: the
write lock is taken before the attempts are counted, so concurrent guards (threads, processes,
sites sharing the file) serialise and the cap stays exact.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from ivr.outbound.port import Attempt, ConsentRecord
from ivr.outbound.profiles import INTERNAL_LIST, Campaign
from ivr.outbound.rules import ConsentFact, Decision, Facts, decide

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbound_opposition (
    number TEXT NOT NULL, list TEXT NOT NULL, PRIMARY KEY (number, list)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbound_lists (
    list TEXT PRIMARY KEY, screened_on TEXT, imported_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbound_attempts (
    professional TEXT NOT NULL, number TEXT NOT NULL, at REAL NOT NULL, campaign TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outbound_attempts_by_number
    ON outbound_attempts (number, professional, at);
CREATE TABLE IF NOT EXISTS outbound_refusals (
    professional TEXT NOT NULL, number TEXT NOT NULL, at REAL NOT NULL, who TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outbound_refusals_by_number
    ON outbound_refusals (number, professional, at);
CREATE TABLE IF NOT EXISTS outbound_consents (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL, kind TEXT NOT NULL, given_at REAL NOT NULL,
    source TEXT NOT NULL, wording TEXT NOT NULL, purpose TEXT NOT NULL,
    outside_hours INTEGER NOT NULL, revoked_at REAL, revoked_by TEXT);
CREATE INDEX IF NOT EXISTS outbound_consents_by_number ON outbound_consents (number);
CREATE TABLE IF NOT EXISTS outbound_decisions (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, number TEXT NOT NULL, campaign TEXT NOT NULL,
    allowed INTEGER NOT NULL, rule TEXT, inputs TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outbound_decisions_by_at ON outbound_decisions (at);
"""
_BATCH = 50_000
# What the store may hold of a number of its own (imported lists are not its data about them).
_TRACES = tuple(
    f"SELECT 1 FROM {table} WHERE number = ?{extra} LIMIT 1"  # noqa: S608 - fixed names
    for table, extra in (
        ("outbound_attempts", ""),
        ("outbound_decisions", ""),
        ("outbound_consents", ""),
        ("outbound_refusals", ""),
        ("outbound_opposition", f" AND list = '{INTERNAL_LIST}'"),
    )
)


def _ts(at: datetime) -> float:
    return at.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class _Checkpointer(threading.Thread):
    """WAL checkpoints in a thread of their own, so that no guard decision pays for one (they
    otherwise land on the commit that crosses SQLite's 1000-page mark: the p99)."""

    def __init__(self, path: Path, interval: float) -> None:
        super().__init__(name="outbound-checkpoint", daemon=True)
        self.path, self.interval, self.stopping = path, interval, threading.Event()

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=0.1)
        try:
            while not self.stopping.wait(self.interval):
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.OperationalError:  # busy: the next round catches up
                    continue
        finally:
            db.close()


class Db(Protocol):
    """What the statements need of a connection: sqlite3's ``execute`` (PostgreSQL's through
    `ivr.store.postgres.PgDb`, which turns ``?`` into ``%s``)."""

    def execute(self, sql: str, parameters: Any = (), /) -> Any: ...


class OutboundSql:
    """The statements both backends run. A backend gives the transactions (`_write`,
    `_read`), the lock that serialises one consumer's decisions (`_serialise`), bulk inserts
    (`_insert_many`) and the list import, whose fast path differs per database."""

    @contextmanager
    def _write(self) -> Iterator[Db]:
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def _read(self) -> Iterator[Db]:
        with self._write() as db:
            yield db

    def _serialise(self, db: Db, professional: str, number: str) -> None:
        """Hold every other decision for this consumer of this professional until commit."""

    def _insert_many(self, db: Db, sql: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def facts(self, campaign: Campaign, number: str, at: datetime, shown: bool) -> Facts:
        with self._read() as db:
            return self._facts(db, campaign, number, at, shown)

    def _facts(self, db: Db, campaign: Campaign, number: str, at: datetime, shown: bool) -> Facts:
        pro = campaign.professional
        marks = ",".join("?" * len(campaign.lists))  # never empty: the internal list is one
        opposed = db.execute(
            f"SELECT list FROM outbound_opposition WHERE number = ? AND list IN ({marks})",  # noqa: S608
            (number, *campaign.lists),
        ).fetchall()
        since = _ts(at - timedelta(days=campaign.profile.cap_days))
        attempts, refused = db.execute(
            "SELECT count(*), (SELECT max(at) FROM outbound_refusals WHERE number = ?"
            " AND professional = ? AND at <= ?) FROM outbound_attempts"
            " WHERE number = ? AND professional = ? AND at >= ? AND at <= ?",
            (number, pro, _ts(at), number, pro, since, _ts(at)),
        ).fetchone()
        return Facts(
            number=number,
            at=at,
            caller_id_shown=shown,
            opposed_on=tuple(sorted(row[0] for row in opposed)),
            last_refusal=None if refused is None else _dt(refused),
            attempts=int(attempts),
            consents=self._consents(db, number, at),
            screened_on=self._screenings(db, campaign.profile.required_lists),
        )

    @staticmethod
    def _consents(db: Db, number: str, at: datetime) -> tuple[ConsentFact, ...]:
        rows = db.execute(
            "SELECT kind, given_at, source, purpose, outside_hours FROM outbound_consents"
            " WHERE number = ? AND given_at <= ? AND (revoked_at IS NULL OR revoked_at > ?)"
            " ORDER BY given_at",
            (number, _ts(at), _ts(at)),
        ).fetchall()
        return tuple(ConsentFact(k, _dt(g), s, p, bool(o)) for k, g, s, p, o in rows)

    @staticmethod
    def _screenings(db: Db, names: tuple[str, ...]) -> dict[str, date | None]:
        found: dict[str, date | None] = dict.fromkeys(names, None)
        for name in names:
            row = db.execute(
                "SELECT screened_on FROM outbound_lists WHERE list = ?", (name,)
            ).fetchone()
            if row is not None and row[0] is not None:
                found[name] = date.fromisoformat(row[0])
        return found

    def guard(self, campaign: Campaign, number: str, at: datetime, shown: bool) -> Decision:
        with self._write() as db:
            self._serialise(db, campaign.professional, number)
            facts = self._facts(db, campaign, number, at, shown)
            decision = decide(campaign, facts)
            if decision.allowed:
                self._attempt(db, campaign, number, at)
            self._log(db, campaign.name, number, at, decision, facts)
        return decision

    @staticmethod
    def _attempt(db: Db, campaign: Campaign, number: str, at: datetime) -> None:
        db.execute(
            "INSERT INTO outbound_attempts (professional, number, at, campaign)"
            " VALUES (?, ?, ?, ?)",
            (campaign.professional, number, _ts(at), campaign.name),
        )

    def record_unguarded(
        self, campaign: Campaign, number: str, at: datetime, decision: Decision
    ) -> None:
        with self._write() as db:
            self._attempt(db, campaign, number, at)
            self._log(db, campaign.name, number, at, decision, None)

    def log_refusal(self, campaign: str, number: str, at: datetime, decision: Decision) -> None:
        """A decision the rules did not make (unknown campaign, bad number, unguarded)."""
        with self._write() as db:
            self._log(db, campaign, number, at, decision, None)

    @staticmethod
    def _log(
        db: Db, campaign: str, number: str, at: datetime, decision: Decision, facts: Facts | None
    ) -> None:
        inputs = {
            "checks": [[c.rule.value, c.passed, c.detail] for c in decision.checks],
            "attempts": None if facts is None else facts.attempts,
            "lists": None if facts is None else {k: str(v) for k, v in facts.screened_on.items()},
        }
        rule = None if decision.rule is None else decision.rule.value
        db.execute(
            "INSERT INTO outbound_decisions (at, number, campaign, allowed, rule, inputs)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (_ts(at), number, campaign, decision.allowed, rule, json.dumps(inputs)),
        )

    def oppose(self, number: str, at: datetime, professional: str, who: str) -> None:
        with self._write() as db:
            self._refusal(db, number, at, professional, who)

    def _refusal(self, db: Db, number: str, at: datetime, professional: str, who: str) -> None:
        """On the internal list, the refusal recorded, the consents revoked."""
        db.execute(
            "INSERT INTO outbound_opposition (number, list) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (number, INTERNAL_LIST),
        )
        db.execute(
            "INSERT INTO outbound_refusals (professional, number, at, who) VALUES (?, ?, ?, ?)",
            (professional, number, _ts(at), who),
        )
        self._revoke(db, number, at, who)

    def add_consents(self, records: Iterable[ConsentRecord]) -> int:
        rows = [
            (r.number, r.kind, _ts(r.given_at), r.source, r.wording, r.purpose, r.outside_hours)
            for r in records
        ]
        with self._write() as db:
            self._insert_many(
                db,
                "INSERT INTO outbound_consents (number, kind, given_at, source, wording, purpose,"
                " outside_hours) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def revoke_consents(self, number: str, at: datetime, who: str) -> int:
        with self._write() as db:
            return self._revoke(db, number, at, who)

    @staticmethod
    def _revoke(db: Db, number: str, at: datetime, who: str) -> int:
        cursor = db.execute(
            "UPDATE outbound_consents SET revoked_at = ?, revoked_by = ?"
            " WHERE number = ? AND revoked_at IS NULL",
            (_ts(at), who, number),
        )
        return int(cursor.rowcount)

    def erase(self, number: str, at: datetime, who: str) -> tuple[int, int] | None:
        """An erasure request (art. 17): the number opposed for good and its consents revoked
        (kept: the proof), its attempts and decisions deleted, for every site. Returns
        (attempts, decisions), or None when the store holds nothing of the number: it then
        keeps nothing new."""
        with self._write() as db:
            if not any(db.execute(q, (number,)).fetchone() for q in _TRACES):
                return None
            self._refusal(db, number, at, "", who)
            attempts = db.execute("DELETE FROM outbound_attempts WHERE number = ?", (number,))
            decisions = db.execute("DELETE FROM outbound_decisions WHERE number = ?", (number,))
            return int(attempts.rowcount), int(decisions.rowcount)

    def attempts(self, number: str) -> list[Attempt]:
        with self._read() as db:
            rows = db.execute(
                "SELECT at, professional, campaign FROM outbound_attempts WHERE number = ?"
                " ORDER BY at",
                (number,),
            ).fetchall()
        return [Attempt(_dt(at), pro, campaign) for at, pro, campaign in rows]

    def decisions(self, number: str) -> list[tuple[datetime, str, bool, str | None]]:
        with self._read() as db:
            rows = db.execute(
                "SELECT at, campaign, allowed, rule FROM outbound_decisions WHERE number = ?"
                " ORDER BY id",
                (number,),
            ).fetchall()
        return [(_dt(at), campaign, bool(allowed), rule) for at, campaign, allowed, rule in rows]

    def purge(self, attempts_before: datetime, decisions_before: datetime) -> int:
        """Attempts and refusals older than the longest window, decisions past retention."""
        with self._write() as db:
            removed = 0
            for table, before in (
                ("outbound_attempts", attempts_before),
                ("outbound_refusals", attempts_before),
                ("outbound_decisions", decisions_before),
            ):
                removed += db.execute(
                    f"DELETE FROM {table} WHERE at < ?",  # noqa: S608 - fixed names
                    (_ts(before),),
                ).rowcount
        return removed


class SqliteOutboundStore(OutboundSql):
    def __init__(
        self, path: Path, timeout: float = 5.0, checkpoint_every: float | None = None
    ) -> None:
        """``checkpoint_every``: seconds between background checkpoints (the service's
        guard); None leaves them to SQLite, which suits short-lived commands."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every transaction below is explicit.
        self._db = sqlite3.connect(
            path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()  # one connection, shared by the service's threads
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._checkpointer: _Checkpointer | None = None
        if checkpoint_every is not None:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = _Checkpointer(path, checkpoint_every)
            self._checkpointer.start()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stopping.set()
            self._checkpointer.join()
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the file's write lock first: that serialises the guards.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def _insert_many(self, db: Db, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(sql, rows)

    def import_opposition(self, name: str, screened_on: date | None, numbers: Iterable[str]) -> int:
        """Numbers are added, never removed: a number stays opposed until purged by hand.

        Rows are appended to a scratch table first, then inserted in key order: SQLite sorts
        them on disk (bounded memory) and the list's B-tree is written sequentially, instead
        of one random page per number (ten times faster at ten million numbers)."""
        rows = ((number,) for number in numbers)
        with self._write() as db:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS incoming (number TEXT NOT NULL)")
            db.execute("DELETE FROM incoming")
            while batch := list(islice(rows, _BATCH)):
                db.executemany("INSERT INTO incoming VALUES (?)", batch)
            before = db.total_changes
            db.execute(
                "INSERT OR IGNORE INTO outbound_opposition"
                " SELECT number, ? FROM incoming ORDER BY number",
                (name,),
            )
            added = db.total_changes - before
            db.execute("DELETE FROM incoming")
            db.execute(
                "INSERT INTO outbound_lists VALUES (?, ?, ?) ON CONFLICT (list) DO UPDATE SET"
                " screened_on = max(coalesce(screened_on, excluded.screened_on),"
                " coalesce(excluded.screened_on, screened_on))"
                ", imported_at = excluded.imported_at",
                (name, None if screened_on is None else screened_on.isoformat(), now_text()),
            )
        return added


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
