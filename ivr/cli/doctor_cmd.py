"""``ivr doctor``: is this installation ready to run the consent flow? One line per check."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from ivr.config import load_settings
from ivr.doctor.findings import Level
from ivr.doctor.run import DEFAULT_PBX_USER, diagnose

Subparsers = Any


def register(commands: Subparsers) -> None:
    doctor = commands.add_parser("doctor", help="check the PBX, the folders and the prompts")
    doctor.add_argument("--config", type=Path, required=True, help="the service's TOML file")
    doctor.add_argument(
        "--pbx-user",
        default=DEFAULT_PBX_USER,
        metavar="USER",
        help="the user Asterisk runs as, who must read every prompt: a name, or UID:GID for a "
        f"PBX in a chroot or container ({DEFAULT_PBX_USER})",
    )
    doctor.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    findings = asyncio.run(diagnose(load_settings(args.config), args.pbx_user))
    for finding in findings:
        print(finding.line())
    failed = sum(f.level is Level.FAIL for f in findings)
    warned = sum(f.level is Level.WARN for f in findings)
    print(f"{len(findings)} checks: {failed} failed, {warned} warnings")
    return 1 if failed else 0
