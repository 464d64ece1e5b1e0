"""``ivr run``: the consent service, against a PBX named by a configuration file, or against the
sandbox PBX (``--sandbox``), which it starts if needed."""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import signal
from pathlib import Path
from typing import Any

from ivr.config import load_settings
from ivr.config.model import Settings
from ivr.prompts import build_prompts
from ivr.sandbox import instance, layout
from ivr.service import runtime

Subparsers = Any
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "examples" / "ivr.toml"


def register(commands: Subparsers) -> None:
    run = commands.add_parser("run", help="run the consent service")
    run.add_argument("--config", type=Path, help="the service's TOML configuration")
    run.add_argument(
        "--sandbox",
        nargs="?",
        const=instance.DEFAULT_NAME,
        metavar="NAME",
        help="attach to the sandbox PBX (started if needed); AMI, folders and ledger are its own",
    )
    run.add_argument(
        "--build-prompts",
        action="store_true",
        help="build the prompts from the configuration before starting (implied by --sandbox)",
    )
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if args.config is None and args.sandbox is None:
        raise SystemExit("ivr run: give --config FILE, or --sandbox to try it on the sandbox PBX")
    settings = _settings(args.config or EXAMPLE_CONFIG, args.sandbox)
    if args.sandbox is not None or args.build_prompts:
        build_prompts(settings)  # the PBX plays what this configuration says
    try:
        asyncio.run(_serve(settings))
    except runtime.ServiceError as exc:
        raise SystemExit(f"ivr: {exc}") from exc
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        http = settings.http
        raise SystemExit(
            f"ivr: cannot listen on {http.listen_host}:{http.listen_port}: the port is already "
            f"in use (another ivr run?); choose another http.listen in {settings.path}"
        ) from None
    return 0


def _settings(config: Path, sandbox: str | None) -> Settings:
    if sandbox is None:
        return load_settings(config)
    return load_settings(config, _sandbox_environ(sandbox) | _set_by_user())


def _sandbox_environ(name: str) -> dict[str, str]:
    """The sandbox PBX's coordinates, as the environment variables the loader already knows."""
    info = instance.up(name)
    return {
        "IVR_AMI_HOST": info.ami_host,
        "IVR_AMI_PORT": str(info.ami_port),
        "IVR_AMI_USERNAME": info.service_username,
        "IVR_AMI_SECRET": info.service_secret,
        "IVR_RECORDINGS_DIR": info.recordings_dir,
        "IVR_PROMPTS_DIR": info.sounds_dir,
        "IVR_LEDGER_PATH": str(layout.ledger_path(name)),
    }


def _set_by_user() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key.startswith("IVR_") and value}


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.run(settings, stop)
