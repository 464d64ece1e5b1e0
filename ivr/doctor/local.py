"""Checks on this machine: the recordings folder, the prompts, the ledger, the secret file, the
recording policy."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from ivr.config.model import Settings
from ivr.config.recording import RecordingMode
from ivr.doctor.findings import Finding, fail, ok, warn
from ivr.doctor.readable import Reader, unreadable
from ivr.ledger import Ledger, LedgerError
from ivr.names import Prompt
from ivr.prompts import MANIFEST_NAME, Manifest, ManifestError, prompt_path

SECRET_FILE = "secret_file "  # noqa: S105 - how the configuration names a secret read from a file
LOW_SPACE = 1 << 30  # below this, recordings may be cut short: worth a warning


def recordings(settings: Settings) -> Finding:
    folder = settings.recordings.dir
    if not folder.is_dir():
        return fail("recordings folder", f"{folder} is not a folder (recordings.dir)")
    probe = folder / f".ivr-doctor-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return fail("recordings folder", f"{folder}: the service cannot write and delete: {exc}")
    free = shutil.disk_usage(folder).free
    if free < LOW_SPACE:
        return warn("recordings folder", f"{folder}: only {free >> 20} MiB free")
    return ok("recordings folder", f"{folder}: writable, {free >> 30} GiB free")


def prompts(settings: Settings) -> Finding:
    folder = settings.prompts.dir
    try:
        manifest = Manifest.load(folder)
    except FileNotFoundError:
        return fail("prompts", f"none built in {folder}: run ivr prompts build")
    except ManifestError as exc:
        return fail("prompts", str(exc))
    stale = [
        f"{profile}/{language}/{prompt.value}"
        for profile, language, prompt in settings.prompt_keys()
        if _stale(settings, manifest, folder, profile, language, prompt)
    ]
    if stale:
        return fail(
            "prompts", f"missing or older than the texts: {', '.join(stale)}: run ivr prompts build"
        )
    return ok("prompts", f"{folder}: every prompt built from the current texts")


def _stale(
    settings: Settings,
    manifest: Manifest,
    folder: Path,
    profile: str,
    language: str,
    prompt: Prompt,
) -> bool:
    try:
        built = manifest.version(profile, language, prompt)
    except KeyError:
        return True
    current = settings.text_hash(profile, language, prompt)
    return built != current or not (folder / prompt_path(profile, language, prompt)).is_file()


def prompts_readable(settings: Settings, pbx_user: str) -> Finding | None:
    """The PBX plays the prompts as its own user: each one it cannot read is a notice nobody
    hears, and so a call never recorded. None when there are no prompts to check yet."""
    folder = settings.prompts.dir
    if not (folder / MANIFEST_NAME).is_file():
        return None
    check = "prompts readable"
    reader = Reader.parse(pbx_user)
    if reader is None:
        return warn(
            check,
            f"no user {pbx_user!r} on this machine: give --pbx-user NAME (or UID:GID) "
            "to check that the PBX can read the prompts",
        )
    files = [folder / MANIFEST_NAME]
    files += [folder / prompt_path(*key) for key in settings.prompt_keys()]
    blocked = unreadable(reader, files)
    if blocked:
        shown = "; ".join(blocked[:3]) + (f"; and {len(blocked) - 3} more" if blocked[3:] else "")
        return fail(
            check,
            f"{reader.describe()} cannot read {shown}: callers would hear no notice; "
            "run ivr prompts build again (it makes them 0644 in 0755 folders) or fix the modes",
        )
    return ok(check, f"{reader.describe()} can read every prompt and the manifest")


def ledger(settings: Settings) -> Finding:
    path = settings.ledger.path
    if not path.exists():
        parent = path.parent
        if parent.is_dir() and os.access(parent, os.W_OK):
            return ok("ledger", f"{path} will be created at first start")
        return fail("ledger", f"{path} does not exist and {parent} is not writable")
    try:
        with Ledger.open(path, read_only=True) as opened:
            opened.list_calls(limit=1)
    except LedgerError as exc:
        return fail("ledger", str(exc))
    return ok("ledger", f"{path}: readable")


def secret_file(settings: Settings) -> Finding | None:
    source = settings.ami.secret.source
    if not source.startswith(SECRET_FILE):
        return None
    path = Path(source.removeprefix(SECRET_FILE))
    if not path.is_file():
        return fail("AMI secret file", f"{path} is not a file")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return warn("AMI secret file", f"{path} is readable by others (mode {mode:o}): chmod 600")
    return ok("AMI secret file", f"{path}: mode {mode:o}")


def recording_policy(settings: Settings) -> Finding:
    """Without [recording], nothing is recorded: lawful, but rarely what was meant."""
    policy = settings.recording
    if policy.mode is RecordingMode.LEGAL_OBLIGATION:
        return ok("recording policy", f"every call, legal obligation: {policy.legal_reference}")
    if policy.records_nothing:
        return warn(
            "recording policy",
            "no call will ever be recorded: set [recording] fraction above 0 and declare "
            '[[recording.periods]] (or mode = "legal-obligation")',
        )
    return ok(
        "recording policy",
        f"sampled: {policy.fraction:.0%} of the calls in {len(policy.periods)} declared "
        f"period(s), {policy.timezone}",
    )
