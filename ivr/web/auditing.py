"""The web app's side of the audit log: anonymous refusals counted (one summary row per
window, 429 for a client over its allowance), and the background work the log needs while
the app runs: signing the chain's head every ``checkpoint_every`` seconds, writing the last
refusal summary and closing the log's connection at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from ivr.audit import AuditError, Entry, now_text
from ivr.audit.configured import checkpoint_now
from ivr.audit.refusals import WINDOW_SECONDS, RefusalCounter, summary_detail
from ivr.web.context import AUDIT, SERVICE
from ivr.web.errors import error_response
from ivr.web.origin import client_origin

log = logging.getLogger(__name__)

REFUSALS = web.AppKey("refusals", RefusalCounter)


async def refuse_anonymous(request: web.Request) -> web.Response:
    """401 for a request without a valid token, counted; 429 once its client is over."""
    counter = request.app[REFUSALS]
    allowed, summary = counter.note(client_origin(request), time.monotonic())
    if summary is not None:
        await _write_summary(request.app, summary)
    if not allowed:
        response = error_response(
            429, "too-many-refusals", "too many requests without a valid token; slow down"
        )
        response.headers["Retry-After"] = str(int(counter.window))
        return response
    return error_response(401, "unauthorized", "a valid bearer token is required")


async def _write_summary(app: web.Application, summary: dict[str, object]) -> None:
    entry = Entry(
        now_text(), "anonymous", "-", "access", "*", "", "*", "refused", summary_detail(summary)
    )
    try:
        await asyncio.to_thread(app[AUDIT].append, entry)
    except AuditError:
        log.exception("cannot write the summary of anonymous refusals")


async def audit_background(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: periodic checkpoints while the app runs; last summary, checkpoint, close."""
    checkpoints = app[SERVICE].settings.compliance.checkpoints
    every = min(checkpoints.every_seconds if checkpoints else WINDOW_SECONDS, WINDOW_SECONDS)
    task = asyncio.create_task(_periodically(app, every))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    summary = app[REFUSALS].flush()
    if summary is not None:
        await _write_summary(app, summary)
    await _checkpoint(app)
    app[AUDIT].close()


async def _periodically(app: web.Application, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        summary = app[REFUSALS].summary_if_due(time.monotonic())
        if summary is not None:
            await _write_summary(app, summary)
        await _checkpoint(app)


async def _checkpoint(app: web.Application) -> None:
    try:
        await asyncio.to_thread(checkpoint_now, app[AUDIT])
    except AuditError:
        log.exception("cannot read the audit log's head to sign it")
