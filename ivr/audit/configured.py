"""The audit log as the configuration describes it: its file, and the checkpoint writer
when [audit] names a key."""

from __future__ import annotations

from ivr.audit.log import AuditLog
from ivr.audit.sinks import CheckpointWriter
from ivr.config.compliance import ComplianceSettings
from ivr.config.store import StoreSettings


def open_audit_log(compliance: ComplianceSettings, store: StoreSettings | None = None) -> AuditLog:
    """The audit file, or the shared store's log when ``store`` names one."""
    writer = None if compliance.checkpoints is None else CheckpointWriter(compliance.checkpoints)
    if store is not None and store.url is not None:
        from ivr.audit.postgres import PgAuditLog

        return PgAuditLog(store.url, site=store.site, on_append=writer)
    return AuditLog(compliance.audit_path, on_append=writer)


def checkpoint_now(audit: AuditLog) -> bool:
    """Sign the log's current head if it is not signed yet (periodic task, CLI, shutdown)."""
    writer = audit.on_append
    if not isinstance(writer, CheckpointWriter) or not audit.exists():
        return False
    return writer.flush(audit.head())
