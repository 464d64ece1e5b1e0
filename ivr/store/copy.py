"""``ivr store copy``: move one site's SQLite ledger (and audit log) into the shared store,
then prove the move.

The ledger's rows go over in their stored forms, in one PostgreSQL transaction, named with the
site (the events re-chained onto the store's event chain, in their order); a call id the
store already holds stops everything before a row is written. Then every
call is read back through both ledgers' public readers and compared (events, decision,
recording, redaction), and the erasure proofs too: any difference is named.

The audit rows cannot keep their hashes (the shared chain has its own predecessor for each),
so the source chain is verified first (a broken one is refused), its rows are appended to the
shared chain in order, each naming the site, and a last chained row records the source's row
count and head hash: whoever holds the old file can check that it is the chain that was copied.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from ivr.audit.chain import Entry
from ivr.audit.log import AuditLog, now_text
from ivr.audit.postgres import PgAuditLog
from ivr.ledger import sqlite_chain
from ivr.ledger.codec import unescape_text
from ivr.ledger.model import CallRecord
from ivr.ledger.postgres import PgLedger
from ivr.ledger.sqlite import Ledger
from ivr.store.url import StoreUrl

_CALLS = (
    "call_id, started_at, start_recorded, caller_number, caller_name, profile, language, "
    "notice_hash, ended_at, decision, redacted_at, redaction"
)
_RECORDINGS = "call_id, path, duration_seconds, sha256, deleted_at, deletion"
_EVENTS = "call_id, at, kind, source, detail"
_ERASURES = "at, subject, calls, recordings, requested_by, reason"


class CopyError(Exception):
    """The copy was refused or did not verify; the message says which rows."""


@dataclass(frozen=True)
class CopyReport:
    site: str
    calls: int
    events: int
    recordings: int
    erasures: int
    audit_rows: int
    verified: bool

    def to_json(self) -> dict[str, object]:
        return {
            "site": self.site,
            "calls": self.calls,
            "events": self.events,
            "recordings": self.recordings,
            "erasures": self.erasures,
            "audit_rows": self.audit_rows,
            "verified": self.verified,
        }


def copy_site(ledger_file: Path, audit_file: Path | None, url: StoreUrl, site: str) -> CopyReport:
    with (
        Ledger.open(ledger_file, read_only=True) as source,
        PgLedger.open_url(url, site=site) as target,
    ):
        counts = _copy_ledger(source, target)
        _verify_ledger(source, target)
    audit_rows = 0 if audit_file is None else _copy_audit(audit_file, url, site)
    return CopyReport(site, *counts, audit_rows, verified=True)


def _copy_ledger(source: Ledger, target: PgLedger) -> tuple[int, int, int, int]:
    src = source._sqlite()
    tables = {
        "calls": src.execute(f"SELECT {_CALLS} FROM calls ORDER BY rowid").fetchall(),  # noqa: S608
        "recordings": src.execute(f"SELECT {_RECORDINGS} FROM recordings").fetchall(),  # noqa: S608
        "events": src.execute(f"SELECT {_EVENTS} FROM events ORDER BY seq").fetchall(),  # noqa: S608
        "erasures": src.execute(f"SELECT {_ERASURES} FROM erasures ORDER BY seq").fetchall(),  # noqa: S608
    }
    columns = {"calls": _CALLS, "recordings": _RECORDINGS, "events": _EVENTS, "erasures": _ERASURES}
    with target._transaction("BEGIN IMMEDIATE") as db:
        ids = [row[0] for row in tables["calls"]]
        clash = db.execute("SELECT call_id FROM calls WHERE call_id = ANY(?) LIMIT 5", (ids,))
        taken = [row[0] for row in clash]
        if taken:
            raise CopyError(
                f"{target.location}: already holds call(s) {', '.join(taken)}: nothing copied "
                "(was this site copied before? each PBX needs its own call ids: asterisk.conf "
                "systemname)"
            )
        pg = target._pgdb().connection
        for table, rows in tables.items():
            if rows and table != "events":
                marks = ", ".join(["%s"] * len(rows[0]))
                with pg.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} ({columns[table]}) VALUES ({marks})",  # noqa: S608
                        rows,
                    )
        for event in tables["events"]:  # re-chained onto the store's one event chain, in order
            sqlite_chain.insert_event(db, tuple(event))
    calls, recordings, events, erasures = (len(rows) for rows in tables.values())
    return calls, events, recordings, erasures


def _verify_ledger(source: Ledger, target: PgLedger) -> None:
    ids = [unescape_text(row[0]) for row in source._sqlite().execute("SELECT call_id FROM calls")]
    differ = [call_id for call_id in ids if not _same_call(source, target, call_id)]
    if differ:
        raise CopyError(f"{target.location}: copied calls differ from the file: {differ[:5]}")
    mine = [replace(p, seq=0) for p in source.erasures()]
    theirs = [replace(p, seq=0) for p in target.erasures()]
    if any(p not in theirs for p in mine):
        raise CopyError(f"{target.location}: an erasure proof did not arrive intact")


def _same_call(source: Ledger, target: PgLedger, call_id: str) -> bool:
    return (
        _unnumbered(source.get_call(call_id)) == _unnumbered(target.get_call(call_id))
        and source.get_recording(call_id) == target.get_recording(call_id)
        and source.redaction_of(call_id) == target.redaction_of(call_id)
    )


def _unnumbered(call: CallRecord | None) -> CallRecord | None:
    """Event numbers are the store's own: everything else must match."""
    if call is None:
        return None
    return replace(call, events=tuple(replace(e, seq=0) for e in call.events))


def _copy_audit(audit_file: Path, url: StoreUrl, site: str) -> int:
    source = AuditLog(audit_file)
    try:
        findings = source.verify()
        if findings:
            raise CopyError(f"{audit_file}: the audit chain is broken, not copied: {findings[0]}")
        rows = source.rows()
    except sqlite3.Error as exc:
        raise CopyError(f"{audit_file}: {exc}") from exc
    finally:
        source.close()
    target = PgAuditLog(url, site=site)
    try:
        for row in rows:
            target.append(replace(row.entry, site=site))
        head = rows[-1].hash if rows else ""
        detail = {"source": str(audit_file), "rows": len(rows), "head": head}
        target.append(
            Entry(now_text(), "ivr store copy", "admin", "copy", "audit-log",
                  "site moved to the shared store", "cli", "ok",
                  json.dumps(detail, sort_keys=True, separators=(",", ":")), site)
        )  # fmt: skip
        copied = [r.entry for r in target.rows() if r.entry.site == site]
    finally:
        target.close()
    if [replace(row.entry, site=site) for row in rows] != copied[-len(rows) - 1 : -1]:
        raise CopyError(f"{url.shown}: the copied audit rows differ from {audit_file}")
    return len(rows)
