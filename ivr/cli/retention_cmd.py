"""``ivr purge`` (retention, on demand, ``--dry-run`` to see first) and ``ivr erase`` (a
caller's recordings and personal data, on request). Both write to the audit log.

Exit status: 0 done, 1 some recordings could not be deleted, 2 nothing could run.

``ivr purge --now 2027-05-01T03:30:00+00:00`` purges as if it were that moment (an ISO 8601
time with its offset). The option is left out of ``--help``: it exists so tests (and an
administrator checking a retention change) can see what a purge on a given day deletes, without
waiting for that day. The audit row carries that moment as its time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.audit import AuditError
from ivr.cli.audit_cmd import cli_entry
from ivr.config import Settings, load_settings
from ivr.ledger import LedgerError
from ivr.ledger.codec import dumps_json, printable
from ivr.outbound.erasure import erase_outbound
from ivr.retention import ErasureError, PurgeReport, erase_caller, purge
from ivr.retention.daily import audit_purge
from ivr.store.opening import settings_audit, settings_ledger

Subparsers = Any


def register(commands: Subparsers) -> None:
    run = commands.add_parser("purge", help="delete what is past its retention period")
    run.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    run.add_argument("--dry-run", action="store_true", help="say what would go, delete nothing")
    run.add_argument("--now", type=_moment, default=None, help=argparse.SUPPRESS)
    run.set_defaults(handler=_purge)
    erase = commands.add_parser("erase", help="erase a caller's recordings and personal data")
    erase.add_argument(
        "--caller", required=True, metavar="NUMBER", help="the caller's number, as dialled"
    )
    erase.add_argument("--reason", default="erasure request", help="recorded in the proof")
    erase.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    erase.set_defaults(handler=_erase)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give a time zone offset, e.g. +00:00")
    return moment


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    now = datetime.now(UTC) if args.now is None else args.now
    try:
        report = asyncio.run(_run_purge(settings, args.dry_run, now))
    except (LedgerError, AuditError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    verb = "would delete" if report.dry_run else "deleted"
    for call_id in report.recordings:
        print(f"{verb} recording of call {printable(call_id)}")
    for call_id in report.calls:
        print(f"{verb} personal data of call {printable(call_id)}")
    for name in report.orphans:
        print(f"{verb} {printable(name)}: a recording file the ledger does not account for")
    for error in report.errors:
        print(f"ivr: {printable(error)}", file=sys.stderr)
    print(f"{len(report.recordings)} recordings, {len(report.calls)} calls {verb}")
    return 1 if report.errors else 0


async def _run_purge(settings: Settings, dry_run: bool, now: datetime) -> PurgeReport:
    async with await settings_ledger(settings) as ledger:
        rules = settings.compliance.retention
        report = await purge(ledger, rules, settings.recordings.dir, now, dry_run=dry_run)
    with contextlib.closing(settings_audit(settings)) as audit:
        await asyncio.to_thread(audit_purge, audit, report, *_who())
    return report


def _who() -> tuple[str, str, str]:
    entry = cli_entry("purge", "*", "", "")
    return entry.actor, entry.role, entry.origin


def _erase(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    try:
        proof = asyncio.run(_run_erase(settings, args.caller, args.reason))
    except (LedgerError, AuditError, ErasureError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print(dumps_json(proof))
    return 0


async def _run_erase(settings: Settings, number: str, reason: str) -> dict[str, object]:
    audit = settings_audit(settings)
    actor = _who()[0]
    async with await settings_ledger(settings) as ledger:
        proof = await erase_caller(
            ledger,
            settings.compliance.erasure_secret,
            settings.recordings.dir,
            number,
            at=datetime.now(UTC),
            requested_by=actor,
            reason=reason,
        )
    outbound = await asyncio.to_thread(erase_outbound, settings, number, proof.at, actor)
    counts = {"calls": proof.calls, "recordings": proof.recordings, "proof": proof.seq}
    detail = dumps_json({**counts, "outbound": outbound})
    with contextlib.closing(audit):
        await asyncio.to_thread(
            audit.append, cli_entry("erase", proof.subject, reason, "ok", detail)
        )
    return {**proof.to_json(), "outbound": outbound}
