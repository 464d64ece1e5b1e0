"""``ivr ledger``: read the consent ledger (``show`` one call, ``list`` calls). Read-only.

The ledger is found from ``--ledger PATH``, else ``--sandbox`` (that of ``ivr run
--sandbox``), else ``--config FILE`` (its ``ledger.path``, which ``IVR_LEDGER_PATH`` overrides,
as for the service), else ``IVR_LEDGER_PATH``, else the configuration named by ``IVR_CONFIG``,
else the installed one, ``/etc/ivr/ivr.toml`` (docs/admin.md), when it exists. Caller-controlled
text is printed with control characters escaped, so a hostile caller ID cannot drive the
terminal. Every read is audited with the OS user (see `ledger_access`); ``show`` needs
``--reason``, ``list`` shows the callers only with one. Exit status: 0, 1 for an unknown call
id, 2 when the ledger cannot be read or the read cannot be audited.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ivr.cli import ledger_verify
from ivr.cli.ledger_access import (
    AccessRefused,
    add_reason_option,
    masked_summary,
    reason_of,
    record_read,
    require_reason,
)
from ivr.ledger import CallRecord, CallSummary, Event, LedgerError
from ivr.ledger.codec import dumps_json, printable
from ivr.store.opening import open_ledger
from ivr.store.url import StoreUrl

Subparsers = Any  # argparse's _SubParsersAction is private
Handler = Callable[[argparse.Namespace], int]

ENV_LEDGER = "IVR_LEDGER_PATH"
ENV_CONFIG = "IVR_CONFIG"
INSTALLED_CONFIG = Path("/etc/ivr/ivr.toml")  # where docs/admin.md puts the service's file
_AGE = re.compile(r"(\d+)([smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_CELL = 40  # longest table cell; `show` prints everything


class _CliError(Exception):
    """No usable ledger was named: the message says why."""


def register(commands: Subparsers) -> None:
    ledger = commands.add_parser("ledger", help="read the consent ledger")
    actions = ledger.add_subparsers(dest="action", required=True, metavar="ACTION")

    show = actions.add_parser("show", help="one call: its fields, then one line per event")
    show.add_argument("call_id", metavar="CALL_ID", help="the call's id (its caller channel's)")
    show.add_argument("--json", action="store_true", help="the call as one JSON object")
    add_reason_option(show, required=True)
    _source_options(show)
    show.set_defaults(handler=_guarded(_show))

    listing = actions.add_parser("list", help="calls, newest first")
    listing.add_argument(
        "--since",
        type=parse_since,
        metavar="WHEN",
        help="calls started since an ISO date or time (UTC unless it has an offset) "
        "or an age such as 30m, 2h, 7d",
    )
    listing.add_argument(
        "--limit", type=_positive, default=100, metavar="N", help="at most N calls (100)"
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    add_reason_option(listing, required=False)
    _source_options(listing)
    listing.set_defaults(handler=_guarded(_list))
    ledger_verify.register(actions)


def _source_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--ledger", type=Path, metavar="PATH", help=f"the ledger file (${ENV_LEDGER})"
    )
    source.add_argument("--config", type=Path, metavar="FILE", help="the service's config file")
    # A flag, not `--sandbox [NAME]` as for `ivr run`: an optional value would take CALL_ID.
    source.add_argument(
        "--sandbox",
        action="store_const",
        const="pbx",
        help="the ledger of `ivr run --sandbox` (another instance's: --ledger)",
    )


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """An age (``2h``: that long before `now`) or an ISO 8601 date or time, naive read as UTC."""
    if age := _AGE.fullmatch(text.strip()):
        seconds = int(age[1]) * _SECONDS[age[2]]
        return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-11-01), a time or an age (30m, 2h, 7d)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def ledger_path(args: argparse.Namespace) -> Path | StoreUrl:
    """The ledger to read, from the options or the environment: a file, or the shared store
    a configuration's [store] url names."""
    if args.ledger is not None:
        return Path(args.ledger)
    if getattr(args, "sandbox", None) is not None:
        from ivr.sandbox import layout

        return layout.ledger_path(args.sandbox)
    if args.config is not None:
        return _configured_ledger(Path(args.config))
    if os.environ.get(ENV_LEDGER):  # empty counts as unset, as in ivr.config
        return Path(os.environ[ENV_LEDGER])
    if os.environ.get(ENV_CONFIG):
        return _configured_ledger(Path(os.environ[ENV_CONFIG]))
    if INSTALLED_CONFIG.is_file():
        return _configured_ledger(INSTALLED_CONFIG)
    raise _CliError(
        f"which ledger? {INSTALLED_CONFIG} does not exist: use --config FILE, --ledger PATH "
        f"or --sandbox, or set {ENV_CONFIG} (a configuration) or {ENV_LEDGER}"
    )


