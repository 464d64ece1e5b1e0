"""``ivr audit prune``: apply the audit log's own retention ([audit] retention_days), as a
daily cron job or by hand; the removal is itself a chained (and checkpointed) row."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from ivr.audit import AuditError
from ivr.audit.checkpoint import CheckpointError


def prune_command(args: argparse.Namespace) -> int:
    from ivr.audit.configured import open_audit_log
    from ivr.cli.audit_cmd import cli_entry
    from ivr.config import load_settings

    settings = load_settings(args.config)
    compliance = settings.compliance
    days = compliance.audit_retention_days
    cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")
    try:
        log = open_audit_log(compliance, settings.store)
        row = log.remove_older_than(cutoff, cli_entry("retention", "audit-log", "", "ok"), days)
    except (AuditError, CheckpointError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    if row is None:
        print(f"{log.location}: no row older than {days} days")
    else:
        print(f"{log.location}: rows older than {days} days removed; recorded as row {row.seq}")
    return 0
