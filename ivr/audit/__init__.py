"""The audit log: who listened to, downloaded, exported or deleted what, when, why and from
where, and every refused access; hash-chained so that `ivr audit verify` finds any edited,
removed or reordered row (`chain` is the pure part, `log.AuditLog` the SQLite file)."""

from ivr.audit.chain import Entry, Finding, Row, verify
from ivr.audit.log import AuditError, AuditLog, now_text

__all__ = ["AuditError", "AuditLog", "Entry", "Finding", "Row", "now_text", "verify"]
