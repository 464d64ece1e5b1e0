"""How to reach the service that ``ivr run --sandbox NAME`` runs: its address and the admin
token made for that sandbox, kept beside its ledger (0600, outside the repository), so that
``ivr simulate`` against the same sandbox needs nothing set, and the token survives restarts
(a browser signed in to the dashboard stays signed in)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ivr.sandbox import layout

TOKEN_PREFIX = "sandbox_"  # noqa: S105 - marks a token as the sandbox's, not a secret


@dataclass(frozen=True)
class SandboxAccess:
    url: str  # the service's base URL, e.g. http://127.0.0.1:8480
    token: str  # an admin bearer token valid for that sandbox's service only

    @property
    def dashboard(self) -> str:
        return f"{self.url}/dashboard/"


def access_path(name: str) -> Path:
    return layout.cache_dir() / f"api-{name}.json"


def audit_path(name: str) -> Path:
    return layout.cache_dir() / f"audit-{name}.sqlite3"


def tokens_path(name: str) -> Path:
    return layout.cache_dir() / f"tokens-{name}.toml"


def read(name: str) -> SandboxAccess | None:
    """The access last issued for sandbox `name`, or None if there is none (or it is garbled)."""
    try:
        data = json.loads(access_path(name).read_text(encoding="utf-8"))
        return SandboxAccess(str(data["url"]), str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def issue(name: str, url: str, token: str | None = None) -> SandboxAccess:
    """Write the access of sandbox `name`: `token` if given, else the one already issued, else a
    new one."""
    previous = read(name)
    chosen = token or (previous.token if previous else TOKEN_PREFIX + secrets.token_urlsafe(32))
    access = SandboxAccess(url, chosen)
    path = access_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"url": access.url, "token": access.token}, handle)
    return access
