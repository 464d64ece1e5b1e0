"""[store]: where the ledger and the audit log live, and which site this service is.

``url`` unset keeps the SQLite files ([ledger] path, [audit] path). ``spool`` is the local
file where the call flow's rows wait, durably, while the store cannot be reached (default:
``store-spool.sqlite3`` beside [ledger] path). ``site`` names this
service's PBX/site on every call, event and audit row it writes to a shared store; it
defaults to the host name, so two services on two hosts never mix up their rows.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

from ivr.config.reader import Table, shown
from ivr.store.url import StoreUrl, StoreUrlError

KEYS = ("url", "site", "spool")
_SITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}")


def default_site() -> str:
    return socket.gethostname() or "localhost"


@dataclass(frozen=True)
class StoreSettings:
    url: StoreUrl | None = None  # None: the SQLite files
    site: str = field(default_factory=default_site)
    spool: Path | None = None  # where writes wait while the store is away (None: beside the ledger)


def read_store(table: Table) -> StoreSettings:
    url = None
    if "url" in table:
        try:
            url = StoreUrl.parse(table.string("url"))
        except StoreUrlError as exc:
            raise table.error("url", str(exc)) from None
    site = table.string("site", default_site())
    if not _SITE.fullmatch(site):
        raise table.error(
            "site", f"letters, digits and _ . : - (at most 63), starting alnum; got {shown(site)}"
        )
    return StoreSettings(url, site, table.optional_path("spool"))
