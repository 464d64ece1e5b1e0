"""Checks on the files that hold secrets or personal data, and on encryption at rest.

Every secret the configuration reads from a file (AMI, recordings keys, erasure secret), the
tokens file and the checkpoint key must be readable by the service's user alone: a finding per
file, FAIL when anyone on the machine may read it, a warning when its group may. The ledger and
the audit log hold personal data and get the same check. Recordings kept in clear are a warning.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

from ivr.config.model import Settings
from ivr.config.secret import Secret
from ivr.doctor.findings import Finding, fail, ok, warn


def _from_file(secret: Secret | None) -> Path | None:
    """The file a secret was read from; None when it was written in the configuration."""
    if secret is None:
        return None
    name, _, path = secret.source.partition(" ")
    return Path(path) if name.endswith(("_file", "_files")) and path else None


def _files(settings: Settings) -> Iterator[tuple[str, Path]]:
    compliance = settings.compliance
    secrets = [
        ("AMI secret", settings.ami.secret),
        ("recordings key", compliance.recording_key),
        ("erasure secret", compliance.erasure_secret),
        *(("previous recordings key", key) for key in compliance.previous_keys),
    ]
    for what, secret in secrets:
        path = _from_file(secret)
        if path is not None:
            yield what, path
    yield "tokens file", compliance.tokens_file
    if compliance.checkpoints is not None:
        yield "audit checkpoint key", compliance.checkpoints.key_file
    yield "ledger", settings.ledger.path
    yield "audit log", compliance.audit_path


def _mode_finding(what: str, path: Path) -> Finding | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None  # created later by the service, 0600
    except OSError as exc:
        return fail(what, f"{path}: {exc.strerror}")
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode):
        return warn(what, f"{path} is a symbolic link: check the mode of its target")
    if mode & 0o007:
        return fail(what, f"{path} is open to every user (mode {mode:04o}): chmod 600 {path}")
    if mode & 0o070:
        return warn(what, f"{path} is open to its group (mode {mode:04o}): chmod 600 {path}")
    return ok(what, f"{path}: mode {mode:04o}")


def secret_files(settings: Settings) -> list[Finding]:
    findings = [_mode_finding(what, path) for what, path in _files(settings)]
    return [finding for finding in findings if finding is not None]


def encryption(settings: Settings) -> Finding:
    if settings.compliance.recording_key is None:
        return warn(
            "encryption at rest",
            "recordings are kept unencrypted: set [encryption] key_file "
            "(ivr crypto new-key --out FILE)",
        )
    return ok("encryption at rest", "recordings are encrypted once closed (AES-256-GCM)")
