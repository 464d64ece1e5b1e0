"""The shared store's figures (issue 13, section 7), each against SQLite in the same run:

- durable decisions/s: a call's rows (start, two events, the decision) through `AsyncLedger`
  (group commit), 64 calls in flight per writer, 1 and 2 writer processes, on SQLite
  (WAL, synchronous=FULL) and on PostgreSQL (fsync and synchronous_commit on);
- ``ivr ledger verify`` rows/s over the events the decisions wrote, both stores;
- ``ivr audit verify`` rows/s over a chain of ``--audit-rows`` rows, both stores;
- guard decision latency (p50/p99) over loopback with ``--attempts`` attempt rows in the
  PostgreSQL store (the SQLite guard in the same run as the reference).

A throwaway PostgreSQL cluster is started for the run (`ivr.sandbox.db`) and removed after.

    .venv/bin/python benchmarks/store_throughput.py [--seconds 5] [--audit-rows 200000]
        [--attempts 10000000] [--guards 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.ledger import EventKind
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, Source
from ivr.sandbox import db
from ivr.store.opening import Location, open_async_ledger
from ivr.store.url import StoreUrl

T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
IN_FLIGHT = 64
Write = Callable[[LedgerStore], object]


async def _calls(where: Location, seconds: float, writer: int) -> int:
    ledger: AsyncLedger = await open_async_ledger(where, site=f"bench-{writer}")
    done = 0
    deadline = time.monotonic() + seconds

    async def one_call_after_another(lane: int) -> None:
        nonlocal done
        n = 0
        while time.monotonic() < deadline:
            call = f"w{writer}-l{lane}-{n}"
            await ledger.batch(call_rows(call, T0 + timedelta(seconds=n)))
            done, n = done + 1, n + 1

    await asyncio.gather(*(one_call_after_another(lane) for lane in range(IN_FLIGHT)))
    await ledger.aclose()
    return done


def call_rows(call: str, at: datetime) -> list[Write]:
    """One call's rows as the service writes them: start, two events, the decision."""
    return [
        lambda s: s.start_call(call, started_at=at, caller_number="+33100000000",
                               caller_name="bench", profile="fr", language="fr"),
        lambda s: s.add_event(call, at=at, kind=EventKind.NOTICE_STARTED, source=Source.SERVICE),
        lambda s: s.add_event(call, at=at, kind=EventKind.NOTICE_DONE, source=Source.SERVICE),
        lambda s: s.finish_call(call, ended_at=at, decision=Decision.NOT_RECORDED),
    ]  # fmt: skip


def _writer(where: Location, seconds: float, writer: int) -> int:
    return asyncio.run(_calls(where, seconds, writer))


def decisions_per_second(where: Location, writers: int, seconds: float) -> float:
    context = multiprocessing.get_context("spawn")
    with context.Pool(writers) as pool:
        counts = pool.starmap(_writer, [(where, seconds, w) for w in range(writers)])
    return sum(counts) / seconds


def ledger_verify_rate(where: Location) -> tuple[int, float]:
    """(events, events/s) of ``ivr ledger verify`` (the event chain) over the ledger."""
    from ivr.store.opening import open_ledger

    ledger = open_ledger(where, site="bench", read_only=True)
    started = time.perf_counter()
    findings, _, _ = ledger.verify_chain()
    elapsed = time.perf_counter() - started
    with ledger._read() as db:  # the benchmark's own count, not part of the timing
        events = int(db.execute("SELECT count(*) FROM events").fetchone()[0])
    ledger.close()
    assert findings == [], findings[:3]
    return events, events / elapsed


def audit_verify_rate(where: Location, rows: int) -> float:
    from benchmarks.store_fill import fill_audit
    from ivr.store.opening import open_audit

    fill_audit(where, rows)
    log = open_audit(where, site="bench")
    started = time.perf_counter()
    findings = log.verify()
    elapsed = time.perf_counter() - started
    log.close()
    assert findings == [], findings[:3]
    return rows / elapsed


def guard_latencies(url: StoreUrl | None, folder: Path, attempts: int, guards: int) -> list[float]:
    from benchmarks.store_fill import fill_attempts, guard_store

    store = guard_store(url, folder)
    fill_attempts(store, attempts)
    from benchmarks.store_fill import CAMPAIGN, numbers

    times = []
    for number in numbers(guards, seed=7):
        started = time.perf_counter()
        store.guard(CAMPAIGN, number, datetime.now(UTC), True)
        times.append(time.perf_counter() - started)
    store.close()
    return sorted(times)


def _pct(sorted_times: list[float], q: float) -> float:
    return sorted_times[min(len(sorted_times) - 1, int(q * len(sorted_times)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--audit-rows", type=int, default=200_000)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    parser.add_argument("--guards", type=int, default=2000)
    parser.add_argument("--skip", action="append", default=[], help="decisions, audit, guard")
    args = parser.parse_args()
    prefix = os.environ.get("IVR_TEST_SANDBOX_PREFIX", "").strip()  # engineers sharing a host
    name = f"{prefix}-bench-db" if prefix else "bench-db"
    db.remove(name)
    cluster = db.up(name)
    url = StoreUrl.parse(cluster.url)
    try:
        with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
            folder = Path(tmp)
            if "decisions" not in args.skip:
                print(f"{'durable decisions/s':<34}{'1 writer':>10}{'2 writers':>11}")
                for label, where in (
                    ("SQLite (reference)", folder / "l.sqlite3"),
                    ("PostgreSQL", url),
                ):
                    one = decisions_per_second(where, 1, args.seconds)
                    two = decisions_per_second(where, 2, args.seconds)
                    print(f"{label:<34}{one:>10.0f}{two:>11.0f}")
                for label, where in (("SQLite", folder / "l.sqlite3"), ("PostgreSQL", url)):
                    events, rate = ledger_verify_rate(where)
                    print(f"ledger verify, {label}: {rate:,.0f} events/s ({events:,} events)")
            if "audit" not in args.skip:
                sqlite_rate = audit_verify_rate(folder / "a.sqlite3", args.audit_rows)
                pg_rate = audit_verify_rate(url, args.audit_rows)
                print(f"audit verify rows/s ({args.audit_rows} rows): SQLite {sqlite_rate:,.0f}, "
                      f"PostgreSQL {pg_rate:,.0f} ({pg_rate / sqlite_rate:.2f}x)")  # fmt: skip
            if "guard" not in args.skip:
                for label, where_url in (("SQLite (reference)", None), ("PostgreSQL", url)):
                    t = guard_latencies(where_url, folder, args.attempts, args.guards)
                    print(f"guard, {args.attempts:,} attempts, {label}: p50 {_pct(t, 0.5):.2f} ms,"
                          f" p99 {_pct(t, 0.99):.2f} ms, max {t[-1] * 1000:.2f} ms")  # fmt: skip
    finally:
        db.remove(name)


if __name__ == "__main__":
    main()
