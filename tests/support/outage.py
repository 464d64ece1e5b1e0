"""Throwaway PostgreSQL clusters a test run owns: the session's (`tests.support.store.pg_cluster`,
shared by every test and never stopped) and a test module's own, to stop and start again
(``pg_ctl``) while services or checks use it. Either starts afresh from what a killed run left,
but never removes another live run's cluster from under it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ivr.sandbox import db
from tests.support.targets import sandbox_prefix

OWNER_FILE = "pytest-owner"  # the pid of the test run using the cluster


@contextmanager
def owned_cluster(name: str) -> Iterator[db.DbInfo]:
    """The cluster ``name``, made afresh for this run and removed after it."""
    _refuse_if_in_use(name)
    db.remove(name)  # a cluster left by a killed run starts afresh
    try:
        cluster = db.up(name)
        (db.folder(name) / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
        yield cluster
    finally:
        db.remove(name)


@contextmanager
def stoppable_cluster(purpose: str) -> Iterator[db.DbInfo]:
    with owned_cluster(sandbox_prefix(f"pytest-db-{purpose}")) as cluster:
        yield cluster


def _refuse_if_in_use(name: str) -> None:
    """Another live test run's cluster is never removed from under it (it once cost a whole
    CI run 75 errors): two runs on one machine need their own IVR_TEST_SANDBOX_PREFIX."""
    try:
        owner = int((db.folder(name) / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    try:  # a pid reused since by another program is no owner
        alive = b"pytest" in Path(f"/proc/{owner}/cmdline").read_bytes()
    except OSError:
        alive = False
    if owner != os.getpid() and alive:
        pytest.fail(
            f"the PostgreSQL cluster {name!r} belongs to the test run with pid {owner}, still "
            "running: set IVR_TEST_SANDBOX_PREFIX to give this run its own",
            pytrace=False,
        )
