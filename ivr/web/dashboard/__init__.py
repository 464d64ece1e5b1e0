"""The dashboard for DPOs and supervisors, served by the service under ``/dashboard``.

Same tokens and roles as the API (`ivr.web.tokens`, `ivr.web.routes`): a token is given once at
sign-in, then a session cookie stands for it. Pages: live calls (updated over Server-Sent
Events), outcomes (charts drawn by the vendored uPlot), recordings (listen after giving a
reason), audit log, outbound guard, health. Everything it needs is in this package: templates,
styles, scripts; nothing is fetched from elsewhere. English and French.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from ivr.service.live import LiveView
from ivr.web.context import Service
from ivr.web.dashboard import guard_page, live, pages, recordings_page, signin
from ivr.web.dashboard.board import LiveBoard
from ivr.web.dashboard.gate import SESSIONS
from ivr.web.dashboard.paths import PREFIX, is_dashboard
from ivr.web.dashboard.sessions import SessionStore
from ivr.web.dashboard.views import see_other

__all__ = ["PREFIX", "is_dashboard", "setup"]

STATIC = Path(__file__).parent / "static"


def setup(app: web.Application, service: Service) -> None:
    """Add the dashboard's routes and its live board to the service's application."""
    view = getattr(service, "live", None)  # the service's read-only view of calls in progress
    app[SESSIONS] = SessionStore()
    app[live.BOARD] = LiveBoard(view if isinstance(view, LiveView) else None, service.ledger)
    app.cleanup_ctx.append(_run_board)
    app.on_shutdown.append(_close_board)
    add = app.router.add_route
    add("GET", PREFIX, _home, name="dashboard")
    add("GET", f"{PREFIX}/", _home, name="dashboard-home")
    add("GET", f"{PREFIX}/sign-in", signin.sign_in_page, name="dashboard-signin")
    add("POST", f"{PREFIX}/sign-in", signin.sign_in, name="dashboard-signin-form")
    add("POST", f"{PREFIX}/sign-out", signin.sign_out, name="dashboard-signout")
    add("GET", f"{PREFIX}/live", live.page, name="dashboard-live")
    add("GET", f"{PREFIX}/live/events", live.events, name="dashboard-live-events")
    add("GET", f"{PREFIX}/outcomes", pages.outcomes, name="dashboard-outcomes")
    add("GET", f"{PREFIX}/recordings", recordings_page.page, name="dashboard-recordings")
    listen = f"{PREFIX}/recordings/{{call_id}}"
    add("POST", f"{listen}/listen", recordings_page.listen, name="dashboard-listen")
    add("GET", f"{listen}/audio", recordings_page.audio, name="dashboard-audio")
    add("GET", f"{PREFIX}/audit", pages.audit_log, name="dashboard-audit")
    add("GET", f"{PREFIX}/guard", guard_page.guard, name="dashboard-guard")
    add("GET", f"{PREFIX}/health", pages.health, name="dashboard-health")
    app.router.add_static(f"{PREFIX}/static", STATIC, name="dashboard-static")


async def _home(request: web.Request) -> web.StreamResponse:
    return see_other(f"{PREFIX}/live")


async def _run_board(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[live.BOARD].run(), name="dashboard-board")
    yield
    app[live.BOARD].close()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _close_board(app: web.Application) -> None:
    app[live.BOARD].close()  # ends the event streams, so shutdown does not wait on browsers
