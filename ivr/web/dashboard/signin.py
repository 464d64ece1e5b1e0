"""Sign in with a token, sign out. The sign-in form is protected against cross-site posting by
a double-submit token (a cookie and a hidden field that must match); both outcomes are audited."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from ivr.web.context import PRINCIPAL, TOKENS, audit
from ivr.web.dashboard.gate import EVERYONE, SESSION, SESSIONS, current, signed_in
from ivr.web.dashboard.paths import PREFIX
from ivr.web.dashboard.sessions import LIFETIME_SECONDS, PRE_CSRF_COOKIE, SESSION_COOKIE
from ivr.web.dashboard.views import render, see_other
from ivr.web.tokens import TokenError

_TOKEN_MAX = 512


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    if current(request) is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/live")
    return _form(request, error_key="")


def _form(request: web.Request, error_key: str, status: int = 200) -> web.Response:
    csrf = secrets.token_urlsafe(32)
    response = render(request, "signin.html", {"csrf": csrf, "error_key": error_key}, status)
    response.set_cookie(
        PRE_CSRF_COOKIE,
        csrf,
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        max_age=3600,
    )
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    expected = request.cookies.get(PRE_CSRF_COOKIE, "")
    given = str(form.get("csrf", ""))
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        return _form(request, "bad-form", 403)
    token = str(form.get("token", "")).strip()[:_TOKEN_MAX]
    try:
        who = request.app[TOKENS].authenticate(token)
    except TokenError:
        who = None
    if who is None:
        await audit(request, "sign-in", "dashboard", "refused", detail={"status": 401})
        return _form(request, "bad-token", 401)
    if who.groups:  # the dashboard's pages show every call: not for a token limited to groups
        request[PRINCIPAL] = who
        await audit(request, "sign-in", "dashboard", "denied", detail={"status": 403})
        return _form(request, "group-token", 403)
    session = request.app[SESSIONS].open(who, token)
    request[PRINCIPAL] = who
    await audit(request, "sign-in", "dashboard", "ok")
    response = see_other(f"{PREFIX}/live")
    response.set_cookie(
        SESSION_COOKIE,
        session.sid,
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        max_age=LIFETIME_SECONDS,
    )
    response.del_cookie(PRE_CSRF_COOKIE, path=PREFIX)
    return response


@signed_in(EVERYONE)
async def sign_out(request: web.Request) -> web.StreamResponse:
    request.app[SESSIONS].close(request[SESSION].sid)
    await audit(request, "sign-out", "dashboard", "ok")
    response = see_other(f"{PREFIX}/sign-in")
    response.del_cookie(SESSION_COOKIE, path=PREFIX)
    return response
