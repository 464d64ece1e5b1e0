"""``ivr prompts build``: render, speak and convert every prompt, with its manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ivr.config import load_settings
from ivr.outbound.config import outbound_texts
from ivr.outbound.prompts import build_outbound_prompts
from ivr.prompts import MANIFEST_NAME, ManifestEntry, PromptError, build_prompts

Subparsers = Any  # argparse's _SubParsersAction is private


def register(commands: Subparsers) -> None:
    prompts = commands.add_parser("prompts", help="build the notices Asterisk plays")
    actions = prompts.add_subparsers(dest="prompts_action", required=True, metavar="ACTION")
    build = actions.add_parser(
        "build",
        help="build <out>/<lang>/ivr-consent/<profile>/<prompt>.wav and the manifest; "
        "only what changed is rebuilt",
    )
    build.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    build.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (default: prompts.dir)"
    )
    build.set_defaults(handler=_build)


def _build(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)  # a ConfigError is printed by ivr.cli.main
    out: Path = args.out or settings.prompts.dir
    try:
        manifest = build_prompts(settings, out, report=_report)
        build_outbound_prompts(outbound_texts(settings), settings.prompts.voice, out)
    except PromptError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    print(f"{out / MANIFEST_NAME}: {len(manifest.entries)} prompts")
    return 0


def _report(entry: ManifestEntry, built: bool) -> None:
    state = "built    " if built else "unchanged"
    print(
        f"{state} {entry.path} ({entry.source}, {entry.duration:.1f} s, "
        f"version {entry.text_sha256[:12]})"
    )
    if entry.studio_outdated:
        print(
            f"ivr: warning: {entry.path}: the text changed since the studio recording was made; "
            "re-record it (ivr config check --texts shows the text)",
            file=sys.stderr,
        )
