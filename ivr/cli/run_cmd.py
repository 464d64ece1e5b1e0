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
from ivr.sandbox import access, instance, layout
from ivr.service import runtime
from ivr.web.app import TOKEN_ENV

Subparsers = Any
# The sandbox's own policy (every call recorded), shipped in the package and labelled as such.
SANDBOX_CONFIG = Path(__file__).resolve().parents[1] / "sandbox" / "ivr-sandbox.toml"


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
    settings = _settings(args.config or SANDBOX_CONFIG, args.sandbox)
    if args.sandbox is not None or args.build_prompts:
        build_prompts(settings)  # the PBX plays what this configuration says
    if args.sandbox is not None:
        _announce_sandbox(args.sandbox, settings)
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
        "IVR_AUDIT_PATH": str(access.audit_path(name)),
        "IVR_API_TOKENS_FILE": str(access.tokens_path(name)),
    }


def _announce_sandbox(name: str, settings: Settings) -> None:
    """An admin token for this sandbox's service (the user's IVR_API_TOKEN if set), kept for
    `ivr simulate`, and where to look."""
    http = settings.http
    host = "127.0.0.1" if http.listen_host in ("0.0.0.0", "::", "") else http.listen_host  # noqa: S104
    host = f"[{host}]" if ":" in host else host
    given = access.issue(name, f"http://{host}:{http.listen_port}", os.environ.get(TOKEN_ENV))
    os.environ[TOKEN_ENV] = given.token
    own = Path(settings.path).resolve() == SANDBOX_CONFIG.resolve()
    policy = "the sandbox's own: every call recorded" if own else ""
    pbx = "" if name == instance.DEFAULT_NAME else f" --pbx {name}"
    print(
        f"ivr sandbox {name}: policy {settings.path} ({policy or 'yours'})\n"
        f"  dashboard    {given.dashboard}\n"
        f"  admin token  {given.token}   (this sandbox only; kept in {access.access_path(name)})\n"
        f"  try it       ivr simulate{pbx} docker/qa/scenarios   (in another terminal)",
        flush=True,
    )


def _set_by_user() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key.startswith("IVR_") and value}


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.run(settings, stop)
