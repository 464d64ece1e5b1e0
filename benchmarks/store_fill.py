"""Filling stores fast for `store_throughput.py`: an audit chain and attempt rows, written
in bulk (the figures measured are the reads and the decisions, not the filling)."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ivr.audit.chain import GENESIS, Entry, digest
from ivr.audit.log import SCHEMA
from ivr.outbound.postgres import PgOutboundStore
from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.outbound.store import SqliteOutboundStore
from ivr.outbound.stores import AnyOutboundStore
from ivr.store import postgres
from ivr.store.opening import Location, open_audit
from ivr.store.url import StoreUrl

CAMPAIGN = Campaign(
    "bench", dataclasses.replace(SHIPPED["fr"], windows=None, required_lists=()),
    "Pay TV SA", "pay-tv", ("internal",),
)  # fmt: skip
_COLUMNS = "seq, at, actor, role, action, target, reason, origin, outcome, detail, prev_hash, hash"


def chain(rows: int, site: str) -> Iterator[tuple[object, ...]]:
    prev = GENESIS
    for seq in range(1, rows + 1):
        entry = Entry("2026-12-05T08:00:00+00:00", "tok1", "dpo", "listen", f"call-{seq}",
                      "ticket", "127.0.0.1", "ok", "", site)  # fmt: skip
        row_hash = digest(prev, entry)
        values = dataclasses.astuple(entry)[:9]
        yield (seq, *values, prev, row_hash, *((site,) if site else ()))
        prev = row_hash


def fill_audit(where: Location, rows: int) -> None:
    if isinstance(where, StoreUrl):
        log = open_audit(where, site="bench")
        log.head()  # the tables
        log.close()
        with (
            postgres.connect(where, site="bench") as conn,
            conn.cursor() as cursor,
            cursor.copy(f"COPY audit ({_COLUMNS}, site) FROM STDIN") as copy,
        ):
            for row in chain(rows, "bench"):
                copy.write_row(row)
        return
    with sqlite3.connect(Path(where)) as db:
        db.execute(SCHEMA)
        db.executemany(f"INSERT INTO audit ({_COLUMNS}) VALUES ({','.join('?' * 12)})",
                       chain(rows, ""))  # fmt: skip
    db.close()


def numbers(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield f"+336{rng.randrange(10**8):08d}"


def guard_store(url: StoreUrl | None, folder: Path) -> AnyOutboundStore:
    if url is None:
        return SqliteOutboundStore(folder / "outbound.sqlite3")
    return PgOutboundStore(url, site="bench")


def fill_attempts(store: AnyOutboundStore, attempts: int) -> None:
    """``attempts`` rows over as many random numbers, spread over the last 60 days."""
    now = datetime.now(UTC).timestamp()
    if isinstance(store, PgOutboundStore):
        with postgres.connect(store.url, site="bench") as conn:
            conn.execute(
                "INSERT INTO outbound_attempts (professional, number, at, campaign)"
                " SELECT 'Pay TV SA', '+336' || lpad((random() * 1e8)::bigint::text, 8, '0'),"
                " %s - random() * 5184000, 'bench' FROM generate_series(1, %s)",
                (now, attempts),
            )
            conn.execute("ANALYZE outbound_attempts")
        return
    db = sqlite3.connect(store.path)
    rows = ((CAMPAIGN.professional, n, now - (i % 5184000), "bench")
            for i, n in enumerate(numbers(attempts, seed=1)))  # fmt: skip
    with db:
        db.executemany("INSERT INTO outbound_attempts VALUES (?, ?, ?, ?)", rows)
    db.execute("ANALYZE")
    db.close()
