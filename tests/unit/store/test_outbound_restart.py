"""The outbound guard on the shared store across a database restart (a real cluster, stopped
and started with pg_ctl): while it is away the guard raises and decides nothing (the caller
refuses: fail closed); once it is back the very first decision is made, on a new connection,
rather than refused because the kept one was cut."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.outbound.postgres import OutboundStoreUnavailable, PgOutboundStore
from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.sandbox import db
from ivr.store.url import StoreUrl
from tests.support.outage import stoppable_cluster

NUMBER = "+33612345678"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANYTIME = Campaign(
    "fr-test",
    dataclasses.replace(SHIPPED["fr"], windows=None, required_lists=()),
    "Pay TV SA",
    "pay-tv",
    ("internal",),
)


@pytest.fixture
def cluster() -> Iterator[db.DbInfo]:
    with stoppable_cluster("outbound") as running:
        yield running


def test_the_first_decision_after_a_restart_is_made_and_none_while_down(
    cluster: db.DbInfo,
) -> None:
    store = PgOutboundStore(StoreUrl.parse(cluster.url), site="site-a")
    try:
        assert store.guard(ANYTIME, NUMBER, MONDAY, True).allowed
        db.down(cluster.name)
        with pytest.raises(OutboundStoreUnavailable, match=r"127\.0\.0\.1"):
            store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=1), True)
        db.up(cluster.name)
        assert store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=2), True).allowed
        # Nothing was recorded of the decision that could not be made.
        assert [a.at for a in store.attempts(NUMBER)] == [MONDAY, MONDAY + timedelta(days=2)]
    finally:
        store.close()


def test_a_restart_between_two_decisions_costs_no_refusal(cluster: db.DbInfo) -> None:
    store = PgOutboundStore(StoreUrl.parse(cluster.url), site="site-a")
    try:
        assert store.guard(ANYTIME, NUMBER, MONDAY, True).allowed
        db.down(cluster.name)
        db.up(cluster.name)  # the kept connection is cut, unknown to the store
        assert store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=1), True).allowed
    finally:
        store.close()
