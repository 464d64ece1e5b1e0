"""``ivr register export``: the GDPR art. 30 record from the configuration, as Markdown (the
default) or JSON, to standard output or a file; the export is written to the audit log.
``ivr crypto new-key`` prints a fresh recordings key; ``ivr crypto encrypt FILE…`` encrypts
recordings made before encryption was turned on."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from ivr.audit.register import build_record
from ivr.audit.register_md import to_markdown
from ivr.cli.audit_cmd import cli_entry
from ivr.config import load_settings
from ivr.crypto import CryptoError, Keyring, encrypt_recording, new_key_hex
from ivr.crypto.keyfile import create_key_file
from ivr.ledger.codec import dumps_json
from ivr.store.opening import settings_audit

Subparsers = Any


def register(commands: Subparsers) -> None:
    reg = commands.add_parser("register", help="the GDPR art. 30 record of processing")
    actions = reg.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="generate it from the configuration")
    export.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    export.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="default: markdown"
    )
    export.add_argument("--language", help="the notice language to take texts from")
    export.add_argument("--output", type=Path, metavar="PATH", help="a file (default: stdout)")
    export.set_defaults(handler=_export)
    crypto = commands.add_parser("crypto", help="keys and encryption of recordings")
    steps = crypto.add_subparsers(dest="action", required=True, metavar="ACTION")
    new_key = steps.add_parser("new-key", help="a new key (64 hex digits), printed or --out")
    new_key.add_argument("--out", type=Path, metavar="FILE", help="create FILE (0600) with it")
    new_key.set_defaults(handler=_new_key)
    enc = steps.add_parser("encrypt", help="encrypt closed recordings with the current key")
    enc.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    enc.add_argument("files", type=Path, nargs="+", metavar="FILE", help="recordings to encrypt")
    enc.set_defaults(handler=_encrypt)


def _export(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    try:
        record = build_record(settings, args.language)
    except KeyError as exc:
        print(f"ivr: {exc.args[0]}", file=sys.stderr)
        return 2
    text = dumps_json(record) + "\n" if args.format == "json" else to_markdown(record)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    entry = cli_entry(
        "export", "register", "art. 30 record", "ok", dumps_json({"format": args.format})
    )
    with contextlib.closing(settings_audit(settings)) as audit:
        audit.append(entry)
    return 0


def _new_key(args: argparse.Namespace) -> int:
    if args.out is None:
        print(new_key_hex())
        return 0
    try:
        create_key_file(args.out, (new_key_hex() + "\n").encode())
    except CryptoError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print(f"key written to {args.out} (0600)")
    return 0


def _encrypt(args: argparse.Namespace) -> int:
    rules = load_settings(args.config).compliance
    keyring = Keyring.from_secrets(rules.recording_key, rules.previous_keys)
    if keyring.current is None:
        print("ivr: [encryption] has no key: set key_file or IVR_ENCRYPTION_KEY", file=sys.stderr)
        return 2
    failed = 0
    for path in args.files:
        try:
            print(encrypt_recording(path, keyring.current))
        except CryptoError as exc:
            print(f"ivr: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0
