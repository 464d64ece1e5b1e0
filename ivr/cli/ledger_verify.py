"""``ivr ledger verify``: the ledger's event chain checked, and compared with the signed
checkpoints of its head (chain "ledger", written by the service with [audit]'s key and sinks).

Exit status: 0 intact, 1 tampered (each broken event named), 2 unreadable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ivr.audit.checkpoint import CheckpointError, Mismatch, check, load_public_key, parse
from ivr.ledger.errors import LedgerError
from ivr.ledger.sqlite import Ledger

Subparsers = Any


def register(actions: Subparsers) -> None:
    verify = actions.add_parser("verify", help="find edited, removed or inserted events")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("--ledger", type=Path, metavar="PATH", help="the ledger file")
    source.add_argument("--config", type=Path, metavar="FILE", help="the service's config file")
    verify.add_argument("--checkpoints", type=Path, metavar="FILE", help="signed checkpoints")
    verify.add_argument("--public-key", type=Path, metavar="FILE", help="the checkpoint key")
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    path, sink, key_file = _sources(args)
    try:
        with Ledger.open(path, read_only=True) as ledger:
            findings, last_seq, _ = ledger.verify_chain()
            problems = [str(f) for f in findings]
            checked = 0
            if sink is not None and key_file is not None:
                mismatches, checked = _signed(ledger, last_seq, sink, key_file)
                problems += [str(m) for m in mismatches]
    except (LedgerError, CheckpointError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"{path}: TAMPERED ({len(problems)} problem(s))")
        return 1
    signed = f"; {checked} signed checkpoint(s) confirm it" if checked else ""
    print(f"{path}: intact, chained up to event {last_seq}{signed}")
    return 0


def _sources(args: argparse.Namespace) -> tuple[Path, Path | None, Path | None]:
    sink, key_file = args.checkpoints, args.public_key
    if args.ledger is not None:
        return Path(args.ledger), sink, key_file
    from ivr.config import load_settings

    settings = load_settings(args.config)
    configured = settings.compliance.checkpoints
    if configured is not None:
        sink, key_file = sink or configured.file, key_file or configured.key_file
    return settings.ledger.path, sink, key_file


def _signed(
    ledger: Ledger, last_seq: int, sink: Path, key_file: Path
) -> tuple[list[Mismatch], int]:
    try:
        lines = sink.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CheckpointError(f"{sink}: cannot read the checkpoints: {exc.strerror}") from None
    key = load_public_key(key_file)
    wanted = []
    for line in lines:
        try:
            point = parse(line, key)
        except ValueError:
            continue  # `check` names it
        if point.chain == "ledger":
            wanted.append(point.seq)
    heads = ledger.chain_hashes(wanted)
    mismatches, checked = check("ledger", heads, last_seq, lines, key)
    if checked == 0 and not mismatches:
        mismatches.append(Mismatch(str(sink), "holds no checkpoint of the ledger's chain"))
    return mismatches, checked
