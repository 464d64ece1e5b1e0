"""The outbound store, SQLite and PostgreSQL (the `store` fixture runs each test on both): the
facts it gathers, the cap exact under concurrency (issue 19, 2-3; issue 13, 2)."""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ivr.outbound.port import ConsentRecord
from ivr.outbound.postgres import PgOutboundStore
from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.outbound.rules import Rule
from ivr.outbound.store import SqliteOutboundStore

NUMBER = "+33612345678"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris
FR = Campaign("fr-test", SHIPPED["fr"], "Pay TV SA", "pay-tv", ("bloctel", "internal"))
ANYTIME = dataclasses.replace(
    FR, profile=dataclasses.replace(SHIPPED["fr"], windows=None, required_lists=())
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteOutboundStore]:
    opened: SqliteOutboundStore | PgOutboundStore
    if request.param == "sqlite":
        opened = SqliteOutboundStore(tmp_path / "outbound.sqlite3")
    else:
        opened = PgOutboundStore(request.getfixturevalue("pg_url"), site="test-site")
    opened.import_opposition("bloctel", date(2026, 3, 1), ["+33100000000"])
    yield opened  # type: ignore[misc]  # the same methods: the tests use them alone
    opened.close()


def test_the_fifth_attempt_in_thirty_days_is_refused_and_not_counted(
    store: SqliteOutboundStore,
) -> None:
    for day in range(4):
        assert store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=day), True).allowed
    fifth = store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=5), True)
    assert fifth.rule == Rule.CAP
    assert len(store.attempts(NUMBER)) == 4


@pytest.mark.parametrize(
    ("after", "allowed"),
    [(timedelta(days=30), False), (timedelta(days=30, seconds=1), True)],
)
def test_the_cap_rolls_an_attempt_out_after_thirty_days(
    store: SqliteOutboundStore, after: timedelta, allowed: bool
) -> None:
    for minute in range(4):
        assert store.guard(ANYTIME, NUMBER, MONDAY + timedelta(minutes=minute), True).allowed
    # The first attempt is exactly 30 days old at `after` = 30 days: it still counts.
    assert store.guard(ANYTIME, NUMBER, MONDAY + after, True).allowed is allowed


def test_the_cap_is_per_professional_across_campaigns(store: SqliteOutboundStore) -> None:
    sister = dataclasses.replace(ANYTIME, name="fr-other-site")
    other_pro = dataclasses.replace(ANYTIME, name="fr-other-pro", professional="Other SA")
    for minute in range(4):
        which = ANYTIME if minute % 2 else sister
        assert store.guard(which, NUMBER, MONDAY + timedelta(minutes=minute), True).allowed
    assert store.guard(sister, NUMBER, MONDAY + timedelta(hours=1), True).rule == Rule.CAP
    assert store.guard(other_pro, NUMBER, MONDAY + timedelta(hours=1), True).allowed


def test_spellings_share_one_cap(store: SqliteOutboundStore) -> None:
    from ivr.outbound.numbers import normalise

    for minute, written in enumerate(
        ["06 12 34 56 78", "0612345678", "+33612345678", "0612345678"]
    ):
        at = MONDAY + timedelta(minutes=minute)
        assert store.guard(ANYTIME, normalise(written, "FR"), at, True).allowed
    assert store.guard(ANYTIME, NUMBER, MONDAY + timedelta(hours=1), True).rule == Rule.CAP


def _guard_once(path: Path, start: object) -> bool:
    opened = SqliteOutboundStore(path, timeout=30)
    start.wait()  # type: ignore[attr-defined]
    return opened.guard(ANYTIME, NUMBER, MONDAY, True).allowed


def test_concurrent_guards_in_separate_processes_never_exceed_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    SqliteOutboundStore(path).import_opposition("bloctel", date(2026, 3, 1), [])
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(8) as pool:
            pending = pool.starmap_async(_guard_once, [(path, start)] * 12)
            start.set()
            results = pending.get(timeout=60)
    assert results.count(True) == 4
    assert len(SqliteOutboundStore(path).attempts(NUMBER)) == 4


def test_a_refusal_during_a_call_opposes_revokes_and_rests(store: SqliteOutboundStore) -> None:
    store.add_consents([ConsentRecord(NUMBER, MONDAY - timedelta(days=9), "web", "yes", "pay-tv")])
    store.oppose(NUMBER, MONDAY, "Pay TV SA", who="called party, key 7")
    later = store.facts(ANYTIME, NUMBER, MONDAY + timedelta(minutes=1), True)
    assert later.opposed_on == ("internal",)
    assert later.consents == ()
    assert later.last_refusal == MONDAY
    assert store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=90), True).rule == Rule.OPPOSITION


