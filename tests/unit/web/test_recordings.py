"""The recordings API over real HTTP: a reason for every listen, audio decrypted on the fly,
ids that try to leave the folder refused, erasure by an admin, each access in the audit log."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

import pytest
from yarl import URL

from ivr.ledger import Ledger
from ivr.web.tokens import Role
from tests.unit.web.conftest import ENCRYPTED_CALL, NUMBER, PLAIN_CALL, Site

AUDIO = f"/api/recordings/{ENCRYPTED_CALL}/audio"


async def test_list_and_metadata(site: Site) -> None:
    listing = await (
        await site.client.get("/api/recordings", headers=site.auth(Role.AUDITOR))
    ).json()
    assert {item["call_id"] for item in listing} == {ENCRYPTED_CALL, PLAIN_CALL}
    meta = await site.client.get(
        f"/api/recordings/{ENCRYPTED_CALL}", headers=site.auth(Role.AUDITOR)
    )
    body = await meta.json()
    assert (body["available"], body["encrypted"], body["sha256"]) == (True, True, "a" * 64)
    assert "path" not in body


async def test_listening_without_a_reason_is_refused_and_audited(site: Site) -> None:
    response = await site.client.get(AUDIO, headers=site.auth(Role.SUPERVISOR))
    assert response.status == 400
    assert (await response.json())["error_id"] == "reason-required"
    [row] = site.audit_rows()
    assert row[1:5] == ("supervisor", "listen", ENCRYPTED_CALL, "refused")


@pytest.mark.parametrize("call_id", [ENCRYPTED_CALL, PLAIN_CALL])
async def test_listening_with_a_reason_streams_the_plain_audio(site: Site, call_id: str) -> None:
    response = await site.client.get(
        f"/api/recordings/{call_id}/audio",
        headers=site.auth(Role.SUPERVISOR, **{"X-Access-Reason": "complaint #42"}),
    )
    assert response.status == 200
    assert await response.read() == site.audio[call_id]
    assert response.headers["Content-Type"] == "audio/wav"
    assert response.headers["Content-Disposition"].startswith("inline")
    [row] = site.audit_rows()
    assert row[1:] == ("supervisor", "listen", call_id, "ok", "complaint #42", "127.0.0.1")


async def test_download_is_an_attachment_and_audited_as_such(site: Site) -> None:
    response = await site.client.get(
        AUDIO, params={"reason": "legal hold", "download": "true"}, headers=site.auth(Role.ADMIN)
    )
    assert await response.read() == site.audio[ENCRYPTED_CALL]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ENCRYPTED_CALL}.wav"'
    [row] = site.audit_rows()
    assert row[1:6] == ("admin", "download", ENCRYPTED_CALL, "ok", "legal hold")


@pytest.mark.parametrize(
    "raw",
    [
        "/api/recordings/..%2F..%2Fetc%2Fpasswd/audio",
        "/api/recordings/%2E%2E/audio",
        "/api/recordings/a..b/audio",
        "/api/recordings/.hidden/audio",
    ],
)
async def test_ids_that_leave_the_folder_are_refused(site: Site, raw: str) -> None:
    url = site.client.make_url("").join(URL(raw, encoded=True))
    response = await site.client.session.get(
        url, params={"reason": "x"}, headers=site.auth(Role.ADMIN)
    )
    assert response.status in (400, 404)
    assert b"root:" not in await response.read()


async def test_a_ledger_path_outside_the_folder_is_not_served(site: Site, tmp_path: Path) -> None:
    outside = tmp_path / "secret.wav"
    outside.write_bytes(b"RIFF-not-yours")
    db = sqlite3.connect(site.settings.ledger.path)
    with db:
        db.execute("UPDATE recordings SET path = ? WHERE call_id = ?", (str(outside), PLAIN_CALL))
    db.close()
    response = await site.client.get(
        f"/api/recordings/{PLAIN_CALL}/audio", params={"reason": "x"}, headers=site.auth(Role.ADMIN)
    )
    assert response.status == 404
    assert outside.exists()


async def test_erasure_by_an_admin_deletes_and_keeps_a_proof(site: Site) -> None:
    refused = await site.client.post(
        "/api/erasures", json={"caller": NUMBER, "reason": "r"}, headers=site.auth(Role.SUPERVISOR)
    )
    assert refused.status == 403
    response = await site.client.post(
        "/api/erasures",
        json={"caller": "+33612345678", "reason": "art. 17 request #7"},
        headers=site.auth(Role.ADMIN),
    )
    proof = await response.json()
    expected = hmac.new(b"erasure-secret", b"+33612345678", hashlib.sha256).hexdigest()
    assert (proof["subject"], proof["calls"], proof["recordings"]) == (expected, 1, 1)
    assert list(site.settings.recordings.dir.iterdir()) == [
        site.settings.recordings.dir / f"{PLAIN_CALL}.wav"
    ]
    gone = await site.client.get(AUDIO, params={"reason": "x"}, headers=site.auth(Role.ADMIN))
    assert gone.status == 410
    with Ledger.open(site.settings.ledger.path, read_only=True) as ledger:
        call = ledger.get_call(ENCRYPTED_CALL)
        assert call is not None
        assert (call.caller_number, call.caller_name) == (None, None)
        [stored] = ledger.erasures()
        assert stored.subject == expected
    assert NUMBER.encode() not in site.settings.compliance.audit_path.read_bytes()
    assert b"+33612345678" not in site.settings.compliance.audit_path.read_bytes()
    actions = [row[2:5] for row in site.audit_rows()]
    assert ("erase", expected, "ok") in actions
