"""``ivr outbound``: the canvassing guard's data, from the shell or a script (``--json``).

``check`` explains a decision rule by rule and records no attempt; ``opposition import``,
``consent import``, ``consent revoke`` feed the store; ``attempts`` lists a number's attempts.
Commands that read a consumer's data (``check``, ``attempts``) are written to the audit log.
The configuration is ``--config FILE``, else ``$IVR_CONFIG``, else /etc/ivr/ivr.toml.
Exit status: 0 (for ``check``: allowed), 1 refused, 2 bad input or unusable configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ivr.audit import AuditError
from ivr.cli.audit_cmd import cli_entry
from ivr.config import load_settings
from ivr.outbound.config import load_outbound
from ivr.outbound.service import Outbound, OutboundInputError, decision_json
from ivr.outbound.store import SqliteOutboundStore
from ivr.outbound.stores import AnyOutboundStore, open_outbound_store
from ivr.store.opening import audit_location, open_audit

Subparsers = Any
Handler = Callable[[argparse.Namespace, Outbound], int]
DEFAULT_CONFIG = Path("/etc/ivr/ivr.toml")


def register(commands: Subparsers) -> None:
    outbound = commands.add_parser("outbound", help="the outbound canvassing guard")
    actions = outbound.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = _command(actions, "check", "explain the decision for a number, record nothing", _check)
    check.add_argument("number", metavar="NUMBER", help="the consumer's number, any usual form")
    check.add_argument("--campaign", required=True, metavar="NAME", help="a configured campaign")
    check.add_argument("--at", type=_moment, metavar="ISO-TIME", help="decide as of (now)")
    opposition = actions.add_parser("opposition", help="opposition lists")
    opposition_actions = opposition.add_subparsers(dest="what", required=True, metavar="ACTION")
    add = _command(opposition_actions, "import", "add numbers (one a line) to a list", _import)
    add.add_argument("file", type=Path, metavar="FILE", help="one number a line")
    add.add_argument("--source", required=True, metavar="NAME", help="the list: bloctel, ...")
    add.add_argument(
        "--screened-on", type=date.fromisoformat, metavar="DATE", help="the screening's date"
    )
    consent = actions.add_parser("consent", help="consumers' consents")
    consent_actions = consent.add_subparsers(dest="what", required=True, metavar="ACTION")
    imported = _command(consent_actions, "import", "add consents from a CSV file", _consents)
    imported.add_argument(
        "file", type=Path, metavar="FILE.csv", help="number,given_at,source,wording[,...]"
    )
    revoke = _command(consent_actions, "revoke", "revoke a number's consents now", _revoke)
    revoke.add_argument("number", metavar="NUMBER", help="the consumer's number")
    attempts = _command(actions, "attempts", "a number's recorded attempts", _attempts)
    attempts.add_argument("number", metavar="NUMBER", help="the consumer's number")


def _command(actions: Subparsers, name: str, help_: str, handler: Handler) -> Any:
    parser = actions.add_parser(name, help=help_)
    parser.add_argument("--config", type=Path, metavar="FILE", help="the service's config file")
    parser.add_argument("--store", type=Path, metavar="PATH", help="overrides [outbound] store")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=lambda args: _run(args, handler))
    return parser


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run(args: argparse.Namespace, handler: Handler) -> int:
    config = args.config or Path(os.environ.get("IVR_CONFIG") or DEFAULT_CONFIG)
    settings = load_settings(config)
    outbound = load_outbound(settings)
    store: AnyOutboundStore = (  # --store: a SQLite file, whatever [store] says
        SqliteOutboundStore(args.store)
        if args.store
        else open_outbound_store(settings.store, outbound.store)
    )
    args.audit_where = audit_location(settings)  # the file, or the shared store
    try:
        return handler(args, Outbound(outbound, store))
    except (OutboundInputError, OSError, UnicodeDecodeError, AuditError) as exc:
        print(f"ivr outbound: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()


def _audit(args: argparse.Namespace, action: str, number: str) -> None:
    """Before personal data is shown: no audit row, no data."""
    target = "number:" + hashlib.sha256(number.encode()).hexdigest()[:16]
    with contextlib.closing(open_audit(args.audit_where)) as log:
        log.append(cli_entry(f"outbound-{action}", target, action, "ok"))


def _check(args: argparse.Namespace, outbound: Outbound) -> int:
    at = args.at or datetime.now(UTC)
    number = outbound.number(args.number, outbound.campaign(args.campaign).profile.region)
    _audit(args, "check", number)
    decision = outbound.check(number, args.campaign, at)
    if args.json:
        print(json.dumps(decision_json(number, args.campaign, at, decision)))
    else:
        for check in decision.checks:
            print(f"{'ok ' if check.passed else 'NO '} {check.rule.value:<13} {check.detail}")
        print(f"{number}: {'allowed' if decision.allowed else 'refused'} ({args.campaign})")
    return 0 if decision.allowed else 1


def _import(args: argparse.Namespace, outbound: Outbound) -> int:
    with args.file.open(encoding="utf-8") as lines:
        added = outbound.import_opposition(args.source, args.screened_on, lines)
    _say(args, {"list": args.source, "added": added, "screened_on": str(args.screened_on)})
    return 0


def _consents(args: argparse.Namespace, outbound: Outbound) -> int:
    records = outbound.consents_from_csv(args.file.read_text(encoding="utf-8"))
    _say(args, {"imported": outbound.store.add_consents(records)})
    return 0


def _revoke(args: argparse.Namespace, outbound: Outbound) -> int:
    number = outbound.number(args.number)
    who = f"cli:{os.environ.get('USER', 'unknown')}"
    _say(
        args,
        {
            "number": number,
            "revoked": outbound.store.revoke_consents(number, datetime.now(UTC), who),
        },
    )
    return 0


def _attempts(args: argparse.Namespace, outbound: Outbound) -> int:
    number = outbound.number(args.number)
    _audit(args, "attempts", number)
    rows = [
        {"at": a.at.isoformat(), "professional": a.professional, "campaign": a.campaign}
        for a in outbound.store.attempts(number)
    ]
    if args.json:
        print(json.dumps({"number": number, "attempts": rows}))
    else:
        for row in rows:
            print(f"{row['at']}  {row['professional']}  {row['campaign']}")
        print(f"{number}: {len(rows)} attempt(s)")
    return 0


def _say(args: argparse.Namespace, result: dict[str, Any]) -> None:
    print(json.dumps(result) if args.json else " ".join(f"{k}={v}" for k, v in result.items()))
