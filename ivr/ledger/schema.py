"""The SQLite ledger's schema and its forward migrations.

`MIGRATIONS[n]` takes a ledger from version n - 1 to n. Each migration runs in one
transaction together with its row in `schema_version`, so a crash leaves the file at the old
version or the new one. A ledger newer than `CURRENT_VERSION` is refused, never written.

Kinds, sources and decisions are checked in Python, not by SQL CHECKs (SQLite cannot alter a
CHECK without rebuilding the table). Adding one is still a schema change: bump the version
(an empty migration will do), so that an older ivr refuses the file with a clear message
instead of failing on a value it cannot name.

Text columns hold `codec.escape_text` of the value; times are `codec.encode_time` strings.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from ivr.ledger.codec import encode_time
from ivr.ledger.errors import LedgerUnreadableError

_TIME = "'____-__-__T__:__:__.______+00:00'"

V1 = (
    """CREATE TABLE schema_version (
        version    INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL
    )""",
    f"""CREATE TABLE calls (
        call_id        TEXT PRIMARY KEY,
        started_at     TEXT NOT NULL CHECK (started_at LIKE {_TIME}),
        start_recorded INTEGER NOT NULL DEFAULT 0 CHECK (start_recorded IN (0, 1)),
        caller_number  TEXT,
        caller_name    TEXT,
        profile        TEXT,
        language       TEXT,
        notice_hash    TEXT,
        ended_at       TEXT CHECK (ended_at LIKE {_TIME}),
        decision       TEXT,
        CHECK ((ended_at IS NULL) = (decision IS NULL))
    )""",
    """CREATE TABLE recordings (
        call_id          TEXT PRIMARY KEY REFERENCES calls (call_id),
        path             TEXT NOT NULL,
        duration_seconds REAL NOT NULL CHECK (duration_seconds >= 0),
        sha256           TEXT NOT NULL CHECK (length(sha256) = 64)
    )""",
    f"""CREATE TABLE events (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id TEXT NOT NULL REFERENCES calls (call_id),
        at      TEXT NOT NULL CHECK (at LIKE {_TIME}),
        kind    TEXT NOT NULL,
        source  TEXT NOT NULL,
        detail  TEXT  -- a JSON object, NULL when empty
    )""",
    "CREATE INDEX events_by_call ON events (call_id, at, seq)",
    "CREATE INDEX calls_by_start ON calls (started_at)",
)

# Retention and erasure: a call's personal data can be removed (`redaction` says why: "purge"
# or "erasure"), its recording's file deleted; the rows stay, as the proof. `erasures` keeps
# one proof per request: a keyed hash of the number, never the number.
V2 = (
    f"ALTER TABLE calls ADD COLUMN redacted_at TEXT CHECK (redacted_at LIKE {_TIME})",
    "ALTER TABLE calls ADD COLUMN redaction TEXT",
    f"ALTER TABLE recordings ADD COLUMN deleted_at TEXT CHECK (deleted_at LIKE {_TIME})",
    "ALTER TABLE recordings ADD COLUMN deletion TEXT",
    f"""CREATE TABLE erasures (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        at           TEXT NOT NULL CHECK (at LIKE {_TIME}),
        subject      TEXT NOT NULL CHECK (length(subject) = 64),
        calls        INTEGER NOT NULL CHECK (calls >= 0),
        recordings   INTEGER NOT NULL CHECK (recordings >= 0),
        requested_by TEXT NOT NULL,
        reason       TEXT NOT NULL
    )""",
)

# Compliance policies: new event kinds (profile-chosen, recording-decided, declined, paused,
# resumed, private) and the decision "private". No table changes; the version tells an older
# ivr that this ledger holds words it does not know.
V3: tuple[str, ...] = ()

# Hardening: the kinds recording-encrypted (a kept file encrypted after its call ended) and
# recording-redacted (a segment silenced, the old hash kept in the event), the source
# "operator" (an administrator's command); the events chained (`ivr.ledger.chain`): each new
# event's hash and its detail's digest. Older events keep NULL there: the chain starts after.
V4 = (
    "ALTER TABLE events ADD COLUMN detail_sha256 TEXT CHECK (length(detail_sha256) = 64)",
    "ALTER TABLE events ADD COLUMN hash TEXT CHECK (length(hash) = 64)",
)

# Live listening: the event kind "listened" (who listened live, from when to when). No table
# changes; the version tells an older ivr that this ledger holds a word it does not know.
V5: tuple[str, ...] = ()

MIGRATIONS: dict[int, tuple[str, ...]] = {1: V1, 2: V2, 3: V3, 4: V4, 5: V5}
CURRENT_VERSION = max(MIGRATIONS)


def version_of(db: sqlite3.Connection, location: str) -> int:
    """The schema version of an open ledger; 0 for an empty file; refuses foreign databases."""
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" in names:
        found: int | None = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        version = found or 0
    elif any(not name.startswith("sqlite_") for name in names):
        raise LedgerUnreadableError(f"{location}: an SQLite file, but not an ivr ledger")
    else:
        version = 0
    if version > CURRENT_VERSION:
        raise LedgerUnreadableError(
            f"{location}: ledger schema version {version} is newer than this ivr knows "
            f"({CURRENT_VERSION}); upgrade ivr"
        )
    return version


def migrate(db: sqlite3.Connection, location: str) -> None:
    """Bring the ledger to `CURRENT_VERSION`, one transaction per version.

    The version is read again inside each write transaction, so two processes opening the same
    new ledger at once do not both run a migration.
    """
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = version_of(db, location)
            if version == CURRENT_VERSION:
                db.execute("COMMIT")
                return
            # A new ledger is made at the current version at once: one schema_version row.
            target = CURRENT_VERSION if version == 0 else version + 1
            for step in range(version + 1, target + 1):
                for statement in MIGRATIONS[step]:
                    db.execute(statement)
            db.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (target, encode_time(datetime.now(UTC))),
            )
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
