"""What the handlers share, under typed AppKeys: the service, its audit log, tokens and keys."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Protocol

from aiohttp import web

from ivr.audit import AuditLog, Entry, now_text
from ivr.config.model import Settings
from ivr.crypto import Keyring
from ivr.ledger.aio import AsyncLedger
from ivr.web.origin import client_origin
from ivr.web.tokens import Principal, TokenStore


class Service(Protocol):
    """What the web app needs of the running service.

    Optional, read with getattr and built from `settings` when absent: ``audit`` (an
    `AuditLog`), ``tokens`` (a `TokenStore`), ``keyring`` (a `Keyring`).
    """

    settings: Settings
    ledger: AsyncLedger

    def health(self) -> tuple[bool, dict[str, object]]: ...

    def metrics_text(self) -> str: ...


SERVICE = web.AppKey("service", Service)
AUDIT = web.AppKey("audit", AuditLog)
TOKENS = web.AppKey("tokens", TokenStore)
KEYRING = web.AppKey("keyring", Keyring)
PRINCIPAL = web.RequestKey("principal", Principal)  # who the token says made the request


def bearer(request: web.Request) -> Principal | None:
    """Who the request's bearer token names, or None; `TokenError` if the file is unreadable."""
    given = request.headers.get("Authorization", "")
    token = given.removeprefix("Bearer ").strip() if given.startswith("Bearer ") else ""
    return request.app[TOKENS].authenticate(token)


def principal(request: web.Request) -> Principal | None:
    return request.get(PRINCIPAL)


async def audit(
    request: web.Request,
    action: str,
    target: str,
    outcome: str,
    *,
    reason: str = "",
    detail: Mapping[str, object] | None = None,
) -> None:
    """Append one row for this request; raises `AuditError` if it cannot be written."""
    who = principal(request)
    entry = Entry(
        at=now_text(),
        actor=who.token_id if who else "anonymous",
        role=str(who.role) if who else "-",
        action=action,
        target=target,
        reason=reason,
        origin=client_origin(request),
        outcome=outcome,
        detail=json.dumps(dict(detail or {}), sort_keys=True, separators=(",", ":")),
    )
    await asyncio.to_thread(request.app[AUDIT].append, entry)


OPENAPI = web.AppKey("openapi", dict)
