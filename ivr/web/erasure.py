"""``POST /api/erasures``: erase a caller's recordings and personal data (admin only).

The body is ``{"caller": "+33…", "reason": "…"}``. The audit row and the answer carry the
keyed hash of the number, never the number.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from aiohttp import web

from ivr.outbound.erasure import erase_outbound
from ivr.retention.erasure import ErasureError, erase_caller
from ivr.web.context import SERVICE, audit, principal
from ivr.web.errors import error_response


async def erase(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    caller = body.get("caller") if isinstance(body, dict) else None
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(caller, str) or not isinstance(reason, str) or not reason.strip():
        await audit(request, "erase", "-", "refused", detail={"status": 400})
        return error_response(400, "bad-request", 'send {"caller": "<number>", "reason": "…"}')
    service = request.app[SERVICE]
    who = principal(request)
    live = await service.ledger.calls_of_caller(caller)  # before the number is erased
    try:
        proof = await erase_caller(
            service.ledger,
            service.settings.compliance.erasure_secret,
            service.settings.recordings.dir,
            caller,
            at=datetime.now(UTC),
            requested_by=who.token_id if who else "-",
            reason=reason.strip(),
        )
    except ErasureError as exc:
        await audit(request, "erase", "-", "failed", reason=reason, detail={"error": str(exc)})
        return error_response(503 if "configuration" in str(exc) else 400, "erasure", str(exc))
    stop_live = getattr(service, "erase_live", None)
    if stop_live is not None:  # calls still up: their recording stops and is deleted now
        stop_live(live)
    settings, by = service.settings, proof.requested_by
    outbound = await asyncio.to_thread(erase_outbound, settings, caller, proof.at, by)
    counts = {"calls": proof.calls, "recordings": proof.recordings, "proof": proof.seq}
    detail = {**counts, "outbound": outbound}
    await audit(request, "erase", proof.subject, "ok", reason=reason, detail=detail)
    return web.json_response({**proof.to_json(), "outbound": outbound})
