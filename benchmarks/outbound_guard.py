#!/usr/bin/env python3
"""Outbound guard at scale: an opposition list of N numbers and M attempt rows on SQLite.

Measures, in one run, on a fresh store in a temporary folder:

- **import**: `ivr outbound opposition import`'s path (`Outbound.import_opposition`: read the
  file, normalise each line, insert) for N numbers, against the floor of the same rows
  inserted pre-normalised with one bare `executemany` into an identical table;
- **decision**: p50/p99/max of `SqliteOutboundStore.guard` (the dialplan's decision: facts,
  rules, the attempt and the decision log written in one BEGIN IMMEDIATE transaction), with M
  attempt rows in the store, against a bare primary-key lookup in the same file;
- **memory**: the process's peak RSS after the import and after the decisions (the lists live
  in the store, so it does not grow with N).

Usage: python benchmarks/outbound_guard.py [--numbers 10000000] [--attempts 10000000]
       [--decisions 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.outbound.config import OutboundSettings
from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.outbound.service import Outbound
from ivr.outbound.store import SqliteOutboundStore

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
CAMPAIGN = Campaign("bench", SHIPPED["fr"], "Bench SA", "", ("bloctel", "internal"))


def rss_mb() -> float:
    """Peak resident memory of this process so far (the attempts' setup runs in a child)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def numbers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"+336{n:08d}" for n in rng.sample(range(100_000_000), count)]


def write_list(path: Path, count: int) -> None:
    rng = random.Random(1)
    with path.open("w") as out:
        for start in range(0, count, 1_000_000):
            block = min(1_000_000, count - start)
            out.write(
                "".join(f"+33{rng.randrange(600_000_000, 800_000_000)}\n" for _ in range(block))
            )


def floor_import(folder: Path, path: Path) -> float:
    db = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (number TEXT, list TEXT, PRIMARY KEY (number, list)) WITHOUT ROWID")
    started = time.perf_counter()
    db.execute("BEGIN")
    with path.open() as lines:
        db.executemany(
            "INSERT OR IGNORE INTO t VALUES (?, 'x')", ((line.strip(),) for line in lines)
        )
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def callers_of(count: int) -> list[str]:
    return [f"+337{n:08d}" for n in range(max(1, count // 8))]


def load_attempts(path: Path, count: int) -> None:
    """M attempt rows over the last 30 days, 8 per number (the busiest consumers), written
    number by number in a child process: this is setup, not what is measured."""
    rng = random.Random(2)
    rows = (
        ("Bench SA", caller, (AT - timedelta(days=rng.random() * 30)).timestamp(), "bench")
        for caller in callers_of(count)
        for _ in range(8)
    )
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA cache_size = -400000")  # setup speed only: 400 MB of page cache
    db.execute("BEGIN")
    db.executemany("INSERT INTO outbound_attempts VALUES (?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    db.close()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    p50, top = statistics.median(ordered), ordered[-1]
    return f"p50 {p50 * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms  max {top * 1000:.3f} ms"


def decisions(
    store: SqliteOutboundStore, callers: list[str], listed: Path, count: int
) -> list[float]:
    rng = random.Random(3)
    with listed.open() as lines:
        opposed = [next(lines).strip() for _ in range(1000)]
    candidates = [*callers[:5000], *opposed, *numbers(5000, 4)]
    samples = []
    for index in range(count):
        number = rng.choice(candidates)
        at = AT + timedelta(microseconds=index)
        started = time.perf_counter()
        store.guard(CAMPAIGN, number, at, True)
        samples.append(time.perf_counter() - started)
    return samples


def lookups(store: SqliteOutboundStore, callers: list[str], count: int) -> list[float]:
    db = sqlite3.connect(store.path)
    samples = []
    for index in range(count):
        number = callers[index % len(callers)]
        started = time.perf_counter()
        db.execute(
            "SELECT 1 FROM outbound_opposition WHERE number = ? AND list = 'bloctel'", (number,)
        ).fetchone()
        samples.append(time.perf_counter() - started)
    db.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=10_000_000)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivr-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        listed = folder / "bloctel.txt"
        write_list(listed, args.numbers)
        print(f"{args.numbers:,} numbers, {args.attempts:,} attempts, {args.decisions:,} decisions")
        print(f"rss before import        {rss_mb():8.1f} MB")
        floor = floor_import(folder, listed)
        # As the service's guard opens it: checkpoints in a thread of their own.
        store = SqliteOutboundStore(folder / "outbound.sqlite3", checkpoint_every=1.0)
        outbound = Outbound(OutboundSettings(store=store.path), store)
        started = time.perf_counter()
        with listed.open() as lines:
            outbound.import_opposition("bloctel", AT.date(), lines)
        took = time.perf_counter() - started
        print(
            f"import                   {took:8.1f} s   floor {floor:.1f} s  (x{took / floor:.2f})"
        )
        print(f"rss after import         {rss_mb():8.1f} MB")
        started = time.perf_counter()
        child = multiprocessing.Process(target=load_attempts, args=(store.path, args.attempts))
        child.start()
        child.join()
        callers = callers_of(args.attempts)
        print(f"attempt rows loaded      {time.perf_counter() - started:8.1f} s (bulk, setup)")
        guard = decisions(store, callers, listed, args.decisions)
        floor_lookup = lookups(store, callers, args.decisions)
        print(f"guard decision           {percentiles(guard)}")
        print(f"primary-key lookup       {percentiles(floor_lookup)}")
        print(f"rss after decisions      {rss_mb():8.1f} MB")
        size = sum(p.stat().st_size for p in folder.glob("outbound.sqlite3*")) / 1e6
        print(f"store size               {size:8.1f} MB")
        store.close()


if __name__ == "__main__":
    main()
