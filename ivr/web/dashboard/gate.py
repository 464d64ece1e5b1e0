"""Who may see what: the session cookie names a signed-in token holder, whose role must be
among those the API grants for the same data (`ivr.web.routes`); every form posted must carry
the session's CSRF token. Refusals go to the audit log, as the API's do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web

from ivr.web.context import PRINCIPAL, TOKENS, audit
from ivr.web.dashboard.paths import PREFIX
from ivr.web.dashboard.sessions import SESSION_COOKIE, Session, SessionStore
from ivr.web.dashboard.views import render
from ivr.web.routes import ROUTES_BY_NAME
from ivr.web.tokens import Role, TokenError

SESSIONS = web.AppKey("dashboard-sessions", SessionStore)
SESSION = web.RequestKey("dashboard-session", Session)
EVERYONE = frozenset(Role)

Page = Callable[[web.Request], Awaitable[web.StreamResponse]]


def api_roles(route_name: str) -> frozenset[Role]:
    """The roles the API grants for a route: the dashboard shows the same data to the same."""
    return ROUTES_BY_NAME[route_name].roles


def current(request: web.Request) -> Session | None:
    session = request.app[SESSIONS].get(request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        return None
    try:
        still = request.app[TOKENS].authenticate(session.token)
    except TokenError:
        still = None
    if still is None:  # the token was removed since sign-in: so is the session
        request.app[SESSIONS].close(session.sid)
        return None
    return session


def signed_in(roles: frozenset[Role]) -> Callable[[Page], Page]:
    def decorate(page: Page) -> Page:
        @wraps(page)
        async def guarded(request: web.Request) -> web.StreamResponse:
            session = current(request)
            if session is None:
                raise web.HTTPSeeOther(f"{PREFIX}/sign-in")
            request[PRINCIPAL] = session.principal
            request[SESSION] = session
            if session.principal.role not in roles:
                await audit(request, "access", request.path, "refused", detail={"status": 403})
                return render(request, "error.html", {"message_key": "forbidden"}, 403)
            if request.method == "POST":
                form = await request.post()
                if not session.csrf_ok(str(form.get("csrf", ""))):
                    return render(request, "error.html", {"message_key": "bad-form"}, 403)
            return await page(request)

        return guarded

    return decorate


def page_context(request: web.Request) -> dict[str, object]:
    """What every signed-in page shows: who, and the pages their role may open."""
    session = request[SESSION]
    role = session.principal.role
    pages = [
        ("live", EVERYONE),
        ("outcomes", EVERYONE),
        ("recordings", api_roles("recordings")),
        ("audit", api_roles("audit")),
        ("guard", EVERYONE),
        ("health", EVERYONE),
    ]
    return {
        "who": session.principal,
        "csrf": session.csrf,
        "pages": [name for name, allowed in pages if role in allowed],
        "current": (request.match_info.route.name or "").removeprefix("dashboard-"),
    }
