"""A PostgreSQL cluster of a test module's own, to stop and start again (``pg_ctl``) while
services or checks use it: the session's cluster (`tests.support.store.pg_cluster`) is shared
by every test and never stopped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ivr.sandbox import db
from tests.support.targets import sandbox_prefix


@contextmanager
def stoppable_cluster(purpose: str) -> Iterator[db.DbInfo]:
    name = sandbox_prefix(f"pytest-db-{purpose}")
    db.remove(name)  # a cluster left by a killed run starts afresh
    try:
        yield db.up(name)
    finally:
        db.remove(name)
