"""Thin handlers: health, the legal notice, one call of the ledger, metrics, the audit log and
the OpenAPI description.

A call's entry holds personal data (the caller's number and name), so reading it is audited
like listening to its recording: who, which call, when, why (optional here) and from where;
the row is written before the entry is sent, and a failed audit write sends nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import urlencode

from aiohttp import web

from ivr.web import groups
from ivr.web.context import AUDIT, OPENAPI, SERVICE, audit, bearer
from ivr.web.errors import error_response
from ivr.web.legal_notice import available_languages, render_legal_notice
from ivr.web.params import whole_number
from ivr.web.reasons import given_reason, refused_without_reason
from ivr.web.tokens import TokenError


async def healthz(request: web.Request) -> web.Response:
    """Public: the status alone. With a valid token: the details too (paths, AMI errors, free
    bytes tell an attacker where things are and how the PBX link fails)."""
    healthy, body = request.app[SERVICE].health()
    public: dict[str, object] = {"status": "ok" if healthy else "degraded"}
    try:
        details = body if bearer(request) is not None else {}
    except TokenError:
        details = {}
    return web.json_response(public | details, status=200 if healthy else 503)


async def legal_notice(request: web.Request) -> web.Response:
    """Each profile's page: the default one, or ``?profile=<name>`` (what its callers hear)."""
    settings = request.app[SERVICE].settings
    profiles = list(settings.consent.profiles)
    profile = request.query.get("profile", settings.consent.default_profile)
    if profile not in profiles:
        return error_response(
            404, "unknown-profile", f"no legal notice for profile {profile[:40]!r}",
            {"available": profiles},
        )  # fmt: skip
    languages = available_languages(settings, profile)
    language = request.query.get("lang", languages[0])
    if language not in languages:
        return error_response(
            404, "unknown-language", f"no legal notice in {language!r}", {"available": languages}
        )
    html = render_legal_notice(settings, language, profile=profile, href=_notice_link(profile))
    return web.Response(text=html, content_type="text/html")


def _notice_link(profile: str) -> Callable[[str], str]:
    """Links to the other languages stay on the same profile's page."""
    return lambda language: "?" + urlencode({"profile": profile, "lang": language})


AUDIT_PAGE_MAX = 1000  # rows per /api/audit response: a page, never the whole log at once


async def call(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    refusal = await refused_without_reason(request, "read", call_id)
    if refusal is not None:
        return refusal
    reason = given_reason(request)
    record = await request.app[SERVICE].ledger.get_call(call_id)
    if record is None:
        await audit(request, "read", call_id, "refused", reason=reason, detail={"status": 404})
        return error_response(404, "unknown-call", f"no call {call_id!r} in the ledger")
    if not await groups.may_see(request, call_id, record):
        return await groups.refused(request, "read", call_id, reason)
    await audit(request, "read", call_id, "ok", reason=reason, detail={"status": 200})
    return web.json_response(record.to_json())


async def metrics(request: web.Request) -> web.Response:
    return web.Response(text=request.app[SERVICE].metrics_text(), content_type="text/plain")


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def audit_rows(request: web.Request) -> web.Response:
    try:
        since = whole_number(request.query, "since", 0)
        limit = whole_number(request.query, "limit", AUDIT_PAGE_MAX)
    except ValueError as exc:
        return error_response(400, "bad-parameter", str(exc))
    if not 1 <= limit <= AUDIT_PAGE_MAX:
        message = f"limit must be from 1 to {AUDIT_PAGE_MAX}, got {limit}; page with since"
        return error_response(400, "bad-parameter", message)
    # Who read the log (it names who heard which call) is itself in the log, before anything
    # is sent: a page may show its own reading.
    await audit(request, "read", "audit-log", "ok", detail={"since": since, "limit": limit})
    rows = await asyncio.to_thread(request.app[AUDIT].rows, since_seq=since, limit=limit)
    body = [
        {"seq": r.seq, **asdict(r.entry), "prev_hash": r.prev_hash, "hash": r.hash} for r in rows
    ]
    return web.json_response(body)
