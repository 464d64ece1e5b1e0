"""``/api/outbound/…``: the outbound guard's data over HTTP, the same operations as
``ivr outbound``. Reads of a consumer's data are audited (the row keeps a hash of the number,
never the number); imports and revocations are audited as changes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.config.errors import ConfigError
from ivr.config.model import Settings
from ivr.outbound.config import load_outbound
from ivr.outbound.service import Outbound, OutboundInputError, decision_json
from ivr.outbound.stores import open_outbound_store
from ivr.web.context import SERVICE, audit, principal
from ivr.web.errors import error_response

_OPENED: dict[Path, Outbound] = {}  # one store per configuration file, opened on first use


def _outbound(settings: Settings) -> Outbound:
    if settings.path not in _OPENED:
        outbound = load_outbound(settings)
        store = open_outbound_store(settings.store, outbound.store)
        _OPENED[settings.path] = Outbound(outbound, store)
    return _OPENED[settings.path]


def _target(number: str) -> str:
    return "number:" + hashlib.sha256(number.encode()).hexdigest()[:16]


def _bad(message: str) -> web.Response:
    return error_response(400, "bad-request", message)


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def check(request: web.Request) -> web.Response:
    query = request.query
    try:
        outbound = _outbound(request.app[SERVICE].settings)
        campaign = outbound.campaign(query.get("campaign", ""))
        number = outbound.number(query.get("number", ""), campaign.profile.region)
        at = _moment(query.get("at"))
    except (OutboundInputError, ValueError, ConfigError) as exc:
        return _bad(str(exc))
    await audit(request, "outbound-check", _target(number), "ok")
    decision = outbound.check(number, campaign.name, at)
    return web.json_response(decision_json(number, campaign.name, at, decision))


async def attempts(request: web.Request) -> web.Response:
    try:
        outbound = _outbound(request.app[SERVICE].settings)
        number = outbound.number(request.query.get("number", ""))
    except (OutboundInputError, ConfigError) as exc:
        return _bad(str(exc))
    await audit(request, "outbound-attempts", _target(number), "ok")
    rows = [
        {"at": a.at.isoformat(), "professional": a.professional, "campaign": a.campaign}
        for a in outbound.store.attempts(number)
    ]
    return web.json_response({"number": number, "attempts": rows})


async def opposition(request: web.Request) -> web.Response:
    body = await _body(request)
    numbers = body.get("numbers") if body else None
    name = body.get("list") if body else None
    if not isinstance(name, str) or not name.strip() or not isinstance(numbers, list):
        return _bad('send {"list": "<name>", "screened_on": "YYYY-MM-DD", "numbers": [...]}')
    if not all(isinstance(n, str) for n in numbers):
        return _bad("numbers must be strings")
    try:
        outbound = _outbound(request.app[SERVICE].settings)
        screened = body.get("screened_on") if body else None
        screened_on = date.fromisoformat(screened) if isinstance(screened, str) else None
        added = outbound.import_opposition(name.strip(), screened_on, numbers)
    except (OutboundInputError, ValueError, ConfigError) as exc:
        return _bad(str(exc))
    await audit(request, "outbound-opposition-import", name, "ok", detail={"added": added})
    return web.json_response({"list": name, "added": added})


async def consents(request: web.Request) -> web.Response:
    body = await _body(request)
    rows = body.get("consents") if body else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return _bad('send {"consents": [{"number", "given_at", "source", "wording"}, ...]}')
    try:
        outbound = _outbound(request.app[SERVICE].settings)
        records = outbound.consent_rows([{k: str(v) for k, v in r.items()} for r in rows])
    except (OutboundInputError, ConfigError) as exc:
        return _bad(str(exc))
    imported = outbound.store.add_consents(records)
    await audit(request, "outbound-consent-import", "-", "ok", detail={"imported": imported})
    return web.json_response({"imported": imported})


async def revoke(request: web.Request) -> web.Response:
    body = await _body(request)
    number = body.get("number") if body else None
    if not isinstance(number, str):
        return _bad('send {"number": "<number>"}')
    try:
        outbound = _outbound(request.app[SERVICE].settings)
        e164 = outbound.number(number)
    except (OutboundInputError, ConfigError) as exc:
        return _bad(str(exc))
    who = principal(request)
    revoked = outbound.store.revoke_consents(
        e164, datetime.now(UTC), f"api:{who.token_id if who else '-'}"
    )
    await audit(request, "outbound-consent-revoke", _target(e164), "ok")
    return web.json_response({"number": e164, "revoked": revoked})


def routes() -> tuple[Any, ...]:
    """The outbound routes for the route table (imported there: the table defines `Route`)."""
    from ivr.web.routes import ADMINS, LISTENERS, Route, _query

    number = _query("number", "the consumer's number, any usual form", required=True)
    return (
        Route("outbound-check", "GET", "/api/outbound/check", check, LISTENERS,
              "the guard's decision for a number, rule by rule, recording nothing; audited",
              (number, _query("campaign", "the campaign", required=True),
               _query("at", "ISO 8601 time (now)"))),
        Route("outbound-attempts", "GET", "/api/outbound/attempts", attempts, LISTENERS,
              "a number's recorded attempts; audited", (number,)),
        Route("outbound-opposition", "POST", "/api/outbound/opposition", opposition, ADMINS,
              "add numbers to an opposition list, with its screening date",
              body={"list": "string", "screened_on": "string", "numbers": "array"}),
        Route("outbound-consents", "POST", "/api/outbound/consents", consents, ADMINS,
              "import consents (number, given_at, source, wording; optional purpose, "
              "outside_hours, kind)", body={"consents": "array"}),
        Route("outbound-revoke", "POST", "/api/outbound/consents/revoke", revoke, LISTENERS,
              "revoke a number's consents now; audited", body={"number": "string"}),
    )  # fmt: skip
