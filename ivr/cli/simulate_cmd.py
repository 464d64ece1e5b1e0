"""``ivr simulate``: replay the calls of scenario files over real SIP and judge each outcome.

Targets: ``--targets PBX.json CARRIER.json`` (the JSON lines ``ivr sandbox up`` prints, as in
``docker/qa/targets/``), else the sandbox instances ``--pbx``/``--carrier`` (started if they are
not running). The ledger is read through the service's API (``--api`` or ``$IVR_API_URL``, with
``$IVR_API_TOKEN``; against a sandbox, the address and token ``ivr run --sandbox`` left).
Exit status: 0 every call passed, 1 some call failed, 2 nothing could run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from ivr.ami import AmiError
from ivr.simulate import report
from ivr.simulate.errors import SimulateError, TargetError
from ivr.simulate.ledger_api import ENV_TOKEN, ENV_URL, LedgerApi, base_url
from ivr.simulate.scenario import load_paths
from ivr.simulate.session import Plan, simulate
from ivr.simulate.targets import Target, from_file, from_sandbox

Subparsers = Any  # argparse's _SubParsersAction is private
DEFAULT_API = "127.0.0.1:8480"


def register(commands: Subparsers) -> None:
    parser = commands.add_parser("simulate", help="place the calls of scenario files, judge them")
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="SCENARIOS",
        help="scenario files or folders of *.toml",
    )
    parser.add_argument("--pbx", default="pbx", metavar="NAME", help="sandbox PBX (pbx)")
    parser.add_argument(
        "--carrier", default="carrier", metavar="NAME", help="sandbox carrier (carrier)"
    )
    parser.add_argument(
        "--targets",
        nargs=2,
        type=Path,
        metavar=("PBX.json", "CARRIER.json"),
        help="the JSON lines of `ivr sandbox up`, in files, instead of sandbox names",
    )
    parser.add_argument(
        "--api",
        metavar="URL",
        help=f"the service's HTTP API, HOST:PORT or URL (${ENV_URL}; {DEFAULT_API})",
    )
    parser.add_argument("--no-ledger", action="store_true", help="skip the ledger checks")
    parser.add_argument(
        "--concurrency", type=_positive, default=4, metavar="N", help="calls at once (4)"
    )
    parser.add_argument("--report", type=Path, metavar="OUT.json", help="write a JSON report")
    parser.add_argument("--junit", type=Path, metavar="OUT.xml", help="write a JUnit XML report")
    parser.set_defaults(handler=_run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _run(args: argparse.Namespace) -> int:
    try:
        files = load_paths(args.paths)
        plan = Plan(*_targets(args), _api(args), args.concurrency)
        calls = [call for file in files for call in file.calls]
        print(f"ivr simulate: {len(calls)} calls from {len(files)} files", file=sys.stderr)
        results = asyncio.run(simulate(plan, calls))
    except (SimulateError, ValueError) as exc:
        print(f"ivr simulate: {exc}", file=sys.stderr)
        return 2
    except (AmiError, OSError) as exc:
        print(f"ivr simulate: cannot reach the PBX or its carrier: {exc}", file=sys.stderr)
        return 2
    print(report.table(results))
    if plan.api is None:
        print("(ledger not checked: --no-ledger; decision, events and objection times ignored)")
    if args.report:
        report.write_json(results, args.report)
    if args.junit:
        report.write_junit(results, args.junit)
    return 0 if all(r.passed for r in results) else 1


def _targets(args: argparse.Namespace) -> tuple[Target, Target]:
    if args.targets:
        return from_file(args.targets[0]), from_file(args.targets[1])
    from ivr.sandbox.errors import SandboxError

    try:
        return _sandbox(args.pbx, args.carrier)
    except SandboxError as exc:
        raise TargetError(str(exc)) from None


def _sandbox(pbx: str, carrier: str) -> tuple[Target, Target]:
    """The named sandbox pair, started with each other as peers when not running yet."""
    from ivr.sandbox import instance
    from ivr.sandbox.errors import SandboxError
    from ivr.sandbox.spec import Role

    for name, role, peer in ((pbx, Role.PBX, carrier), (carrier, Role.CARRIER, pbx)):
        try:
            running = instance.info(name).pid is not None
        except SandboxError:  # no such instance yet: created below
            running = False
        if not running:
            instance.up(name, role=role, peer=peer)
    return from_sandbox(pbx), from_sandbox(carrier)


def _api(args: argparse.Namespace) -> LedgerApi | None:
    if args.no_ledger:
        return None
    # Against a sandbox PBX, `ivr run --sandbox` left its address and token: nothing to set.
    from ivr.sandbox import access

    issued = None if args.targets else access.read(args.pbx)
    token = os.environ.get(ENV_TOKEN, "") or (issued.token if issued else "")
    if not token:
        raise TargetError(f"set {ENV_TOKEN} to the service's API token, or pass --no-ledger")
    url = args.api or os.environ.get(ENV_URL) or (issued.url if issued else DEFAULT_API)
    return LedgerApi(base_url(url), token)
