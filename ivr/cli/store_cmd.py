"""``ivr store``: the shared PostgreSQL store: ``migrate`` its schemas, ``copy`` a site's
SQLite files into it (verified)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ivr.config.store import default_site

Subparsers = Any  # argparse's _SubParsersAction is private


def register(commands: Subparsers) -> None:
    store = commands.add_parser("store", help="the shared PostgreSQL store of several sites")
    actions = store.add_subparsers(dest="action", required=True, metavar="ACTION")
    migrate = actions.add_parser("migrate", help="bring the store's schemas to this version")
    _target(migrate, "--url")
    migrate.set_defaults(handler=_migrate)
    copy = actions.add_parser("copy", help="copy a site's SQLite ledger and audit log, verified")
    copy.add_argument(
        "--from", dest="source", type=Path, required=True, metavar="LEDGER",
        help="the site's SQLite ledger file",
    )  # fmt: skip
    copy.add_argument(
        "--audit", type=Path, metavar="FILE", help="its audit log (default: beside the ledger)"
    )
    copy.add_argument("--no-audit", action="store_true", help="copy the ledger only")
    _target(copy, "--to")
    copy.set_defaults(handler=_copy)


def _target(parser: argparse.ArgumentParser, option: str) -> None:
    parser.add_argument(option, dest="url", metavar="URL", help="postgresql://… (or [store] url)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="the service's config file")
    parser.add_argument("--site", help="the site's name (default: [store] site, the host name)")


def _store(args: argparse.Namespace) -> tuple[Any, str]:
    from ivr.config import load_settings
    from ivr.store.url import StoreUrl

    site = args.site
    if args.url is not None:
        return StoreUrl.parse(args.url), site or default_site()
    if args.config is None:
        raise ValueError("name the store: --url/--to postgresql://… or --config FILE")
    settings = load_settings(args.config)
    if settings.store.url is None:
        raise ValueError(f"{args.config}: [store] url is not set")
    return settings.store.url, site or settings.store.site


def _migrate(args: argparse.Namespace) -> int:
    from ivr.ledger.errors import LedgerError
    from ivr.store.migrate import migrate_store

    try:
        url, site = _store(args)
        print(json.dumps(migrate_store(url, site=site)))
    except (ValueError, LedgerError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    return 0


def _copy(args: argparse.Namespace) -> int:
    from ivr.audit.log import AuditError
    from ivr.ledger.errors import LedgerError
    from ivr.store.copy import CopyError, copy_site

    audit = None if args.no_audit else args.audit or args.source.with_name("audit.sqlite3")
    try:
        url, site = _store(args)
        if audit is not None and not audit.is_file():
            raise ValueError(f"{audit}: no such audit log (--audit FILE, or --no-audit)")
        report = copy_site(args.source, audit, url, site)
    except (ValueError, LedgerError, AuditError, CopyError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_json()))
    return 0
