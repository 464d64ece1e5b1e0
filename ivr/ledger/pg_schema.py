"""The ledger's schema in PostgreSQL, at the same versions as the SQLite file's (`schema`).

The columns hold the same stored forms as in SQLite (escaped text, fixed-width UTC times), so
the statements in `rows` and `privacy` and their decoders serve both, and `ivr store copy`
moves rows unchanged. PostgreSQL's additions: ``site`` on calls and events (filled from the
connection's ``ivr.site`` setting), and ``rowid`` on calls (SQLite's implicit insertion order,
which `rows.LIST_CALLS` breaks ties with). Migrations run under an advisory lock, so services
of several sites starting at once on a new database run each one once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.ledger.codec import encode_time
from ivr.ledger.db import Db
from ivr.ledger.errors import LedgerUnreadableError

_TIME = "'____-__-__T__:__:__.______+00:00'"
SITE = "TEXT NOT NULL DEFAULT coalesce(current_setting('ivr.site', true), '')"
MIGRATION_LOCK = 0x1E_D6E6  # pg_advisory_xact_lock key of the ledger's migrations

# Version 3 of the SQLite ledger, made at once (PostgreSQL starts at it).
V3: tuple[str, ...] = (
    """CREATE TABLE schema_version (
        version    INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL
    )""",
    f"""CREATE TABLE calls (
        rowid          BIGSERIAL UNIQUE,
        call_id        TEXT PRIMARY KEY,
        site           {SITE},
        started_at     TEXT NOT NULL CHECK (started_at LIKE {_TIME}),
        start_recorded INTEGER NOT NULL DEFAULT 0 CHECK (start_recorded IN (0, 1)),
        caller_number  TEXT,
        caller_name    TEXT,
        profile        TEXT,
        language       TEXT,
        notice_hash    TEXT,
        ended_at       TEXT CHECK (ended_at LIKE {_TIME}),
        decision       TEXT,
        redacted_at    TEXT CHECK (redacted_at LIKE {_TIME}),
        redaction      TEXT,
        CHECK ((ended_at IS NULL) = (decision IS NULL))
    )""",
    """CREATE TABLE recordings (
        call_id          TEXT PRIMARY KEY REFERENCES calls (call_id),
        path             TEXT NOT NULL,
        duration_seconds DOUBLE PRECISION NOT NULL CHECK (duration_seconds >= 0),
        sha256           TEXT NOT NULL CHECK (length(sha256) = 64),
        deleted_at       TEXT,
        deletion         TEXT
    )""",
    f"""CREATE TABLE events (
        seq     BIGSERIAL PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls (call_id),
        site    {SITE},
        at      TEXT NOT NULL CHECK (at LIKE {_TIME}),
        kind    TEXT NOT NULL,
        source  TEXT NOT NULL,
        detail  TEXT
    )""",
    "CREATE INDEX events_by_call ON events (call_id, at, seq)",
    "CREATE INDEX calls_by_start ON calls (started_at)",
    "CREATE INDEX calls_by_site ON calls (site, started_at)",
    f"""CREATE TABLE erasures (
        seq          BIGSERIAL PRIMARY KEY,
        at           TEXT NOT NULL CHECK (at LIKE {_TIME}),
        subject      TEXT NOT NULL CHECK (length(subject) = 64),
        calls        INTEGER NOT NULL CHECK (calls >= 0),
        recordings   INTEGER NOT NULL CHECK (recordings >= 0),
        requested_by TEXT NOT NULL,
        reason       TEXT NOT NULL,
        site         {SITE}
    )""",
)

# The spools replayed into the store (`ivr.store.spool`): one row each, written in the same
# transaction as the spool's rows, so a spool is never replayed twice.
V3 += (
    f"""CREATE TABLE spool_replays (
        id   TEXT PRIMARY KEY,
        site {SITE},
        at   TEXT NOT NULL
    )""",
)

# As SQLite's V4: the events chained (`ivr.ledger.chain`).
V4 = (
    "ALTER TABLE events ADD COLUMN detail_sha256 TEXT CHECK (length(detail_sha256) = 64)",
    "ALTER TABLE events ADD COLUMN hash TEXT CHECK (length(hash) = 64)",
)

# As SQLite's V5: the event kind "listened" (live listening), no table change.
V5: tuple[str, ...] = ()

MIGRATIONS: dict[int, tuple[str, ...]] = {3: V3, 4: V4, 5: V5}
CURRENT_VERSION = max(MIGRATIONS)


def version_of(db: Db, location: str) -> int:
    found = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
    version = (
        int(db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0)
        if found
        else 0
    )
    if version > CURRENT_VERSION:
        raise LedgerUnreadableError(
            f"{location}: ledger schema version {version} is newer than this ivr knows "
            f"({CURRENT_VERSION}); upgrade ivr"
        )
    return version


def migrate(db: Db, location: str) -> int:
    """Bring the database's ledger to `CURRENT_VERSION` in one transaction; the version before."""
    db.execute("BEGIN")
    try:
        db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
        before = version_of(db, location)
        for step in sorted(v for v in MIGRATIONS if v > before):
            for statement in MIGRATIONS[step]:
                db.execute(statement)
        if before < CURRENT_VERSION:
            db.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (CURRENT_VERSION, encode_time(datetime.now(UTC))),
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return before
