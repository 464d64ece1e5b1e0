"""``ivr audit``: check the audit log (``verify``), print it (``list``), sign its head now
(``checkpoint``) or make the checkpoint key (``new-key``).

Exit status of ``verify``: 0 intact, 1 tampered (each broken row is named), 2 unreadable.
With signed checkpoints (from the configuration, or ``--checkpoints`` and ``--public-key``)
``verify`` also finds a chain rewritten from a deleted row onwards, or a truncated tail.
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
from ivr.audit.checkpoint import CheckpointError
from ivr.cli.audit_keys import checkpoint_command, new_key_command, signed_heads
from ivr.cli.audit_retention import prune_command
from ivr.ledger.codec import dumps_json, printable

Subparsers = Any


def register(commands: Subparsers) -> None:
    audit = commands.add_parser("audit", help="the audit log of accesses and deletions")
    actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="find edited, removed or reordered rows")
    _source(verify)
    verify.add_argument("--checkpoints", type=Path, metavar="FILE", help="signed checkpoints")
    verify.add_argument("--public-key", type=Path, metavar="FILE", help="the checkpoint key")
    verify.set_defaults(handler=_verify)
    listing = actions.add_parser("list", help="the rows, oldest first, one JSON object a line")
    listing.add_argument("--since", type=int, default=0, metavar="SEQ", help="after this row")
    _source(listing)
    listing.set_defaults(handler=_list)
    checkpoint = actions.add_parser("checkpoint", help="sign the chain's head now (for cron)")
    checkpoint.add_argument(
        "--config", type=Path, metavar="FILE", required=True, help="the service's config file"
    )
    checkpoint.set_defaults(handler=checkpoint_command)
    prune = actions.add_parser("prune", help="remove rows older than [audit] retention_days")
    prune.add_argument(
        "--config", type=Path, metavar="FILE", required=True, help="the service's config file"
    )
    prune.set_defaults(handler=prune_command)
    new_key = actions.add_parser("new-key", help="make an Ed25519 checkpoint key (0600)")
    new_key.add_argument(
        "--out", type=Path, metavar="FILE", required=True, help="where to write the private key"
    )
    new_key.set_defaults(handler=new_key_command)


def _source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--audit", metavar="PATH|URL", help="the audit log file, or a postgresql:// store"
    )
    group.add_argument("--config", type=Path, metavar="FILE", help="the service's config file")


def open_audit_of(args: argparse.Namespace) -> AuditLog:
    """``--audit`` (a file or a postgresql:// URL), or the log ``--config`` names."""
    from ivr.store.opening import location, open_audit, settings_audit

    if getattr(args, "audit", None) is not None:
        return open_audit(location(args.audit))
    from ivr.config import load_settings

    return settings_audit(load_settings(args.config))


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
    log = open_audit_of(args)
    try:
        rows = log.rows()
        findings = [str(f) for f in log.verify()]
        signed = signed_heads(args, rows, log.anchor())
    except (AuditError, CheckpointError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    finally:
        log.close()
    if signed is not None:
        findings += [str(m) for m in signed.mismatches]
    for finding in findings:
        print(f"{log.location}: {finding}")
    if findings:
        return 1
    head = rows[-1].hash if rows else "-"
    print(f"{log.location}: intact, {len(rows)} rows, head {head}")
    if signed is None:
        # A truncated tail leaves a valid chain: only signed checkpoints can tell.
        print(f"{log.location}: no signed checkpoints checked ([audit] checkpoint_key_file)")
    else:
        print(f"{log.location}: {signed.summary(rows)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    log = open_audit_of(args)
    try:
        rows = log.rows(since_seq=args.since)
    except AuditError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    finally:
        log.close()
    for row in rows:
        body = {"seq": row.seq, **asdict(row.entry), "hash": row.hash}
        print(printable(dumps_json(body)))
    return 0
