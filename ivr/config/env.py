"""Environment variables that override the file: what differs between hosts, and the secret.

Every variable maps to one dotted key and wins over the file. An empty variable counts as
unset (compose files often pass empty values through). Paths from the environment are taken
relative to the current directory, paths in the file relative to the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.config.errors import ConfigError
from ivr.config.reader import shown


def _path(value: str) -> str:
    return str(Path(value).expanduser().absolute())


@dataclass(frozen=True)
class EnvVar:
    name: str
    key: str  # dotted key in the file
    parse: Callable[[str], object] = str
    replaces: str | None = None  # a key of the file this one makes void (secret vs secret_file)


ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar("IVR_AMI_HOST", "ami.host"),
    EnvVar("IVR_AMI_PORT", "ami.port", int),
    EnvVar("IVR_AMI_USERNAME", "ami.username"),
    EnvVar("IVR_AMI_SECRET", "ami.secret", replaces="ami.secret_file"),
    EnvVar("IVR_AMI_SECRET_FILE", "ami.secret_file", _path, replaces="ami.secret"),
    EnvVar("IVR_RECORDINGS_DIR", "recordings.dir", _path),
    EnvVar("IVR_LEDGER_PATH", "ledger.path", _path),
    EnvVar("IVR_HTTP_LISTEN", "http.listen"),
    EnvVar("IVR_HTTP_PUBLIC_URL", "http.public_url"),
    EnvVar("IVR_PROMPTS_DIR", "prompts.dir", _path),
    EnvVar("IVR_PROMPTS_STUDIO_DIR", "prompts.studio_dir", _path),
    EnvVar("IVR_AUDIT_PATH", "audit.path", _path),
    EnvVar("IVR_API_TOKENS_FILE", "api.tokens_file", _path),
    EnvVar("IVR_ENCRYPTION_KEY", "encryption.key", replaces="encryption.key_file"),
    EnvVar("IVR_ENCRYPTION_KEY_FILE", "encryption.key_file", _path, replaces="encryption.key"),
    EnvVar("IVR_ERASURE_SECRET", "erasure.secret", replaces="erasure.secret_file"),
    EnvVar("IVR_STORE_URL", "store.url"),
    EnvVar("IVR_STORE_SITE", "store.site"),
)


def overlay(
    raw: dict[str, object], environ: Mapping[str, str] | None = None
) -> tuple[dict[str, object], dict[str, str]]:
    """``raw`` with the environment applied, and which dotted keys the environment set."""
    environ = os.environ if environ is None else environ
    present = [var for var in ENV_VARS if environ.get(var.name)]
    _refuse_both_secrets(present)
    origins: dict[str, str] = {}
    for var in present:
        value = _parse(var, environ[var.name])
        section, name = var.key.split(".")
        table = raw.get(section)
        table = dict(table) if isinstance(table, dict) else {}
        if var.replaces is not None:
            table.pop(var.replaces.split(".")[1], None)
        table[name] = value
        raw[section] = table
        origins[var.key] = var.name
    return raw, origins


def _parse(var: EnvVar, value: str) -> object:
    try:
        return var.parse(value)
    except ValueError:
        raise ConfigError(
            f"must be an integer, got {shown(value)}", path=None, key=var.key, env=var.name
        ) from None


def _refuse_both_secrets(present: list[EnvVar]) -> None:
    keys = {var.key: var for var in present}
    for var in present:
        other = keys.get(var.replaces or "")
        if other is not None and var.name < other.name:
            raise ConfigError(
                f"set {var.name} or {other.name}, not both",
                path=None,
                key=var.key,
                env=var.name,
            )
