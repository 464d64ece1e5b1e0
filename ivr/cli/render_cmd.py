"""``ivr render``: write configuration rendered from code where something else consumes it."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from ivr.sandbox import docker_spec

Subparsers = Any  # argparse's _SubParsersAction is private

log = logging.getLogger(__name__)


def register(commands: Subparsers) -> None:
    render = commands.add_parser("render", help="write rendered Asterisk configuration")
    targets = render.add_subparsers(dest="target", required=True, metavar="TARGET")
    docker = targets.add_parser(
        "docker", help="the Docker stack's config (docker/<role>/asterisk/, docker/qa/targets/)"
    )
    docker.add_argument("--out", type=Path, required=True, help="the repository's docker/ folder")
    docker.set_defaults(handler=_docker)


def _docker(args: argparse.Namespace) -> int:
    changed = write_docker(args.out)
    for path in changed:
        print(f"wrote {path}")
    print(f"{args.out}: {'updated' if changed else 'already up to date'}")
    return 0


def write_docker(out: Path) -> list[Path]:
    """Write the stack's rendered files under ``out``; the paths that changed."""
    changed: list[Path] = []
    for role, files in docker_spec.render_stack().items():
        changed += _write_folder(out / role / "asterisk", files, stale_glob="*.conf")
    changed += _write_folder(out / "qa" / "targets", docker_spec.render_targets(), "*.json")
    return changed


def _write_folder(folder: Path, files: dict[str, str], stale_glob: str) -> list[Path]:
    """Make ``folder`` hold exactly ``files`` among those matching ``stale_glob``."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for stale in sorted(folder.glob(stale_glob)):
        if stale.name not in files:
            log.info("removing %s: no longer rendered", stale)
            stale.unlink()
            changed.append(stale)
    for name, text in files.items():
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed
