"""``ivr sandbox``: a throwaway Asterisk 22 on this machine, for tests, QA and trying things."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ivr.sandbox import db, instance
from ivr.sandbox.rootfs import ensure_rootfs, ready_info
from ivr.sandbox.spec import Role

Subparsers = Any  # argparse's _SubParsersAction is private


def register(commands: Subparsers) -> None:
    sandbox = commands.add_parser("sandbox", help="a throwaway Asterisk 22 under chroot")
    actions = sandbox.add_subparsers(dest="action", required=True, metavar="ACTION")

    provision = actions.add_parser("provision", help="build the cached rootfs if needed")
    provision.set_defaults(handler=_provision)

    up = actions.add_parser("up", help="provision (first time) and start an instance")
    _name_option(up)
    up.add_argument(
        "--role", choices=[*Role, "db"], help="pbx (default), carrier or db (PostgreSQL)"
    )
    up.add_argument("--peer", help="the trunk's other end: an instance name or HOST:PORT")
    up.add_argument(
        "--include",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.conf",
        help="add an administrator's dialplan file (repeatable)",
    )
    up.add_argument(
        "--native-rtp",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="load bridge_native_rtp (off by default: it hides in-call DTMF)",
    )
    up.set_defaults(handler=_up)

    down = actions.add_parser("down", help="stop an instance")
    _name_option(down)
    down.set_defaults(handler=_down)

    status = actions.add_parser("status", help="list instances, one JSON line each")
    status.set_defaults(handler=_status)

    cli = actions.add_parser("cli", help="run an Asterisk CLI command on an instance")
    _name_option(cli)
    cli.add_argument("cli_command", metavar="COMMAND", help="an Asterisk CLI command, quoted")
    cli.set_defaults(handler=_cli)


def _name_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", default=instance.DEFAULT_NAME, help="instance name (pbx)")


def _provision(args: argparse.Namespace) -> int:
    path = ensure_rootfs()
    print(json.dumps({"rootfs": str(path)} | (ready_info(path) or {})))
    return 0


def _up(args: argparse.Namespace) -> int:
    if args.role == "db":  # a throwaway PostgreSQL cluster (ivr.sandbox.db)
        name = db.DEFAULT_NAME if args.name == instance.DEFAULT_NAME else args.name
        print(db.as_json(db.up(name)))
        return 0
    info = instance.up(
        args.name,
        role=None if args.role is None else Role(args.role),
        peer=args.peer,
        includes=tuple(args.include),
        native_rtp=args.native_rtp,
    )
    print(json.dumps(asdict(info)))
    return 0


def _down(args: argparse.Namespace) -> int:
    stopped = db.down(args.name) if db.exists(args.name) else instance.down(args.name)
    print(f"{args.name}: {'stopped' if stopped else 'was not running'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    for info in instance.status():
        print(json.dumps(asdict(info) | {"running": info.pid is not None}))
    return 0


def _cli(args: argparse.Namespace) -> int:
    print(instance.cli(args.name, args.cli_command), end="")
    return 0
