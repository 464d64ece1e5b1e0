"""Supervisors limited to their agent groups (a token's ``groups``): they see the calls whose
group the ledger knows (the dialplan's ``IVR_GROUP``, kept with the profile chosen) and is one
of theirs. A call whose group the ledger does not know is not theirs: a limited supervisor is
refused it rather than shown a call of another team."""

from __future__ import annotations

from aiohttp import web

from ivr.ledger.model import CallRecord
from ivr.names import EventKind
from ivr.web.context import SERVICE, audit, principal
from ivr.web.errors import error_response


def group_of(record: CallRecord) -> str | None:
    for event in record.events:
        if event.kind is EventKind.PROFILE_CHOSEN and event.detail.get("group"):
            return str(event.detail["group"])
    return None


def limited(request: web.Request) -> bool:
    who = principal(request)
    return who is not None and bool(who.groups)


async def may_see(request: web.Request, call_id: str, record: CallRecord | None = None) -> bool:
    """The request's token may see this call (always, unless it is limited to groups)."""
    who = principal(request)
    if who is None or not who.groups:
        return True
    if record is None:
        record = await request.app[SERVICE].ledger.get_call(call_id)
    return record is not None and group_of(record) in who.groups


async def refused(
    request: web.Request, action: str, call_id: str, reason: str = ""
) -> web.Response:
    """The audited 403 of a call outside the token's groups."""
    detail = {"status": 403, "why": "outside the token's agent groups"}
    await audit(request, action, call_id, "denied", reason=reason, detail=detail)
    return error_response(403, "outside-groups", f"call {call_id!r} is not in your agent groups")
