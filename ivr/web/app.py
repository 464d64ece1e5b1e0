"""The service's HTTP face: the public legal notice and health, the token-guarded API and
metrics. Thin handlers over the running service (stored under a typed AppKey)."""

from __future__ import annotations

import hmac
import os
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler

from ivr.config.model import Settings
from ivr.ledger.aio import AsyncLedger
from ivr.web.errors import error_response
from ivr.web.legal_notice import available_languages, render_legal_notice

TOKEN_ENV = "IVR_API_TOKEN"  # noqa: S105 - the variable's name, not a secret
PUBLIC = frozenset({"/healthz", "/legal-notice"})


class Service(Protocol):
    settings: Settings
    ledger: AsyncLedger

    def health(self) -> tuple[bool, dict[str, object]]: ...

    def metrics_text(self) -> str: ...


SERVICE = web.AppKey("service", Service)


def build_app(service: Service) -> web.Application:
    app = web.Application(middlewares=[_require_token])
    app[SERVICE] = service
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/legal-notice", _legal_notice)
    app.router.add_get("/api/calls/{call_id}", _call)
    app.router.add_get("/metrics", _metrics)
    return app


@web.middleware
async def _require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC:
        return await handler(request)
    expected = os.environ.get(TOKEN_ENV, "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return error_response(401, "unauthorized", "a valid bearer token is required")
    return await handler(request)


async def _healthz(request: web.Request) -> web.Response:
    healthy, body = request.app[SERVICE].health()
    return web.json_response(
        {"status": "ok" if healthy else "degraded", **body}, status=200 if healthy else 503
    )


async def _legal_notice(request: web.Request) -> web.Response:
    settings = request.app[SERVICE].settings
    languages = available_languages(settings)
    language = request.query.get("lang", languages[0])
    if language not in languages:
        return error_response(
            404, "unknown-language", f"no legal notice in {language!r}", {"available": languages}
        )
    return web.Response(text=render_legal_notice(settings, language), content_type="text/html")


async def _call(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    record = await request.app[SERVICE].ledger.get_call(call_id)
    if record is None:
        return error_response(404, "unknown-call", f"no call {call_id!r} in the ledger")
    return web.json_response(record.to_json())


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(text=request.app[SERVICE].metrics_text(), content_type="text/plain")
