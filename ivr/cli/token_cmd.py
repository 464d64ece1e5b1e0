"""``ivr token add --role ROLE``: make an API token, print it once, store only its hash;
``ivr token list``: the tokens' ids, roles and labels (never a hash)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ivr.web.tokens import Role, TokenError, add_token, read_tokens

Subparsers = Any


def register(commands: Subparsers) -> None:
    token = commands.add_parser("token", help="API tokens and their roles")
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="make a token (printed once) and store its hash")
    add.add_argument(
        "--role", required=True, choices=[str(r) for r in Role], help="what the token may do"
    )
    add.add_argument("--label", default="", help="who or what it is for")
    add.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="GROUP",
        help="supervisors: limit to calls of this agent group (repeat for several)",
    )
    _source(add)
    add.set_defaults(handler=_add)
    listing = actions.add_parser("list", help="ids, roles and labels of the stored tokens")
    _source(listing)
    listing.set_defaults(handler=_list)


def _source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--tokens-file", type=Path, metavar="PATH", help="the tokens file itself")
    group.add_argument("--config", type=Path, metavar="FILE", help="its api.tokens_file")


def _path(args: argparse.Namespace) -> Path:
    if args.tokens_file is not None:
        return Path(args.tokens_file)
    from ivr.config import load_settings

    return load_settings(args.config).compliance.tokens_file


def _add(args: argparse.Namespace) -> int:
    path = _path(args)
    try:
        token_id, token = add_token(path, Role(args.role), args.label, tuple(args.group))
    except TokenError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print(f"token {token_id} ({args.role}) added to {path}; it is shown only now:", file=sys.stderr)
    print(token)
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        stored = read_tokens(_path(args))
    except TokenError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    for item in stored:
        who = item.principal
        groups = f"  groups: {', '.join(sorted(who.groups))}" if who.groups else ""
        print(f"{who.token_id}  {who.role:<10}  {who.label}{groups}".rstrip())
    return 0