def test_a_revoked_consent_no_longer_counts(store: SqliteOutboundStore) -> None:
    august = datetime(2026, 8, 11, 9, 0, tzinfo=UTC)
    store.import_opposition("bloctel", date(2026, 8, 10), [])
    store.add_consents([ConsentRecord(NUMBER, MONDAY, "web", "yes", "pay-tv")])
    assert store.guard(ANYTIME, NUMBER, august, True).allowed
    assert store.revoke_consents(NUMBER, august, "dpo") == 1
    assert store.guard(ANYTIME, NUMBER, august + timedelta(seconds=1), True).rule == Rule.CONSENT


def test_an_old_screening_refuses_and_a_new_import_lifts_it(store: SqliteOutboundStore) -> None:
    april = datetime(2026, 4, 6, 9, 0, tzinfo=UTC) + timedelta(days=1)  # Tue 7 April
    assert store.guard(FR, NUMBER, april, True).rule == Rule.LIST_STALE
    store.import_opposition("bloctel", date(2026, 4, 1), ["+33700000000"])
    assert store.guard(FR, NUMBER, april, True).allowed


def test_imports_are_idempotent_and_lists_keep_the_latest_screening(
    store: SqliteOutboundStore,
) -> None:
    assert (
        store.import_opposition("bloctel", date(2026, 2, 1), ["+33100000000", "+33100000001"]) == 1
    )
    facts = store.facts(FR, "+33100000001", MONDAY, True)
    assert facts.opposed_on == ("bloctel",)
    assert facts.screened_on == {"bloctel": date(2026, 3, 1)}


def test_every_decision_is_logged_with_its_rule(store: SqliteOutboundStore) -> None:
    store.guard(FR, NUMBER, MONDAY, True)
    store.guard(FR, NUMBER, MONDAY, False)
    assert [(allowed, rule) for _, _, allowed, rule in store.decisions(NUMBER)] == [
        (True, None),
        (False, "caller-id"),
    ]


def test_purge_removes_attempts_older_than_the_window(store: SqliteOutboundStore) -> None:
    store.guard(ANYTIME, NUMBER, MONDAY, True)
    store.guard(ANYTIME, NUMBER, MONDAY + timedelta(days=70), True)
    assert store.purge(MONDAY + timedelta(days=60), MONDAY) == 1
    assert [a.at for a in store.attempts(NUMBER)] == [MONDAY + timedelta(days=70)]


def test_background_checkpoints_replace_sqlites_and_stop_with_the_store(tmp_path: Path) -> None:
    store = SqliteOutboundStore(tmp_path / "o.sqlite3", checkpoint_every=0.05)
    assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    assert store.guard(ANYTIME, NUMBER, MONDAY, True).allowed
    thread = store._checkpointer
    assert thread is not None
    assert thread.is_alive()
    store.close()
    assert not thread.is_alive()


def test_an_erasure_keeps_the_number_opposed_and_drops_its_attempts_and_decisions(
    store: SqliteOutboundStore,
) -> None:
    store.add_consents([ConsentRecord(NUMBER, MONDAY - timedelta(days=9), "web", "yes", "pay-tv")])
    store.guard(ANYTIME, NUMBER, MONDAY, True)
    assert store.erase(NUMBER, MONDAY + timedelta(hours=1), "erasure request (dpo)") == (1, 1)
    later = MONDAY + timedelta(days=1)
    assert (store.attempts(NUMBER), store.decisions(NUMBER)) == ([], [])
    facts = store.facts(ANYTIME, NUMBER, later, True)
    assert (facts.opposed_on, facts.consents) == (("internal",), ())
    assert store.guard(ANYTIME, NUMBER, later, True).rule == Rule.OPPOSITION


def test_an_erasure_of_a_number_the_store_never_held_keeps_nothing_of_it(
    store: SqliteOutboundStore,
) -> None:
    """An inbound caller's erasure must not create canvassing data about them."""
    assert store.erase(NUMBER, MONDAY, "erasure request (dpo)") is None
    assert store.facts(ANYTIME, NUMBER, MONDAY, True).opposed_on == ()
    assert store.guard(ANYTIME, NUMBER, MONDAY, True).allowed
