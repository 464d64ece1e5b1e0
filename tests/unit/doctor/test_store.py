"""`ivr doctor` with ``[store] url``: the shared store reached (or named, with the error, when
it cannot be, never its password), its schema against this ivr's, the local spool's backlog,
the site name. Against a real throwaway PostgreSQL, running and stopped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from ivr.config.model import Settings
from ivr.config.store import default_site
from ivr.doctor.findings import Finding, Level
from ivr.doctor.store import spool_path, store
from ivr.ledger import Ledger
from ivr.ledger.pg_schema import CURRENT_VERSION
from ivr.names import EventKind, Source
from ivr.sandbox import db
from ivr.store.migrate import migrate_store
from ivr.store.url import StoreUrl
from tests.support.outage import stoppable_cluster
from tests.unit.config import sample

PASSWORD = "never-shown-pw"


@pytest.fixture(scope="module")
def stopped() -> Iterator[StoreUrl]:
    with stoppable_cluster("doctor") as cluster:
        db.down(cluster.name)
        yield StoreUrl.parse(cluster.url.replace("ivr@", f"ivr:{PASSWORD}@"))


def settings_for(tmp_path: Path, url: StoreUrl, site: str = "site-a") -> Settings:
    changes = {"store": {"url": url.dsn, "site": site}, "ledger": {"path": str(tmp_path / "l.db")}}
    return sample.settings(tmp_path, changes)


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def test_a_migrated_store_is_reachable_at_this_ivrs_schema(
    tmp_path: Path, pg_url: StoreUrl
) -> None:
    migrate_store(pg_url, site="setup")
    found = by_check(store(settings_for(tmp_path, pg_url)))
    assert found["store"].level is Level.OK
    assert found["store schema"].level is Level.OK
    assert f"version {CURRENT_VERSION}" in found["store schema"].detail


def test_an_empty_store_asks_for_ivr_store_migrate(tmp_path: Path, pg_url: StoreUrl) -> None:
    found = by_check(store(settings_for(tmp_path, pg_url)))
    assert found["store schema"].level is Level.WARN
    assert "ivr store migrate" in found["store schema"].detail


def test_a_store_at_an_older_schema_asks_for_ivr_store_migrate(
    tmp_path: Path, pg_url: StoreUrl
) -> None:
    migrate_store(pg_url, site="setup")
    with psycopg.connect(pg_url.dsn, autocommit=True) as pg:
        pg.execute("UPDATE schema_version SET version = %s", (CURRENT_VERSION - 1,))
    detail = by_check(store(settings_for(tmp_path, pg_url)))["store schema"]
    assert detail.level is Level.WARN
    assert f"version {CURRENT_VERSION - 1}, this ivr writes {CURRENT_VERSION}" in detail.detail
    assert "ivr store migrate" in detail.detail


def test_a_store_newer_than_this_ivr_fails(tmp_path: Path, pg_url: StoreUrl) -> None:
    migrate_store(pg_url, site="setup")
    with psycopg.connect(pg_url.dsn, autocommit=True) as pg:
        pg.execute("UPDATE schema_version SET version = %s", (CURRENT_VERSION + 1,))
    detail = by_check(store(settings_for(tmp_path, pg_url)))["store schema"]
    assert detail.level is Level.FAIL
    assert "upgrade ivr" in detail.detail


def test_a_stopped_store_fails_naming_its_host_and_the_error_never_the_password(
    tmp_path: Path, stopped: StoreUrl
) -> None:
    findings = store(settings_for(tmp_path, stopped))
    reach = by_check(findings)["store"]
    assert reach.level is Level.FAIL
    port = stopped.dsn.rsplit(":", 1)[1].split("/")[0]
    assert f"cannot reach 127.0.0.1:{port}/ivr" in reach.detail
    assert "refused" in reach.detail  # the driver's own reason
    assert "store schema" not in by_check(findings)
    assert all(PASSWORD not in f.line() for f in findings)
    # The spool and the site are still checked: what this host can know without the store.
    assert {"store spool", "store site"} <= set(by_check(findings))


def test_rows_waiting_in_the_spool_are_reported(tmp_path: Path, pg_url: StoreUrl) -> None:
    settings = settings_for(tmp_path, pg_url)
    assert spool_path(settings).parent == tmp_path
    with Ledger.open(spool_path(settings)) as spool:
        spool.start_call("call-1", started_at=datetime.now(UTC), caller_number="0601020304",
                         caller_name=None, profile="fr", language="fr")  # fmt: skip
        spool.add_event(
            "call-1", at=datetime.now(UTC), kind=EventKind.NOTICE_STARTED, source=Source.SERVICE
        )
    detail = by_check(store(settings))["store spool"]
    assert detail.level is Level.WARN
    assert "2 row(s) wait for the database" in detail.detail


def test_an_empty_spool_is_fine(tmp_path: Path, pg_url: StoreUrl) -> None:
    assert by_check(store(settings_for(tmp_path, pg_url)))["store spool"].level is Level.OK


def test_a_site_left_to_the_host_name_is_a_warning(tmp_path: Path, pg_url: StoreUrl) -> None:
    found = by_check(store(settings_for(tmp_path, pg_url, site=default_site())))
    assert found["store site"].level is Level.WARN
    assert "[store] site" in found["store site"].detail
    assert by_check(store(settings_for(tmp_path, pg_url)))["store site"].level is Level.OK


def test_sqlite_files_get_no_store_checks(tmp_path: Path) -> None:
    assert store(sample.settings(tmp_path)) == []
