"""Bearer tokens and roles: every path but the public ones needs a token whose role the route
allows. A refusal with a token (403) is written to the audit log; anonymous refusals (401)
are only counted, one summary row per window, and a client over its allowance gets 429."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from ivr.web.auditing import refuse_anonymous
from ivr.web.context import PRINCIPAL, audit, bearer
from ivr.web.dashboard.paths import is_dashboard
from ivr.web.errors import error_response
from ivr.web.routes import PUBLIC, ROUTES_BY_NAME
from ivr.web.tokens import Role, TokenError

ANY_ROLE = frozenset(Role)


@web.middleware
async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC or is_dashboard(request.path):
        return await handler(request)  # the dashboard checks its own session cookies
    try:
        who = bearer(request)
    except TokenError:
        return error_response(503, "tokens-unreadable", "the tokens file cannot be read")
    if who is None:
        return await refuse_anonymous(request)
    request[PRINCIPAL] = who
    route = ROUTES_BY_NAME.get(request.match_info.route.name or "")
    allowed = ANY_ROLE if route is None else route.roles
    if who.role not in allowed:
        await audit(request, "access", request.path, "refused", detail={"status": 403})
        return error_response(
            403,
            "forbidden",
            f"role {who.role} may not use this route",
            {"allowed": sorted(allowed)},
        )
    return await handler(request)
