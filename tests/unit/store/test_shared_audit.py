"""Several sites append to one audit chain at once: the advisory lock keeps it one line,
every row names its site, and `verify` over the whole store finds it intact."""

from __future__ import annotations

import threading

from ivr.audit import Entry
from ivr.audit.postgres import PgAuditLog
from ivr.store.url import StoreUrl


def test_concurrent_writers_of_two_sites_build_one_verifiable_chain(pg_url: StoreUrl) -> None:
    logs = [PgAuditLog(pg_url, site=site) for site in ("site-a", "site-b", "site-a", "site-b")]
    logs[0].head()  # the schema, made once before the race

    def write(log: PgAuditLog, n: int) -> None:
        for i in range(40):
            log.append(Entry(f"2026-11-01T10:00:{i:02d}+00:00", f"w{n}", "dpo", "listen",
                             f"call-{n}-{i}", "", "-", "ok"))  # fmt: skip

    threads = [threading.Thread(target=write, args=(log, n)) for n, log in enumerate(logs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = PgAuditLog(pg_url, site="dpo")
    rows = reader.rows()
    assert [r.seq for r in rows] == list(range(1, 161))
    assert reader.verify() == []
    assert sorted({r.entry.site for r in rows}) == ["site-a", "site-b"]
    for log in [*logs, reader]:
        log.close()


def test_moving_a_row_to_another_site_is_named(pg_url: StoreUrl) -> None:
    log = PgAuditLog(pg_url, site="site-a")
    for i in range(3):
        log.append(Entry("2026-11-01T10:00:00+00:00", "t", "dpo", "listen", f"c{i}", "", "-", "ok"))
    log._kept.db.execute("UPDATE audit SET site = 'site-b' WHERE seq = 2")
    [finding] = log.verify()
    assert (finding.seq, finding.problem.split(":")[0]) == (2, "edited")
    log.close()
