"""``ivr listen list``: every live listen, allowed or refused, one JSON object a line, from the
audit log (per agent with ``--agent``, per supervisor with ``--supervisor``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ivr.audit import AuditError
from ivr.cli.audit_cmd import open_audit_of
from ivr.listen.trail import listens

Subparsers = Any


def register(commands: Subparsers) -> None:
    listen = commands.add_parser("listen", help="live listening: who listened to which call")
    actions = listen.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every live listen, oldest first")
    source = listing.add_mutually_exclusive_group(required=True)
    source.add_argument("--audit", metavar="PATH", help="the audit log file")
    source.add_argument("--config", metavar="FILE", help="the service's config file")
    listing.add_argument("--agent", default="", help="only this agent's calls")
    listing.add_argument(
        "--supervisor", default="", help="only this supervisor (person or endpoint)"
    )
    listing.set_defaults(handler=_list)


def _list(args: argparse.Namespace) -> int:
    log = open_audit_of(args)  # --audit FILE|URL, or --config's (file or shared store)
    try:
        rows = log.rows()
    except AuditError as exc:
        print(f"ivr listen list: {exc}", file=sys.stderr)
        return 2
    finally:
        log.close()
    for row in listens(rows, agent=args.agent, supervisor=args.supervisor):
        print(json.dumps(row, ensure_ascii=False))
    return 0
