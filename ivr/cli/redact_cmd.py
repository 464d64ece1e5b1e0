"""``ivr redact CALL --from S --to S --reason R``: silence a segment of a kept recording (card
data recorded anyway, PCI DSS). The file keeps its form (re-encrypted when encrypted), the
ledger gets the new sha256 and a ``recording-redacted`` event keeping the old one, and the
audit log says who did it and why (a failure is audited too).

Exit status: 0 done, 1 the redaction failed, 2 nothing to redact or bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.audit import AuditError
from ivr.audit.configured import open_audit_log
from ivr.cli.audit_cmd import cli_entry
from ivr.config import load_settings
from ivr.config.model import Settings
from ivr.crypto import CryptoError, Keyring
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.codec import printable
from ivr.ledger.errors import LedgerError
from ivr.recordings.files import locate
from ivr.recordings.redact import Redacted, RedactionError, silence
from ivr.store.opening import settings_ledger

Subparsers = Any


def register(commands: Subparsers) -> None:
    redact = commands.add_parser("redact", help="silence a segment of a kept recording")
    redact.add_argument("call", metavar="CALL", help="the call id")
    redact.add_argument(
        "--from", dest="start", type=float, required=True, metavar="S", help="start, seconds"
    )
    redact.add_argument("--to", dest="end", type=float, required=True, metavar="S", help="end")
    redact.add_argument("--reason", required=True, help="why (kept in the audit log)")
    redact.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    redact.set_defaults(handler=_redact)


def _redact(args: argparse.Namespace) -> int:
    if not args.reason.strip():
        print("ivr: --reason must say why", file=sys.stderr)
        return 2
    settings = load_settings(args.config)
    try:
        return asyncio.run(_run(settings, args))
    except (LedgerError, AuditError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    audit = open_audit_log(settings.compliance, settings.store)
    segment = {"from": args.start, "to": args.end}
    async with await settings_ledger(settings) as ledger:
        stored = await ledger.get_recording(args.call)
        path = None
        if stored is not None and stored.deleted_at is None:
            path = locate(stored.path, settings.recordings.dir)
        if path is None or stored is None:
            print(f"ivr: call {printable(args.call)}: no kept recording", file=sys.stderr)
            return 2
        if args.start >= stored.duration_seconds:
            print(f"ivr: --from {args.start:g}: the recording lasts {stored.duration_seconds:g} s")
            return 2
        rules = settings.compliance
        keyring = Keyring.from_secrets(rules.recording_key, rules.previous_keys)
        try:
            done = await asyncio.to_thread(silence, path, args.start, args.end, keyring)
        except (RedactionError, CryptoError, OSError) as exc:
            detail = json.dumps({**segment, "error": str(exc)}, separators=(",", ":"))
            audit.append(cli_entry("redact", args.call, args.reason, "failed", detail))
            print(f"ivr: {printable(str(exc))}", file=sys.stderr)
            return 1
        await _record(ledger, args, segment, done)
    detail = json.dumps({**segment, "old": done.old_sha256, "new": done.new_sha256})
    audit.append(cli_entry("redact", args.call, args.reason, "ok", detail))
    print(f"call {printable(args.call)}: {done.silenced_bytes // 2} samples silenced")
    print(f"sha256 {done.old_sha256} -> {done.new_sha256}")
    return 0


async def _record(
    ledger: AsyncLedger, args: argparse.Namespace, segment: dict[str, float], done: Redacted
) -> None:
    detail: dict[str, str | int | float | None] = {**segment, "reason": args.reason}
    await ledger.rehash_recording(
        args.call, sha256=done.new_sha256, at=datetime.now(UTC), detail=detail
    )
