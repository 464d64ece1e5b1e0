"""The ledger's event chain: what chaining costs per event, in the same run, on a real SQLite
file with synchronous = FULL. Chained: `Ledger.batch` of ``--batch`` `add_event`s (what the
service's group commit does). Reference: the same path, the same rows and transactions, with
the event inserted as before the chain (no head lookup, no hash, no update).

    .venv/bin/python benchmarks/ledger_chain.py [--events 5000] [--batch 20] [--dir /dev/shm]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ivr.ledger import Ledger, sqlite_chain
from ivr.ledger.db import Db
from ivr.ledger.rows import INSERT_EVENT
from ivr.names import EventKind, Source

AT = datetime(2026, 12, 5, 8, tzinfo=UTC)
DETAIL = {"profile": "fr", "language": "fr", "why": "default profile"}


def _ledger(path: Path) -> Ledger:
    ledger = Ledger.open(path)
    ledger.start_call(
        "1.1", started_at=AT, caller_number="+331", caller_name="J", profile="fr", language="fr"
    )
    return ledger


def chained(folder: Path, events: int, batch: int) -> float:
    folder.mkdir(exist_ok=True)
    ledger = _ledger(folder / "ledger.sqlite3")
    write = lambda store: store.add_event(  # noqa: E731
        "1.1", at=AT, kind=EventKind.NOTICE_DONE, source=Source.DIALPLAN, detail=DETAIL
    )
    started = time.perf_counter()
    for _ in range(events // batch):
        ledger.batch([write] * batch)
    elapsed = time.perf_counter() - started
    ledger.close()
    return elapsed


def plain(folder: Path, events: int, batch: int) -> float:
    """The same `Ledger.batch` path with the event inserted as before the chain."""
    chaining = sqlite_chain.insert_event
    sqlite_chain.insert_event = _unchained
    try:
        return chained(folder / "plain", events, batch)
    finally:
        sqlite_chain.insert_event = chaining


def _unchained(db: Db, values: tuple[str, str, str, str, str | None]) -> int:
    seq = db.execute(INSERT_EVENT, values).lastrowid
    assert seq is not None
    return seq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"chained": [], "plain": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.dir) as folder:
            runs["plain"].append(plain(Path(folder), args.events, args.batch))
            runs["chained"].append(chained(Path(folder), args.events, args.batch))
    per_event = {k: statistics.median(v) / args.events * 1e6 for k, v in runs.items()}
    for name, micros in per_event.items():
        print(f"{name:8} {micros:8.1f} µs/event")
    print(f"chained / plain: {per_event['chained'] / per_event['plain']:.2f}x")


if __name__ == "__main__":
    main()
