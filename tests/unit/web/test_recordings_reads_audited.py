"""Reading the recordings' list and a recording's metadata leaves a row in the audit log, who
and from where, before the answer leaves (issue 15, item 11)."""

from __future__ import annotations

from ivr.web.tokens import Role
from tests.unit.web.conftest import PLAIN_CALL, Site


async def test_the_recordings_listing_is_audited(site: Site) -> None:
    response = await site.client.get("/api/recordings", headers=site.auth(Role.AUDITOR))
    assert response.status == 200
    [row] = site.audit_rows()
    assert row[1:5] == ("auditor", "list-recordings", "*", "ok")
    assert row[6] == "127.0.0.1"


async def test_a_recordings_metadata_read_is_audited(site: Site) -> None:
    response = await site.client.get(
        f"/api/recordings/{PLAIN_CALL}", headers=site.auth(Role.SUPERVISOR)
    )
    assert response.status == 200
    [row] = site.audit_rows()
    assert row[1:5] == ("supervisor", "recording-metadata", PLAIN_CALL, "ok")


async def test_a_metadata_read_of_an_unknown_call_is_audited_as_refused(site: Site) -> None:
    response = await site.client.get("/api/recordings/999.9", headers=site.auth(Role.AUDITOR))
    assert response.status == 404
    [row] = site.audit_rows()
    assert row[2:5] == ("recording-metadata", "999.9", "refused")
