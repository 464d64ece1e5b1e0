"""Readers of the compliance sections: [retention], [audit], [encryption], [erasure], [api].

Secrets (the recordings key, the erasure secret) follow [ami]'s pattern: the value itself or a
file holding it, never both; they are kept as `Secret` so they never reach a log line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from types import MappingProxyType

from ivr.config.audit import (
    AUDIT_KEYS,
    CheckpointSettings,
    IpNetwork,
    read_checkpoints,
    read_trusted_proxies,
)
from ivr.config.reader import Table, shown
from ivr.config.secret import Secret

_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_DAYS = (1, 36500)


@dataclass(frozen=True)
class RetentionPeriod:
    audio_days: int  # recordings are deleted this many days after the call started
    data_days: int  # personal data in the ledger is removed this many days after the call


@dataclass(frozen=True)
class RetentionSettings:
    default: RetentionPeriod = RetentionPeriod(180, 365)
    profiles: Mapping[str, RetentionPeriod] = field(default_factory=dict)
    purge_at: time = time(3, 30)  # UTC time of the daily purge

    def period(self, profile: str | None) -> RetentionPeriod:
        return self.profiles.get(profile or "", self.default)


@dataclass(frozen=True)
class ComplianceSettings:
    retention: RetentionSettings = RetentionSettings()
    audit_path: Path = Path("/var/lib/ivr/audit.sqlite3")
    recording_key: Secret | None = None  # 64 hex digits: AES-256; None = no encryption
    previous_keys: tuple[Secret, ...] = ()  # older keys, to read files they encrypted
    erasure_secret: Secret | None = None  # HMAC key for the proof of erasure
    tokens_file: Path = Path("/etc/ivr/tokens.toml")
    checkpoints: CheckpointSettings | None = None  # signed heads of the audit chain
    trusted_proxies: tuple[IpNetwork, ...] = ()  # whose X-Forwarded-For names the client
    refusals_per_minute: int = 60  # anonymous refusals a client gets before 429s
    audit_retention_days: int = 2190  # audit rows older than this are removed (6 years)


SECTIONS = {
    "retention": ("audio_days", "data_days", "purge_at", "profiles"),
    "audit": AUDIT_KEYS,
    "encryption": ("key", "key_file", "previous_key_files"),
    "erasure": ("secret", "secret_file"),
    "api": ("tokens_file", "trusted_proxies", "refusals_per_minute"),
}


def read_compliance(
    tables: Mapping[str, Table], profiles: tuple[str, ...], ledger: Path
) -> ComplianceSettings:
    """``ledger`` is the ledger's path: the audit log lives beside it unless told otherwise."""
    encryption = tables["encryption"]
    return ComplianceSettings(
        retention=_retention(tables["retention"], profiles),
        audit_path=tables["audit"].path("path", ledger.with_name("audit.sqlite3")),
        recording_key=_key(encryption),
        previous_keys=_previous_keys(encryption),
        erasure_secret=_optional_secret(tables["erasure"], "secret"),
        tokens_file=tables["api"].path("tokens_file", Path("/etc/ivr/tokens.toml")),
        checkpoints=read_checkpoints(tables["audit"]),
        trusted_proxies=read_trusted_proxies(tables["api"]),
        refusals_per_minute=tables["api"].integer("refusals_per_minute", 60, 1, 1_000_000),
        audit_retention_days=tables["audit"].integer("retention_days", 2190, 30, 36500),
    )


def _period(table: Table, default: RetentionPeriod) -> RetentionPeriod:
    return RetentionPeriod(
        table.integer("audio_days", default.audio_days, *_DAYS),
        table.integer("data_days", default.data_days, *_DAYS),
    )


def _retention(table: Table, profiles: tuple[str, ...]) -> RetentionSettings:
    default = _period(table, RetentionPeriod(180, 365))
    own = table.tables("profiles", ("audio_days", "data_days"))
    for name, inner in own.items():
        if name not in profiles:
            raise table.source.error(inner.key, f"profile {shown(name)} is not in consent.profiles")
    periods = {name: _period(inner, default) for name, inner in own.items()}
    return RetentionSettings(default, MappingProxyType(periods), _time_of_day(table))


def _time_of_day(table: Table) -> time:
    text = table.string("purge_at", "03:30")
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise table.error("purge_at", f'must be a UTC time "HH:MM", got {shown(text)}') from None


def _optional_secret(table: Table, name: str) -> Secret | None:
    file_key = f"{name}_file"
    given = [key for key in (name, file_key) if key in table]
    if not given:
        return None
    if len(given) == 2:
        raise table.error(name, f"set {name} or {file_key}, not both")
    if given == [name]:
        origin = table.source.env.get(table.at(name), str(table.source.path))
        return Secret(table.string(name), origin)
    return _secret_file(table, file_key, table.path(file_key))


def _secret_file(table: Table, key: str, path: Path) -> Secret:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise table.error(key, f"cannot read {path}: {exc.strerror}") from None
    if not value:
        raise table.error(key, f"{path} is empty")
    return Secret(value, f"{key} {path}")


def _checked_key(table: Table, key: str, secret: Secret) -> Secret:
    if not _HEX_KEY.fullmatch(secret.reveal()):
        # The message names where the key came from, never the key.
        raise table.error(key, f"must be 64 hex digits (a 256-bit key) in {secret.source}")
    return secret


def _key(table: Table) -> Secret | None:
    secret = _optional_secret(table, "key")
    return None if secret is None else _checked_key(table, "key", secret)


def _previous_keys(table: Table) -> tuple[Secret, ...]:
    if "previous_key_files" not in table:
        return ()
    key = "previous_key_files"
    paths = [table.source.resolve(name) for name in table.strings(key, ())]
    return tuple(_checked_key(table, key, _secret_file(table, key, p)) for p in paths)
