"""Recordings: what is being recorded now, the kept recordings with the time left before the
purge deletes them, and listening in the page.

Listening takes two steps. The form posts a reason (required, with the CSRF token); the page
then carries a player whose address holds a short-lived ticket bound to the session, the call
and that reason. The audio itself is served by the API's handler (`ivr.web.recordings.audio`),
given the reason: it writes the audit row before it sends a byte, as it does for API clients.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from multidict import CIMultiDict

from ivr.web import recordings
from ivr.web.context import SERVICE, audit
from ivr.web.dashboard.gate import SESSION, SESSIONS, api_roles, page_context, signed_in
from ivr.web.dashboard.live import BOARD
from ivr.web.dashboard.views import render

LISTENERS = api_roles("recording-audio")
REASON_MAX = 500


@signed_in(api_roles("recordings"))
async def page(request: web.Request) -> web.StreamResponse:
    return await _page(request, {})


async def _page(request: web.Request, extra: dict[str, object], status: int = 200) -> web.Response:
    service = request.app[SERVICE]
    kept = await service.ledger.list_recordings(limit=200)
    retention = service.settings.compliance.retention
    now = datetime.now(UTC)
    rows = [
        {
            "call_id": item.call_id,
            "started": item.started_at,
            "profile": item.profile or "",
            "duration": round(item.duration_seconds),
            "left": item.started_at
            + timedelta(days=retention.period(item.profile).audio_days)
            - now,
        }
        for item in kept
    ]
    recording_now = [row for row in request.app[BOARD].snapshot().live if row.recording]
    context = page_context(request) | {
        "kept": rows,
        "recording_now": recording_now,
        "may_listen": request[SESSION].principal.role in LISTENERS,
        "listening": None,
        "error_key": "",
        "reason_max": REASON_MAX,
    }
    return render(request, "recordings.html", context | extra, status)


@signed_in(LISTENERS)
async def listen(request: web.Request) -> web.StreamResponse:
    call_id = request.match_info["call_id"]
    form = await request.post()
    reason = str(form.get("reason", "")).strip()
    if not reason or len(reason) > REASON_MAX or not recordings.valid_call_id(call_id):
        await audit(request, "listen", call_id, "refused", detail={"status": 400, "why": "reason"})
        return await _page(request, {"error_key": "reason-required"}, 400)
    ticket = request.app[SESSIONS].issue_ticket(request[SESSION], call_id, reason)
    return await _page(request, {"listening": {"call_id": call_id, "ticket": ticket}})


@signed_in(LISTENERS)
async def audio(request: web.Request) -> web.StreamResponse:
    call_id = request.match_info["call_id"]
    ticket = request.app[SESSIONS].ticket(
        request[SESSION], request.query.get("ticket", ""), call_id
    )
    if ticket is None:
        await audit(request, "listen", call_id, "refused", detail={"status": 403, "why": "ticket"})
        raise web.HTTPForbidden(text="no valid listening ticket: give a reason in the page")
    headers = CIMultiDict(request.headers)
    headers["X-Access-Reason"] = ticket.reason
    return await recordings.audio(request.clone(headers=headers, rel_url=request.path))
