"""Checks on the shared store (``[store] url``): can this host reach it, is its schema the one
this ivr writes, what waits in the local spool, which site this service names itself.

A password in the URL is never shown: the host and the error are named, the URL only through
`StoreUrl.shown`, and the driver's message is scrubbed of the password all the same.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from ivr.config.model import Settings
from ivr.config.store import StoreSettings, default_site
from ivr.doctor.findings import Finding, fail, ok, warn
from ivr.ledger.errors import LedgerUnreadableError
from ivr.ledger.pg_schema import CURRENT_VERSION, version_of
from ivr.store import postgres
from ivr.store.url import StoreUrl, scrub


def store(settings: Settings) -> list[Finding]:
    """The store's findings; none on the SQLite files (the ledger check covers them)."""
    url = settings.store.url
    if url is None:
        return []
    findings = [spool(spool_path(settings)), site(settings.store)]
    try:
        connection = postgres.connect(url, site=settings.store.site)
    except postgres.errors() as exc:
        return [fail("store", f"cannot reach {where(url)}: {scrubbed(exc, url)}"), *findings]
    with connection:
        return [ok("store", f"{url.shown}: reachable"), schema(connection, url), *findings]


def spool_path(settings: Settings) -> Path:
    """Where the call flow's rows wait while the store is away (as the service opens it)."""
    return settings.store.spool or settings.ledger.path.with_name("store-spool.sqlite3")


def where(url: StoreUrl) -> str:
    """``host:port/database`` (or the socket folder), never the user's password."""
    import psycopg.conninfo

    parts = psycopg.conninfo.conninfo_to_dict(url.dsn)
    host = str(parts.get("host") or "the local socket")
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"{host}{port}/{parts.get('dbname', '')}"


def scrubbed(exc: BaseException, url: StoreUrl) -> str:
    return scrub(" ".join(str(exc).split()), url)  # libpq's messages span lines


def schema(connection: Any, url: StoreUrl) -> Finding:
    try:
        version = version_of(postgres.PgDb(connection), url.shown)
        audit = connection.execute("SELECT to_regclass('audit') IS NOT NULL").fetchone()[0]
    except LedgerUnreadableError as exc:
        return fail("store schema", str(exc))
    except postgres.errors() as exc:
        return fail("store schema", f"{url.shown}: cannot read the schema: {scrubbed(exc, url)}")
    if version == 0:
        return warn("store schema", "empty store: run ivr store migrate (or the service makes "
                    "the tables at its first start)")  # fmt: skip
    if version < CURRENT_VERSION or not audit:
        return warn(
            "store schema",
            f"ledger at version {version}, this ivr writes {CURRENT_VERSION}"
            f"{'' if audit else ', no audit table'}: run ivr store migrate before the services",
        )
    return ok("store schema", f"version {version}, as this ivr writes; audit log present")


def spool(path: Path) -> Finding:
    """Rows in the spool wait for the database: the service writes them once it answers."""
    folder = path.parent
    if not path.exists():
        if folder.is_dir() and _writable(folder):
            return ok("store spool", f"{path}: empty (made if the store is ever away)")
        return fail("store spool", f"{folder} is not a writable folder: while the store is "
                    "away, no decision could be kept and no recording would start")  # fmt: skip
    try:
        rows = _spooled_rows(path)
    except sqlite3.Error as exc:
        return fail("store spool", f"{path}: unreadable: {exc}")
    if rows:
        return warn("store spool", f"{path}: {rows} row(s) wait for the database; the service "
                    "writes them, in order, once it reaches the store")  # fmt: skip
    return ok("store spool", f"{path}: empty")


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _spooled_rows(path: Path) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM events)")
        return int(row.fetchone()[0])
    finally:
        db.close()


def site(store: StoreSettings) -> Finding:
    if store.site == default_site():
        return warn("store site", f"{store.site!r}, the host name: set [store] site to name "
                    "this PBX on every row (two services on one host would share it)")  # fmt: skip
    return ok("store site", f"{store.site!r} names this service's rows in the shared store")
