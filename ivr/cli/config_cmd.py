"""``ivr config check``: validate a configuration file as the service would, and summarise it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ivr.config import Settings, load_settings
from ivr.config.recording import RecordingMode, RecordingPolicy

Subparsers = Any  # argparse's _SubParsersAction is private


def register(commands: Subparsers) -> None:
    config = commands.add_parser("config", help="check the service's configuration")
    actions = config.add_subparsers(dest="config_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="validate a file (exit 2 with the one error) and print a summary"
    )
    check.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the service's TOML file"
    )
    check.add_argument("--texts", action="store_true", help="also print every rendered prompt")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)  # a ConfigError is printed by ivr.cli.main
    print("\n".join(summary(settings)))
    if args.texts:
        print("\n".join(texts(settings)))
    return 0


def summary(settings: Settings) -> list[str]:
    ami, http, prompts, consent = settings.ami, settings.http, settings.prompts, settings.consent
    lines = [
        f"{settings.path}: valid",
        f"  ami         {ami.username}@{ami.host}:{ami.port} (secret from {ami.secret.source})",
        f"  recordings  {settings.recordings.dir} ({settings.recordings.format})",
        f"  ledger      {settings.ledger.path}",
        f"  http        listen {http.listen}; legal notice at {http.public_url}",
        f"  prompts     {prompts.dir} (studio: {prompts.studio_dir or 'none'})",
        f"  keys        full notice {consent.keys.full_notice}, object {consent.keys.objection}",
        *recording_lines(settings.recording),
    ]
    for profile in consent.profiles.values():
        default = " (default profile)" if profile.name == consent.default_profile else ""
        languages = ", ".join(profile.languages)
        lines.append(
            f"  profile     {profile.name}: {profile.mode}, languages {languages}, "
            f"default {profile.default_language}{default}"
        )
    if settings.environment:
        lines.append(f"  environment {', '.join(settings.environment)}")
    return lines


def recording_lines(policy: RecordingPolicy) -> list[str]:
    """Which calls may be recorded: the first thing an administrator checks, said plainly."""
    if policy.mode is RecordingMode.LEGAL_OBLIGATION:
        return [f"  recording   every call (legal obligation: {policy.legal_reference})"]
    if policy.records_nothing:
        why = "no [[recording.periods]]" if policy.fraction > 0 else "no [recording], or fraction 0"
        return [f"  recording   NO call is ever recorded ({why})"]
    share = f"{policy.fraction:.0%} of the calls in these periods ({policy.timezone})"
    lines = [f"  recording   sampled: {share}, none outside them"]
    lines += [f"  period      {period}" for period in policy.periods]
    return lines


def texts(settings: Settings) -> list[str]:
    lines = []
    for profile, language, prompt in settings.prompt_keys():
        version = settings.text_hash(profile, language, prompt)[:12]
        lines += ["", f"[{profile}/{language}/{prompt}] version {version}"]
        lines.append(settings.texts(profile, language)[prompt])
    return lines
