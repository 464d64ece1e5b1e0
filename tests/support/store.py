"""A real PostgreSQL for the tests: one throwaway cluster per run (`ivr.sandbox.db`, Debian's
``postgresql`` package), started here when a test first needs it, and a fresh database per
test. `store_kind` parametrises a test over both backends: it runs on SQLite and on
PostgreSQL, never skipped because a server is absent (the cluster is started, not looked for).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ivr.audit import AuditLog
from ivr.ledger import Ledger
from ivr.ledger.postgres import PgLedger
from ivr.sandbox import db
from ivr.store.opening import open_audit
from ivr.store.url import StoreUrl
from tests.support.outage import owned_cluster
from tests.support.targets import sandbox_prefix

KINDS = ("sqlite", "postgresql")
SITE = "test-site"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[db.DbInfo]:
    with owned_cluster(sandbox_prefix("pytest-db")) as cluster:
        yield cluster


def fresh_database(cluster: db.DbInfo) -> StoreUrl:
    """A new empty database in ``cluster``; its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_admin_url(cluster), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return StoreUrl.parse(cluster.url.rsplit("/", 1)[0] + f"/{name}")


def drop_database(cluster: db.DbInfo, url: StoreUrl) -> None:
    name = url.dsn.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(cluster), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _admin_url(cluster: db.DbInfo) -> str:
    return cluster.url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def pg_url(pg_cluster: db.DbInfo) -> Iterator[StoreUrl]:
    url = fresh_database(pg_cluster)
    yield url
    drop_database(pg_cluster, url)


@dataclass(frozen=True)
class StoreUnderTest:
    """Where a test's ledger and audit log live: SQLite files, or one PostgreSQL database."""

    kind: str
    folder: Path
    url: StoreUrl | None

    @property
    def ledger_location(self) -> Path | StoreUrl:
        return self.url or self.folder / "ledger.sqlite3"

    @property
    def audit_location(self) -> Path | StoreUrl:
        return self.url or self.folder / "audit.sqlite3"

    def open_audit(self, *, site: str = SITE) -> AuditLog:
        return open_audit(self.audit_location, site=site)

    def sql(self, *statements: str) -> None:
        """Run statements on the store behind the ledger's back (tampering, inspection)."""
        if self.url is None:
            db = sqlite3.connect(self.folder / "audit.sqlite3")
            with db:
                for statement in statements:
                    db.execute(statement)
            db.close()
            return
        with psycopg.connect(self.url.dsn, autocommit=True) as pg, pg.transaction():
            for statement in statements:
                pg.execute(statement.encode())

    def config(self) -> dict[str, object]:
        """The ``[store]`` table of a configuration using this store (none for SQLite)."""
        return {} if self.url is None else {"store": {"url": self.url.dsn, "site": SITE}}

    def open_ledger(self, *, read_only: bool = False, site: str = SITE) -> Ledger:
        if self.url is None:
            return Ledger.open(self.folder / "ledger.sqlite3", read_only=read_only)
        return PgLedger.open_url(self.url, site=site, read_only=read_only)


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreUnderTest]:
    if request.param == "sqlite":
        yield StoreUnderTest("sqlite", tmp_path / "var", None)
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = fresh_database(cluster)
    yield StoreUnderTest("postgresql", tmp_path / "var", url)
    drop_database(cluster, url)
