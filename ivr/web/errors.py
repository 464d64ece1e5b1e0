"""Error bodies of the HTTP API: always a JSON object with status, error_id and details."""

from __future__ import annotations

from aiohttp import web


def error_response(
    status: int, error_id: str, message: str, details: dict[str, object] | None = None
) -> web.Response:
    body = {"status": status, "error_id": error_id, "message": message, "details": details or {}}
    return web.json_response(body, status=status)
