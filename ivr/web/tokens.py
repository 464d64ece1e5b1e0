"""API tokens with roles, stored as sha256 hashes only.

A token reads ``ivr_<id>_<secret>``: the id (public, 8 hex digits) names it in the audit log;
the secret is 32 random bytes. The tokens file (TOML, 0600) holds per token its id, role, a
label and the sha256 of the whole token; the token itself is printed once by ``ivr token add``
and never stored. A fast hash suffices: the secret has 256 bits of entropy, nothing to guess.
The file is re-read when it changes, so a token added or removed applies without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

_KEYS = ("id", "role", "label", "sha256", "created")
ENV_TOKEN_ID = "env"  # noqa: S105 - the audit name of the IVR_API_TOKEN token, not a secret


class Role(StrEnum):
    AUDITOR = "auditor"  # metadata, the ledger and the audit log; no audio
    SUPERVISOR = "supervisor"  # metadata and audio
    ADMIN = "admin"  # everything, including erasure


class TokenError(Exception):
    """The tokens file cannot be read or written; the message names it, never a token."""


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: Role
    label: str = ""
    # A supervisor's agent groups: only their calls (as the ledger knows the group); empty: all.
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Stored:
    principal: Principal
    sha256: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class TokenStore:
    """The tokens of a file, plus an optional admin token from the environment."""

    def __init__(self, path: Path, env_token: str | None = None) -> None:
        self.path = path
        self._env = env_token or None
        self._stamp: tuple[int, int] | None = None
        self._tokens: list[_Stored] = []

    def authenticate(self, token: str) -> Principal | None:
        if not token:
            return None
        # A header's bytes that are not UTF-8 arrive as surrogates: still just a wrong token.
        given = token.encode("utf-8", "surrogateescape")
        if self._env is not None and hmac.compare_digest(given, self._env.encode()):
            return Principal(ENV_TOKEN_ID, Role.ADMIN, "IVR_API_TOKEN")
        wanted, found = token_hash(token), None
        for stored in self._current():
            if hmac.compare_digest(stored.sha256, wanted):
                found = stored.principal
        return found

    def _current(self) -> list[_Stored]:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._tokens = None, []
            return []
        except OSError as exc:
            raise TokenError(f"{self.path}: {exc.strerror}") from None
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            self._tokens, self._stamp = read_tokens(self.path), stamp
        return self._tokens


def read_tokens(path: Path) -> list[_Stored]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TokenError(f"{path}: cannot read the tokens file: {exc}") from None
    entries = data.get("token", [])
    if not isinstance(entries, list):
        raise TokenError(f"{path}: token: must be an array of tables ([[token]])")
    return [_entry(path, n, item) for n, item in enumerate(entries, 1)]


def _entry(path: Path, n: int, item: object) -> _Stored:
    if not isinstance(item, dict) or set(item) - {*_KEYS, "groups"}:
        raise TokenError(f"{path}: token #{n}: expected keys {', '.join(_KEYS)} (and groups)")
    try:
        role = Role(str(item["role"]))
        token_id, digest = str(item["id"]), str(item["sha256"])
    except (KeyError, ValueError):
        raise TokenError(
            f"{path}: token #{n}: needs an id, a sha256 and a role among {', '.join(Role)}"
        ) from None
    if len(digest) != 64:
        raise TokenError(f"{path}: token #{n} ({token_id}): sha256 must be 64 hex digits")
    groups = _groups(f"{path}: token #{n} ({token_id})", role, item.get("groups", []))
    principal = Principal(token_id, role, str(item.get("label", "")), groups)
    return _Stored(principal, digest.lower())


def _groups(where: str, role: Role, value: object) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
        raise TokenError(f"{where}: groups must be a list of group names")
    if value and role is not Role.SUPERVISOR:
        raise TokenError(f"{where}: only a supervisor's token is limited to groups")
    return frozenset(value)


def add_token(
    path: Path, role: Role, label: str = "", groups: tuple[str, ...] = ()
) -> tuple[str, str]:
    """Make a token, append its hash to the file (created 0600); (token id, token)."""
    _groups(f"{path}: new token", role, list(groups))
    existing = {s.principal.token_id for s in read_tokens(path)} if path.exists() else set()
    token_id = secrets.token_hex(4)
    while token_id in existing:
        token_id = secrets.token_hex(4)
    token = f"ivr_{token_id}_{secrets.token_urlsafe(32)}"
    created = datetime.now(UTC).isoformat(timespec="seconds")
    block = (
        f'\n[[token]]\nid = "{token_id}"\nrole = "{role}"\nlabel = {_toml_string(label)}\n'
        f'sha256 = "{token_hash(token)}"\ncreated = "{created}"\n'
    )
    if groups:
        block += f"groups = [{', '.join(_toml_string(g) for g in groups)}]\n"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(block)
    except OSError as exc:
        raise TokenError(f"{path}: cannot write: {exc.strerror}") from None
    return token_id, token


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'
