"""Why someone reads a call's personal data: required, kept in the audit log (GDPR art. 5(2),
CNIL: every access to a recording or a caller's number must be justified and traceable).

One rule for every route that shows personal data: the ``reason`` query parameter or the
``X-Access-Reason`` header, 1 to 500 characters once trimmed; without one, a 400 whose refusal
is itself an audit row."""

from __future__ import annotations

from aiohttp import web

from ivr.web.context import audit
from ivr.web.errors import error_response

REASON_MAX = 500  # an audit row stays small


def given_reason(request: web.Request) -> str:
    return (request.query.get("reason") or request.headers.get("X-Access-Reason") or "").strip()


async def refused_without_reason(
    request: web.Request, action: str, target: str
) -> web.Response | None:
    """The 400 to answer when the request says no usable reason (audited), else None."""
    reason = given_reason(request)
    if reason and len(reason) <= REASON_MAX:
        return None
    await audit(request, action, target, "refused", detail={"status": 400, "why": "reason"})
    return error_response(
        400, "reason-required", f"say why: reason=… or X-Access-Reason (1-{REASON_MAX} chars)"
    )
