"""The cap is exact across sites: 50 guard decisions for one number at the same instant, from
two services (two processes, each site with its own connections) sharing one PostgreSQL store,
allow exactly the cap (4 calls in 30 days) and record exactly those attempts."""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
from datetime import UTC, datetime

import pytest

from ivr.outbound.postgres import PgOutboundStore
from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.store.url import StoreUrl

NUMBER = "+33612345678"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CAMPAIGN = Campaign(
    "race",
    dataclasses.replace(SHIPPED["fr"], windows=None, required_lists=()),
    "Pay TV SA",
    "pay-tv",
    ("internal",),
)


def _service(dsn: str, site: str, start: object, deciders: int) -> list[bool]:
    """One site's service: ``deciders`` guard decisions at once, each on its own connection."""
    stores = [PgOutboundStore(StoreUrl.parse(dsn), site=site) for _ in range(deciders)]
    results: list[bool] = []
    lock = threading.Lock()

    def decide(store: PgOutboundStore) -> None:
        allowed = store.guard(CAMPAIGN, NUMBER, MONDAY, True).allowed
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=decide, args=(store,)) for store in stores]
    start.wait()  # type: ignore[attr-defined]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    return results


def test_fifty_simultaneous_guards_from_two_sites_allow_exactly_the_cap(pg_url: StoreUrl) -> None:
    PgOutboundStore(pg_url, site="setup").close()  # the tables, before the race
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(2) as pool:
            pending = pool.starmap_async(
                _service, [(pg_url.dsn, "site-a", start, 25), (pg_url.dsn, "site-b", start, 25)]
            )
            start.set()
            results = [allowed for site in pending.get(timeout=90) for allowed in site]
    assert len(results) == 50
    assert results.count(True) == CAMPAIGN.profile.cap_attempts == 4
    store = PgOutboundStore(pg_url, site="dpo")
    try:
        assert len(store.attempts(NUMBER)) == 4
        decisions = store.decisions(NUMBER)
        assert len(decisions) == 50
        assert [rule for _, _, allowed, rule in decisions if not allowed] == ["cap"] * 46
    finally:
        store.close()


def test_a_store_that_cannot_be_reached_decides_nothing() -> None:
    """The guard catches `STORE_ERRORS` and answers nothing: the dialplan refuses the call."""
    from ivr.outbound.postgres import OutboundStoreUnavailable
    from ivr.outbound.stores import STORE_ERRORS

    assert OutboundStoreUnavailable in STORE_ERRORS
    with pytest.raises(OutboundStoreUnavailable, match=r"127\.0\.0\.1"):
        PgOutboundStore(StoreUrl.parse("postgresql://ivr@127.0.0.1:1/ivr"), site="a")
