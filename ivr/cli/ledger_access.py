"""Who read the ledger from the command line, and why: every ``ivr ledger show`` and ``list``
is written to the audit log with the operating-system user, before anything is printed; a
call's personal data (the caller's number and name) is shown only with ``--reason``.

The audit log is the configuration's ([audit] path) with ``--config``, else the one beside the
ledger (where the service keeps it by default). If the row cannot be written, nothing is shown.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from ivr.audit import AuditError
from ivr.cli.audit_cmd import cli_entry
from ivr.ledger import CallSummary
from ivr.store.opening import open_audit
from ivr.store.url import StoreUrl

REASON_MAX = 500
MASK = "(hidden: give --reason)"


class AccessRefused(Exception):
    """The read cannot be audited, or needs a reason: the message says which."""


def add_reason_option(parser: argparse.ArgumentParser, required: bool) -> None:
    need = "required" if required else "needed to see the callers' numbers and names"
    parser.add_argument(
        "--reason", metavar="TEXT", help=f"why you read it, for the audit log ({need})"
    )


def reason_of(args: argparse.Namespace) -> str:
    return str(getattr(args, "reason", None) or "").strip()[:REASON_MAX]


def require_reason(args: argparse.Namespace, call_id: str) -> str:
    reason = reason_of(args)
    if not reason:
        raise AccessRefused(
            f"call {call_id} holds personal data (the caller's number and name): "
            "say why you read it with --reason TEXT (it goes to the audit log)"
        )
    return reason


def audit_path_for(args: argparse.Namespace, ledger: Path | StoreUrl) -> Path | StoreUrl:
    if isinstance(ledger, StoreUrl):  # a shared store keeps its audit log beside the ledger
        return ledger
    if getattr(args, "config", None) is not None:
        from ivr.config import load_settings

        return load_settings(args.config).compliance.audit_path
    return ledger.with_name("audit.sqlite3")


def record_read(
    args: argparse.Namespace,
    ledger: Path | StoreUrl,
    target: str,
    outcome: str,
    detail: dict[str, object],
) -> None:
    """One audit row for this read; `AccessRefused` if it cannot be written."""
    entry = cli_entry("read", target, reason_of(args), outcome, json.dumps(detail, sort_keys=True))
    log = open_audit(audit_path_for(args, ledger))
    try:
        log.append(entry)
    except AuditError as exc:
        raise AccessRefused(f"the read cannot be audited, so nothing is shown: {exc}") from exc
    finally:
        log.close()


def masked_summary(call: CallSummary) -> CallSummary:
    return replace(call, caller_number=MASK if call.caller_number else None, caller_name=None)