def _configured_ledger(config: Path) -> Path | StoreUrl:
    # Imported here: reading a ledger by path must not depend on the service's config.
    from ivr.config import ConfigError, load_settings

    try:
        settings = load_settings(config)
        return settings.store.url or settings.ledger.path
    except ConfigError as exc:
        raise _CliError(str(exc)) from exc


def _guarded(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (LedgerError, _CliError, AccessRefused) as exc:
            print(f"ivr: {exc}", file=sys.stderr)
            return 2

    return run


def _show(args: argparse.Namespace) -> int:
    path = ledger_path(args)
    require_reason(args, printable(args.call_id))
    with open_ledger(path, read_only=True) as ledger:
        call = ledger.get_call(args.call_id)
    outcome = "ok" if call is not None else "not-found"
    record_read(args, path, args.call_id, outcome, {"command": "ledger show"})
    if call is None:
        print(f"ivr: no call {printable(args.call_id)} in {path}", file=sys.stderr)
        return 1
    print(dumps_json(call.to_json()) if args.json else render_call(call))
    return 0


def _list(args: argparse.Namespace) -> int:
    path = ledger_path(args)
    with open_ledger(path, read_only=True) as ledger:
        calls = ledger.list_calls(since=args.since, limit=args.limit)
    shown = bool(reason_of(args))  # the callers' numbers and names, only with a reason
    detail = {"command": "ledger list", "calls": len(calls), "callers_shown": shown}
    record_read(args, path, "*", "ok", detail)
    calls = calls if shown else [masked_summary(call) for call in calls]
    if args.json:
        for call in calls:
            print(dumps_json(call.to_json()))
    else:
        print(render_table(calls))
    return 0


def render_call(call: CallRecord) -> str:
    """Header fields, then one line per event: time, kind, source, detail."""
    started = _time(call.started_at)
    if not call.start_recorded:
        started += "  (start not recorded; earliest time seen)"
    fields = [
        ("call", printable(call.call_id)),
        ("started", started),
        ("ended", _time(call.ended_at) if call.ended_at else "-"),
        ("caller", _caller(call.caller_number, call.caller_name)),
        ("profile", _opt(call.profile)),
        ("language", _opt(call.language)),
        ("notice", _opt(call.notice_hash)),
        ("decision", str(call.decision) if call.decision else "- (call not finished)"),
    ]
    if call.recording is not None:
        rec = call.recording
        fields.append(("recording", f"{printable(rec.path)} ({rec.duration_seconds:g} s)"))
        fields.append(("sha256", rec.sha256))
    lines = [f"{name:<10} {value}" for name, value in fields]
    lines.append(f"events     {len(call.events)}")
    lines += [f"  {_event_line(event)}" for event in call.events]
    return "\n".join(lines)


def _event_line(event: Event) -> str:
    detail = " ".join(
        f"{printable(key)}={printable(value if isinstance(value, str) else dumps_json(value))}"
        for key, value in event.detail.items()
    )
    return f"{_time(event.at)}  {event.kind:<21} {event.source:<11} {detail}".rstrip()


def render_table(calls: Sequence[CallSummary]) -> str:
    header = ("STARTED (UTC)", "CALL", "CALLER", "PROFILE", "LANG", "DECISION", "EVENTS")
    rows = [header] + [_row(call) for call in calls]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _row(call: CallSummary) -> tuple[str, ...]:
    return (
        call.started_at.strftime("%Y-%m-%d %H:%M:%S"),
        _cut(printable(call.call_id)),
        _cut(_caller(call.caller_number, call.caller_name)),
        _cut(_opt(call.profile)),
        _cut(_opt(call.language)),
        str(call.decision) if call.decision else "-",
        str(call.event_count),
    )


def _caller(number: str | None, name: str | None) -> str:
    shown = printable(number) if number else "(no number)"
    return f'{shown} "{printable(name)}"' if name else shown


def _opt(value: str | None) -> str:
    return "-" if value is None else printable(value)


def _cut(text: str) -> str:
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")
