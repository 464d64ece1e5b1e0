"""Where the store lives: a SQLite file (the embedded default) or a PostgreSQL URL.

``[store] url`` (or ``IVR_STORE_URL``) names it. Unset, the ledger and the audit log stay in
their SQLite files, as before. ``postgresql://user@host:port/db`` (or ``postgres://``) puts
both, for every site, in one PostgreSQL database. A password in the URL is never shown: use
the ``PGPASSFILE`` (~/.pgpass) libpq reads, or keep the URL out of logs with `shown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")
_CONNINFO = re.compile(r"[a-z_]+=\S+(\s+[a-z_]+=\S+)*")


class StoreUrlError(ValueError):
    """A store URL this version cannot use; the message says what is wrong."""


@dataclass(frozen=True)
class StoreUrl:
    dsn: str  # what libpq is given, secret included

    @classmethod
    def parse(cls, text: str) -> StoreUrl:
        if _CONNINFO.fullmatch(text.strip()):  # libpq's other spelling: host=… dbname=…
            if "dbname=" not in text:
                raise StoreUrlError(f"{shown(text)}: name the database (dbname=…)")
            return cls(text.strip())
        parts = urlsplit(text.strip())
        if parts.scheme not in POSTGRES_SCHEMES:
            raise StoreUrlError(
                f"{shown(text)}: a store URL starts with postgresql:// (or is libpq's "
                "host=… dbname=…) "
                "(leave [store] url unset for the SQLite files)"
            )
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            raise StoreUrlError(f"{shown(text)}: name the database (postgresql://host/DBNAME)")
        return cls(text.strip())

    @property
    def shown(self) -> str:
        return shown(self.dsn)

    def __str__(self) -> str:
        return self.shown


def shown(url: str) -> str:
    """The URL with its password replaced by ``***``: fit for messages and logs."""
    if _CONNINFO.fullmatch(url.strip()):
        return re.sub(r"password=\S+", "password=***", url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def is_store_url(location: object) -> bool:
    """True for a PostgreSQL URL or conninfo (a str), False for a file path."""
    if not isinstance(location, str):
        return False
    return urlsplit(location).scheme in POSTGRES_SCHEMES or bool(_CONNINFO.fullmatch(location))


def scrub(text: str, url: StoreUrl) -> str:
    """``text`` (a driver's message, say) with ``url``'s password, if any, as ``***``."""
    if _CONNINFO.fullmatch(url.dsn.strip()):
        found = re.search(r"password=(\S+)", url.dsn)
        secret = found.group(1) if found else None
    else:
        secret = urlsplit(url.dsn).password
    return text.replace(secret, "***") if secret else text
