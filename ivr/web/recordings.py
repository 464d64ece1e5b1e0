"""The recordings API: list, metadata, and the audio (listen or download).

The audio is served only with a reason (``reason`` query parameter or ``X-Access-Reason``
header), and only after the access is in the audit log: no audit row, no audio. Call ids are
checked against a strict pattern and the file must lie inside the recordings folder, so no id
or ledger row can point the server at another file. Encrypted files are decrypted chunk by
chunk as they are sent.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from aiohttp import web

from ivr.crypto import SUFFIX, CryptoError, open_recording
from ivr.ledger.privacy import StoredRecording
from ivr.recordings.files import locate
from ivr.web import groups
from ivr.web.context import KEYRING, SERVICE, audit
from ivr.web.errors import error_response
from ivr.web.params import whole_number
from ivr.web.reasons import given_reason, refused_without_reason

CALL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
_CALL_ID = re.compile(CALL_ID_PATTERN)
_TYPES = {".wav": "audio/wav"}


def valid_call_id(call_id: str) -> bool:
    return bool(_CALL_ID.match(call_id)) and ".." not in call_id


async def listing(request: web.Request) -> web.Response:
    try:
        since = _since(request.query.get("since"))
        limit = whole_number(request.query, "limit", 100)
    except ValueError as exc:
        return error_response(400, "bad-parameter", str(exc))
    deleted = request.query.get("deleted", "false") == "true"
    found = await request.app[SERVICE].ledger.list_recordings(
        since=since, limit=max(1, min(limit, 1000)), deleted=deleted
    )
    if groups.limited(request):
        found = [item for item in found if await groups.may_see(request, item.call_id)]
    # Who saw which calls were recorded: in the audit log before the list leaves.
    detail = {"count": len(found), "deleted": deleted, "since": request.query.get("since", "")}
    await audit(request, "list-recordings", "*", "ok", detail=detail)
    return web.json_response([item.to_json() for item in found])


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"since {text!r}: give a time zone offset")
    return moment


async def _find(request: web.Request) -> StoredRecording | web.Response:
    call_id = request.match_info["call_id"]
    if not valid_call_id(call_id):
        return error_response(400, "bad-call-id", "not a call id", {"pattern": CALL_ID_PATTERN})
    found = await request.app[SERVICE].ledger.get_recording(call_id)
    if found is None:
        return error_response(404, "no-recording", f"no recording for call {call_id!r}")
    return found


async def metadata(request: web.Request) -> web.Response:
    found = await _find(request)
    if isinstance(found, web.Response):
        target = request.match_info["call_id"]
        detail = {"status": found.status}
        await audit(request, "recording-metadata", target, "refused", detail=detail)
        return found
    if not await groups.may_see(request, found.call_id):
        return await groups.refused(request, "recording-metadata", found.call_id)
    await audit(request, "recording-metadata", found.call_id, "ok")
    folder = request.app[SERVICE].settings.recordings.dir
    path = None if found.deleted_at else locate(found.path, folder)
    body = found.to_json() | {
        "available": path is not None,
        "encrypted": path is not None and path.name.endswith(SUFFIX),
    }
    return web.json_response(body)


async def audio(request: web.Request) -> web.StreamResponse:
    download = request.query.get("download", "false") == "true"
    action = "download" if download else "listen"
    call_id = request.match_info["call_id"]
    refusal = await refused_without_reason(request, action, call_id)
    if refusal is not None:
        return refusal
    reason = given_reason(request)
    found = await _find(request)
    if isinstance(found, web.Response):
        await audit(
            request, action, call_id, "refused", reason=reason, detail={"status": found.status}
        )
        return found
    if not await groups.may_see(request, call_id):
        return await groups.refused(request, action, call_id, reason)
    return await _send(request, found, action, reason, download)


async def _send(
    request: web.Request, found: StoredRecording, action: str, reason: str, download: bool
) -> web.StreamResponse:
    folder = request.app[SERVICE].settings.recordings.dir
    path = None if found.deleted_at else locate(found.path, folder)
    if path is None:
        status = 410 if found.deleted_at else 404
        await audit(
            request, action, found.call_id, "refused", reason=reason, detail={"status": status}
        )
        return error_response(status, "recording-gone", f"call {found.call_id!r}: no audio file")
    await audit(
        request, action, found.call_id, "ok", reason=reason, detail={"sha256": found.sha256}
    )
    chunks = open_recording(path, request.app[KEYRING])
    try:
        first = await asyncio.to_thread(next, chunks, b"")
    except CryptoError:
        await audit(
            request,
            action,
            found.call_id,
            "failed",
            reason=reason,
            detail={"status": 500, "why": "decryption"},
        )
        return error_response(500, "undecryptable", f"call {found.call_id!r}: cannot decrypt")
    return await _stream(request, found, path, first, chunks, download)


async def _stream(
    request: web.Request,
    found: StoredRecording,
    path: Path,
    first: bytes,
    chunks: Iterator[bytes],
    download: bool,
) -> web.StreamResponse:
    name = path.name.removesuffix(SUFFIX)
    kind = "attachment" if download else "inline"
    shown = f"{found.call_id}{Path(name).suffix}"  # the id matched CALL_ID_PATTERN: no quotes
    response = web.StreamResponse(
        headers={
            "Content-Type": _TYPES.get(Path(name).suffix, "application/octet-stream"),
            "Cache-Control": "no-store",
            "Content-Disposition": f'{kind}; filename="{shown}"',
        }
    )
    await response.prepare(request)
    block = first
    while block:
        await response.write(block)
        block = await asyncio.to_thread(next, chunks, b"")
    await response.write_eof()
    return response
