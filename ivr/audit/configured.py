"""The audit log as the configuration describes it: its file, and the checkpoint writer
when [audit] names a key."""

from __future__ import annotations

from ivr.audit.log import AuditLog
from ivr.audit.sinks import CheckpointWriter
from ivr.config.compliance import ComplianceSettings


def open_audit_log(compliance: ComplianceSettings) -> AuditLog:
    writer = None if compliance.checkpoints is None else CheckpointWriter(compliance.checkpoints)
    return AuditLog(compliance.audit_path, on_append=writer)


def checkpoint_now(audit: AuditLog) -> bool:
    """Sign the log's current head if it is not signed yet (periodic task, CLI, shutdown)."""
    writer = audit.on_append
    if not isinstance(writer, CheckpointWriter) or not audit.path.exists():
        return False
    return writer.flush(audit.head())
