"""The page a dashboard reader gets while the store is away: a banner naming it, instead of a
500, with the navigation kept (the health page still answers) and a reload every few seconds,
so the page reads again by itself once the store is back."""

from __future__ import annotations

from aiohttp import web

from ivr.web.dashboard.gate import SESSION, page_context
from ivr.web.dashboard.views import render

RELOAD_SECONDS = 10


def store_down_page(request: web.Request, message: str) -> web.Response:
    context = page_context(request) if SESSION in request else {}
    response = render(request, "store_down.html", context | {"message": message}, 503)
    response.headers["Refresh"] = str(RELOAD_SECONDS)  # a header: the CSP allows no script inline
    return response
