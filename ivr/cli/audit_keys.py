"""The checkpoint half of ``ivr audit``: the key, signing the head now, checking the
signed heads against the log."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.audit import AuditError, Row
from ivr.audit.checkpoint import (
    CheckpointError,
    Mismatch,
    check,
    load_private_key,
    load_public_key,
    new_private_key,
    public_text,
)
from ivr.crypto import CryptoError
from ivr.crypto.keyfile import create_key_file


@dataclass(frozen=True)
class SignedHeads:
    mismatches: list[Mismatch]
    checked: int
    source: Path

    def summary(self, rows: Sequence[Row]) -> str:
        return f"{self.checked} signed checkpoint(s) in {self.source} confirm it"


def signed_heads(
    args: argparse.Namespace, rows: Sequence[Row], anchor: tuple[int, str] = (0, "")
) -> SignedHeads | None:
    """The log compared with its signed checkpoints, or None when none are configured."""
    sink, key_file = args.checkpoints, args.public_key
    if getattr(args, "config", None) is not None and (sink is None or key_file is None):
        from ivr.config import load_settings

        configured = load_settings(args.config).compliance.checkpoints
        if configured is not None:
            sink, key_file = sink or configured.file, key_file or configured.key_file
    if sink is None and key_file is None:
        return None
    if sink is None or key_file is None:
        raise CheckpointError("checking checkpoints needs both --checkpoints and --public-key")
    try:
        lines = sink.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CheckpointError(f"{sink}: cannot read the checkpoints: {exc.strerror}") from None
    heads = {row.seq: row.hash for row in rows} | ({anchor[0]: anchor[1]} if anchor[0] else {})
    last = rows[-1].seq if rows else 0
    key = load_public_key(key_file)
    mismatches, checked = check("audit", heads, last, lines, key, removed_through=anchor[0])
    if checked == 0 and not mismatches:
        mismatches.append(Mismatch(str(sink), "holds no checkpoint of the audit chain"))
    return SignedHeads(mismatches, checked, sink)


def checkpoint_command(args: argparse.Namespace) -> int:
    from ivr.audit.configured import checkpoint_now, open_audit_log
    from ivr.config import load_settings

    settings = load_settings(args.config)
    compliance = settings.compliance
    if compliance.checkpoints is None:
        print("ivr: [audit] checkpoint_key_file is not set", file=sys.stderr)
        return 2
    try:
        written = checkpoint_now(open_audit_log(compliance, settings.store))
    except (AuditError, CheckpointError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print("checkpoint written" if written else "nothing new to sign")
    return 0


def new_key_command(args: argparse.Namespace) -> int:
    out: Path = args.out
    try:
        create_key_file(out, new_private_key())
    except CryptoError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print(f"public key {public_text(load_private_key(out).public_key())}")
    return 0
