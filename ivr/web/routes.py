"""The route table: path, handler, the roles allowed, and what the OpenAPI description says.

One table feeds both the router and `/openapi.json`, so the description cannot drift from
the routes (a unit test checks it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp.typedefs import Handler

from ivr.web import basic, listens, outbound, recordings
from ivr.web.erasure import erase
from ivr.web.tokens import Role

ALL = frozenset(Role)
LISTENERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
NOBODY: frozenset[Role] = frozenset()  # public: no token


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str
    handler: Handler
    roles: frozenset[Role]
    summary: str
    parameters: tuple[Mapping[str, Any], ...] = ()
    responses: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None


def _query(name: str, description: str, required: bool = False, kind: str = "string") -> Any:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": kind},
    }


_CALL_ID = {
    "name": "call_id",
    "in": "path",
    "required": True,
    "description": "the call id",
    "schema": {"type": "string", "pattern": recordings.CALL_ID_PATTERN},
}
_REASON = (
    _query("reason", "why you access it (or the X-Access-Reason header)"),
    {
        "name": "X-Access-Reason",
        "in": "header",
        "required": False,
        "description": "why you access it (or the reason query parameter)",
        "schema": {"type": "string"},
    },
)
_LIST = (
    _query("since", "ISO 8601 time: calls started since"),
    _query("limit", "at most this many (100)", kind="integer"),
    _query("deleted", "include the proof rows of deleted recordings (true)"),
)

ROUTES: tuple[Route, ...] = (
    Route(
        "healthz",
        "GET",
        "/healthz",
        basic.healthz,
        NOBODY,
        "service health",
        responses={"200": "healthy", "503": "degraded"},
    ),
    Route(
        "legal-notice",
        "GET",
        "/legal-notice",
        basic.legal_notice,
        NOBODY,
        "the legal notice page (HTML)",
        (_query("lang", "language code"), _query("profile", "the profile (default's)")),
        {"200": "the page", "404": "no such language or profile"},
    ),
    Route("openapi", "GET", "/openapi.json", basic.openapi, ALL, "this description"),
    Route("metrics", "GET", "/metrics", basic.metrics, ALL, "Prometheus metrics"),
    Route(
        "call",
        "GET",
        "/api/calls/{call_id}",
        basic.call,
        ALL,
        "one call of the ledger (with the caller's number and name); a reason is required; audited",
        (_CALL_ID, *_REASON),
        {"200": "the call", "400": "no reason", "404": "unknown call"},
    ),
    Route(
        "recordings",
        "GET",
        "/api/recordings",
        recordings.listing,
        ALL,
        "kept recordings, newest first",
        _LIST,
    ),
    Route(
        "recording",
        "GET",
        "/api/recordings/{call_id}",
        recordings.metadata,
        ALL,
        "a recording's metadata",
        (_CALL_ID,),
        {"200": "metadata", "400": "bad id", "404": "no recording"},
    ),
    Route(
        "recording-audio",
        "GET",
        "/api/recordings/{call_id}/audio",
        recordings.audio,
        LISTENERS,
        "listen to (or with download=true, download) a recording; audited",
        (_CALL_ID, *_REASON, _query("download", "true: as an attachment")),
        {
            "200": "the audio, decrypted",
            "400": "no reason or bad id",
            "404": "no recording",
            "410": "deleted",
        },
    ),
    Route(
        "erasures",
        "POST",
        "/api/erasures",
        erase,
        ADMINS,
        "erase a caller's recordings and personal data; audited",
        responses={
            "200": "the proof of erasure",
            "400": "bad request",
            "503": "erasure not configured",
        },
        body={"caller": "string", "reason": "string"},
    ),
    Route(
        "audit",
        "GET",
        "/api/audit",
        basic.audit_rows,
        AUDITORS,
        "the audit log, oldest first",
        (
            _query("since", "after this seq", kind="integer"),
            _query("limit", "at most this many, 1 to 1000 (1000); audited", kind="integer"),
        ),
    ),
)
ROUTES = (*ROUTES, *outbound.routes())  # issue 19
ROUTES += (
    Route(
        "listens",
        "GET",
        "/api/listens",
        listens.listing,
        AUDITORS,
        "live listens (allowed, denied, ended), oldest first; audited",
        (_query("agent", "only this agent's"), _query("supervisor", "only this supervisor's")),
    ),
)
ROUTES_BY_NAME = {route.name: route for route in ROUTES}
PUBLIC = frozenset(route.path for route in ROUTES if not route.roles)
