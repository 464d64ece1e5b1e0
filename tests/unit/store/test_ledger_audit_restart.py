"""The ledger and the audit log on the shared store across a database restart (a real cluster,
stopped and started with pg_ctl) while their kept connections sat idle: the very first read
and write after the restart are served on a new connection (`KeptConnection`), not failed
because the kept one was cut; a transaction that had already written when the connection was
cut fails and is never replayed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from ivr.audit import Entry
from ivr.audit.postgres import PgAuditLog
from ivr.ledger.postgres import PgLedger
from ivr.sandbox import db
from ivr.store.kept import KeptConnection
from ivr.store.url import StoreUrl
from tests.support.outage import stoppable_cluster
from tests.support.store import fresh_database

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLER = "+33612345678"


@pytest.fixture(scope="module")
def cluster() -> Iterator[db.DbInfo]:
    with stoppable_cluster("restart") as running:
        yield running


@pytest.fixture
def url(cluster: db.DbInfo) -> Iterator[StoreUrl]:
    yield fresh_database(cluster)
    db.up(cluster.name)  # a failed test leaves the cluster up for the next


@pytest.fixture
def audit(url: StoreUrl) -> Iterator[PgAuditLog]:
    log = PgAuditLog(url, site="site-a")
    yield log
    log.close()


def restart(cluster: db.DbInfo) -> None:
    """Stop and start the server: every connection kept across it was cut while idle."""
    db.down(cluster.name)
    db.up(cluster.name)


def start(ledger: PgLedger, call_id: str) -> None:
    ledger.start_call(
        call_id,
        started_at=AT,
        caller_number=CALLER,
        caller_name=None,
        profile="default",
        language="fr",
    )


def entry(target: str) -> Entry:
    return Entry("2026-03-02T09:00:00+00:00", "dpo", "dpo", "listen", target, "qa", "-", "ok")


def test_the_first_ledger_read_after_a_restart_is_served(url: StoreUrl, cluster: db.DbInfo) -> None:
    with PgLedger.open_url(url, site="site-a") as ledger:
        start(ledger, "call-1")
        restart(cluster)
        call = ledger.get_call("call-1")
        assert call is not None
        assert call.caller_number == CALLER


def test_the_first_ledger_write_after_a_restart_is_stored(
    url: StoreUrl, cluster: db.DbInfo
) -> None:
    with PgLedger.open_url(url, site="site-a") as ledger:
        start(ledger, "call-1")
        restart(cluster)
        start(ledger, "call-2")
        assert sorted(c.call_id for c in ledger.list_calls(limit=10)) == ["call-1", "call-2"]


def test_the_first_audit_read_after_a_restart_is_served(
    audit: PgAuditLog, cluster: db.DbInfo
) -> None:
    audit.append(entry("call-1"))
    restart(cluster)
    assert [row.entry.target for row in audit.rows()] == ["call-1"]


def test_the_first_audit_append_after_a_restart_is_chained(
    audit: PgAuditLog, cluster: db.DbInfo
) -> None:
    audit.append(entry("call-1"))
    restart(cluster)
    assert audit.append(entry("call-2")).seq == 2
    assert audit.verify() == []


def test_a_transaction_cut_after_it_wrote_fails_and_is_not_replayed(
    url: StoreUrl, cluster: db.DbInfo
) -> None:
    kept = KeptConnection(url, site="site-a")
    try:
        kept.begin().execute("CREATE TABLE written (n INTEGER)")
        kept.db.execute("COMMIT")
        written = kept.begin()
        written.execute("INSERT INTO written VALUES (1)")
        restart(cluster)
        with pytest.raises(psycopg.OperationalError):
            written.execute("INSERT INTO written VALUES (2)")
        # The next transaction begins on a new connection; nothing of the cut one was kept.
        assert kept.begin().execute("SELECT count(*) FROM written").fetchone() == (0,)
        assert kept.db is not written
    finally:
        kept.drop()
