"""Audit log appends: one long-lived connection (AuditLog now) against a connection per row
(what the log did before), in the same run, on a real SQLite file with synchronous = FULL.

    .venv/bin/python benchmarks/audit_append.py [--rows 500] [--runs 3] [--dir /dev/shm]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ivr.audit import AuditLog, Entry


def entry(n: int) -> Entry:
    return Entry("2026-12-05T08:00:00+00:00", "tok1", "auditor", "read", f"c{n}", "", "-", "ok")


def long_lived(folder: Path, rows: int) -> float:
    log = AuditLog(folder / "long.sqlite3")
    started = time.perf_counter()
    for n in range(rows):
        log.append(entry(n))
    elapsed = time.perf_counter() - started
    log.close()
    return elapsed


def per_row(folder: Path, rows: int) -> float:
    """The reference: a fresh AuditLog (so a fresh connection) for every row, then closed."""
    path = folder / "per-row.sqlite3"
    started = time.perf_counter()
    for n in range(rows):
        log = AuditLog(path)
        log.append(entry(n))
        log.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where the files go (a tmpfs?)")
    args = parser.parse_args()
    results: dict[str, list[float]] = {"connection per row": [], "one connection": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            results["connection per row"].append(per_row(Path(tmp), args.rows))
            results["one connection"].append(long_lived(Path(tmp), args.rows))
    reference = statistics.median(results["connection per row"])
    print(f"{'appends/s (median)':<24}{'rows/s':>10}{'vs per row':>12}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:<24}{args.rows / median:>10.0f}{reference / median:>11.2f}x")


if __name__ == "__main__":
    main()
