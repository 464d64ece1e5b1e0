"""The ``ivr`` command: one sub-command per concern, each in its own module."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ivr.cli import (
    audit_cmd,
    config_cmd,
    doctor_cmd,
    ledger_cmd,
    listen_cmd,
    outbound_cmd,
    prompts_cmd,
    redact_cmd,
    register_cmd,
    render_cmd,
    retention_cmd,
    run_cmd,
    sandbox_cmd,
    simulate_cmd,
    store_cmd,
    token_cmd,
)
from ivr.config import ConfigError
from ivr.sandbox.errors import SandboxError

# What `ivr --help` says first: plain text, no markup.
DESCRIPTION = (
    "ivr: the consent interceptor for Asterisk. Run the service, check its configuration, "
    "read the consent ledger, and manage recordings, keys and the sandbox."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ivr", description=DESCRIPTION)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox_cmd.register(commands)
    render_cmd.register(commands)
    ledger_cmd.register(commands)
    config_cmd.register(commands)
    prompts_cmd.register(commands)
    run_cmd.register(commands)
    simulate_cmd.register(commands)
    doctor_cmd.register(commands)
    audit_cmd.register(commands)
    token_cmd.register(commands)
    retention_cmd.register(commands)
    register_cmd.register(commands)
    outbound_cmd.register(commands)
    redact_cmd.register(commands)
    listen_cmd.register(commands)
    store_cmd.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        code: int = args.handler(args)
    except (SandboxError, ConfigError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
