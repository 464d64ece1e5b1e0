"""The guard page's reads from the shared PostgreSQL store (a real throwaway cluster): the
decisions every site's guard wrote read as they do from the SQLite file, and the page's figures
come from the store [store] url names."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.ledger.postgres import PgLedger
from ivr.names import Decision
from ivr.outbound.config import load_outbound
from ivr.outbound.postgres import PgOutboundStore
from ivr.outbound.reads import OutboundReader, PgOutboundReader
from ivr.outbound.service import Outbound
from ivr.outbound.store import SqliteOutboundStore
from ivr.store.url import StoreUrl
from ivr.web.dashboard.guard_data import guard_figures
from ivr.web.dashboard.sites import site_finder
from tests.unit.web.conftest import Site
from tests.unit.web.test_dashboard_guard import CAMPAIGNS


def decide(outbound: Outbound, now: datetime) -> None:
    outbound.import_opposition("bloctel", now.date(), ["0699999999"])
    outbound.guard("0611111111", "web-open", now, shown=True)
    outbound.guard("0622222222", "web-open", now, shown=False)
    outbound.guard("0633333333", "web-stale", now, shown=True)
    outbound.guard("0644444444", "no-such-campaign", now, shown=True)


async def test_the_shared_store_reads_as_the_sqlite_file(
    site: Site, pg_url: StoreUrl, tmp_path: Path
) -> None:
    with site.settings.path.open("a", encoding="utf-8") as config:
        config.write(CAMPAIGNS)
    settings = load_outbound(site.settings)
    now = datetime.now(UTC)
    sqlite = SqliteOutboundStore(tmp_path / "elsewhere.sqlite3")
    shared = PgOutboundStore(pg_url, site="site-a")
    for store in (sqlite, shared):
        decide(Outbound(settings, store), now)
        store.close()
    since = now - timedelta(days=1)
    from_file = OutboundReader(tmp_path / "elsewhere.sqlite3").guard_log(since)
    from_shared = PgOutboundReader(pg_url, "dashboard").guard_log(since)
    assert from_shared.refusals == from_file.refusals
    assert {rule for _, rule, _ in from_shared.refusals} == {"caller-id", "list-stale", "campaign"}
    assert from_shared.by_campaign == from_file.by_campaign
    assert from_shared.latest == from_file.latest
    assert [(r.name, r.screened_on) for r in from_shared.lists] == [("bloctel", now.date())]

    # The page reads the store [store] url names, not the (absent) SQLite file.
    with_url = dataclasses.replace(
        site.settings, store=dataclasses.replace(site.settings.store, url=pg_url)
    )
    figures = await guard_figures(with_url, since, now.date())
    assert figures.error is None
    assert figures.log.by_campaign == from_file.by_campaign
    assert not settings.store.exists()


async def test_each_calls_site_is_the_one_the_shared_ledger_names(
    site: Site, pg_url: StoreUrl
) -> None:
    now = datetime.now(UTC)
    for name, call_id in (("lyon", "1800000001.1"), ("lille", "1800000001.2")):
        ledger = PgLedger.open_url(pg_url, site=name)
        ledger.start_call(call_id, started_at=now, caller_number="+33155555555",
                          caller_name=None, profile="fr", language="fr")  # fmt: skip
        ledger.finish_call(call_id, ended_at=now, decision=Decision.NOT_RECORDED)
        ledger.close()
    with_url = dataclasses.replace(
        site.settings, store=dataclasses.replace(site.settings.store, url=pg_url)
    )
    reader = PgLedger.open_url(pg_url, site="dashboard", read_only=True)
    calls = reader.list_calls(since=now - timedelta(days=1))
    reader.close()
    site_of = await site_finder(with_url, calls)
    assert sorted((c.call_id, site_of(c)) for c in calls) == [
        ("1800000001.1", "lyon"),
        ("1800000001.2", "lille"),
    ]
