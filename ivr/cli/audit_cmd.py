"""``ivr audit``: check the audit log's hash chain (``verify``) or print it (``list``).

Exit status of ``verify``: 0 intact, 1 tampered (each broken row is named), 2 unreadable.
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ivr.audit import AuditError, AuditLog, Entry, now_text
from ivr.ledger.codec import dumps_json, printable

Subparsers = Any


def register(commands: Subparsers) -> None:
    audit = commands.add_parser("audit", help="the audit log of accesses and deletions")
    actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="find edited, removed or reordered rows")
    _source(verify)
    verify.set_defaults(handler=_verify)
    listing = actions.add_parser("list", help="the rows, oldest first, one JSON object a line")
    listing.add_argument("--since", type=int, default=0, metavar="SEQ", help="after this row")
    _source(listing)
    listing.set_defaults(handler=_list)


def _source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--audit", type=Path, metavar="PATH", help="the audit log file")
    group.add_argument("--config", type=Path, metavar="FILE", help="the service's config file")


def audit_path(args: argparse.Namespace) -> Path:
    if getattr(args, "audit", None) is not None:
        return Path(args.audit)
    from ivr.config import load_settings

    return load_settings(args.config).compliance.audit_path


def cli_entry(action: str, target: str, reason: str, outcome: str, detail: str = "") -> Entry:
    """An audit entry for a command run by a local administrator."""
    who = f"cli:{getpass.getuser()}"
    return Entry(
        now_text(),
        who,
        "admin",
        action,
        target,
        reason,
        f"cli@{socket.gethostname()}",
        outcome,
        detail,
    )


def _verify(args: argparse.Namespace) -> int:
    log = AuditLog(audit_path(args))
    try:
        rows = log.rows()
        findings = log.verify()
    except AuditError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    for finding in findings:
        print(f"{log.path}: {finding}")
    if findings:
        return 1
    head = rows[-1].hash if rows else "-"
    # A truncated tail leaves a valid chain: compare the count and head with a copy kept away.
    print(f"{log.path}: intact, {len(rows)} rows, head {head}")
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        rows = AuditLog(audit_path(args)).rows(since_seq=args.since)
    except AuditError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    for row in rows:
        body = {"seq": row.seq, **asdict(row.entry), "hash": row.hash}
        print(printable(dumps_json(body)))
    return 0
