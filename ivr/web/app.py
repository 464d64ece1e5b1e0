"""The service's HTTP face: the public legal notice and health; everything else behind bearer
tokens with roles (`auth`, `tokens`), every access to audio and every refusal in the audit log.
Thin handlers over the running service (stored under typed AppKeys, see `context`); the route
table (`routes`) feeds both the router and ``/openapi.json``.
"""

from __future__ import annotations

import os

from aiohttp import web

from ivr.audit.configured import open_audit_log
from ivr.audit.refusals import RefusalCounter
from ivr.crypto import Keyring
from ivr.web import dashboard
from ivr.web.auditing import REFUSALS, audit_background
from ivr.web.auth import require_token
from ivr.web.context import AUDIT, KEYRING, OPENAPI, SERVICE, TOKENS, Service
from ivr.web.openapi import build_spec
from ivr.web.origin import TRUSTED_PROXIES
from ivr.web.routes import PUBLIC, ROUTES
from ivr.web.store_down import store_down
from ivr.web.tokens import TokenStore

TOKEN_ENV = "IVR_API_TOKEN"  # noqa: S105 - the variable's name, not a secret

__all__ = ["PUBLIC", "SERVICE", "TOKEN_ENV", "Service", "build_app"]


def build_app(service: Service) -> web.Application:
    app = web.Application(middlewares=[store_down, require_token])
    app[SERVICE] = service
    compliance = service.settings.compliance
    app[AUDIT] = getattr(service, "audit", None) or open_audit_log(
        compliance, service.settings.store
    )
    app[REFUSALS] = RefusalCounter(per_window=compliance.refusals_per_minute)
    app[TRUSTED_PROXIES] = compliance.trusted_proxies
    app.cleanup_ctx.append(audit_background)
    app[TOKENS] = getattr(service, "tokens", None) or TokenStore(
        compliance.tokens_file, os.environ.get(TOKEN_ENV)
    )
    app[KEYRING] = getattr(service, "keyring", None) or Keyring.from_secrets(
        compliance.recording_key, compliance.previous_keys
    )
    app[OPENAPI] = build_spec(ROUTES)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler, name=route.name)
    dashboard.setup(app, service)
    return app
