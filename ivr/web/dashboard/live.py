"""The live calls page and its event stream (Server-Sent Events: one-way, plain HTTP, reconnected
by the browser on its own). Each event carries the table's rows rendered on the server in the
reader's language, so the page's script only swaps them in."""

from __future__ import annotations

import json

from aiohttp import web

from ivr.web.dashboard.board import LiveBoard
from ivr.web.dashboard.gate import EVERYONE, current, page_context, signed_in
from ivr.web.dashboard.i18n import language
from ivr.web.dashboard.views import SECURITY_HEADERS, fragment, render

BOARD = web.AppKey("dashboard-board", LiveBoard)
KEEPALIVE_SECONDS = 15.0


@signed_in(EVERYONE)
async def page(request: web.Request) -> web.StreamResponse:
    board = request.app[BOARD]
    return render(request, "live.html", page_context(request) | {"board": board.snapshot()})


@signed_in(EVERYONE)
async def events(request: web.Request) -> web.StreamResponse:
    board = request.app[BOARD]
    headers = SECURITY_HEADERS | {"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"}
    response = web.StreamResponse(headers=headers)
    await response.prepare(request)
    lang, seen = language(request), -1
    try:
        with board.watching():
            await _stream(request, response, board, lang, seen)
    except ConnectionResetError:
        pass  # the browser went away
    return response


async def _stream(
    request: web.Request, response: web.StreamResponse, board: LiveBoard, lang: str, seen: int
) -> None:
    while not board.closing:
        if current(request) is None:  # signed out (or the token removed) meanwhile
            await response.write(b"event: signed-out\ndata: -\n\n")
            return
        if board.version != seen:
            seen = board.version
            rows = fragment("live_rows.html", lang, {"board": board.snapshot()})
            await response.write(f"data: {json.dumps(rows)}\n\n".encode())
        elif not await board.wait(seen, KEEPALIVE_SECONDS):
            await response.write(b": keep-alive\n\n")
