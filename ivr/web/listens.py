"""``GET /api/listens``: every live listen, allowed or refused, for the DPO (per agent, per
supervisor). Reading it is itself audited, before anything is sent."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ivr.listen.trail import listens
from ivr.web.context import AUDIT, audit


async def listing(request: web.Request) -> web.Response:
    agent = request.query.get("agent", "")
    supervisor = request.query.get("supervisor", "")
    detail = {"agent": agent, "supervisor": supervisor}
    await audit(request, "read", "live-listens", "ok", detail=detail)
    rows = await asyncio.to_thread(request.app[AUDIT].rows)
    return web.json_response(listens(rows, agent=agent, supervisor=supervisor))
