"""Reading a call's ledger entry (the caller's number and name) is audited like listening to
its recording: who, which call, when, why and from where, written before the entry is sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ivr.audit import AuditLog
from ivr.web.tokens import Role
from tests.unit.web.conftest import ENCRYPTED_CALL, ENV_TOKEN, NUMBER, Site

WHY = {"reason": "qa"}


def rows(site: Site) -> list[tuple[str, ...]]:
    return [row[:6] for row in site.audit_rows()]


@pytest.mark.parametrize("role", list(Role))
async def test_each_read_is_one_row_naming_who_and_which_call(site: Site, role: Role) -> None:
    before = datetime.now(UTC)
    response = await site.client.get(
        f"/api/calls/{ENCRYPTED_CALL}", params=WHY, headers=site.auth(role)
    )
    assert response.status == 200
    assert (await response.json())["caller_number"] == NUMBER
    [row] = AuditLog(site.settings.compliance.audit_path).rows()
    entry = row.entry
    assert (entry.role, entry.action, entry.target, entry.outcome) == (
        str(role),
        "read",
        ENCRYPTED_CALL,
        "ok",
    )
    assert entry.actor not in {"", "anonymous", "-"}
    assert entry.origin == "127.0.0.1"
    assert before <= datetime.fromisoformat(entry.at) <= datetime.now(UTC)


async def test_the_reason_is_kept_from_the_query_or_the_header(site: Site) -> None:
    path = f"/api/calls/{ENCRYPTED_CALL}"
    await site.client.get(path, params={"reason": "complaint 42"}, headers=site.auth(Role.ADMIN))
    await site.client.get(path, headers=site.auth(Role.AUDITOR, **{"X-Access-Reason": "audit"}))
    assert [row[5] for row in site.audit_rows()] == ["complaint 42", "audit"]


async def test_an_unknown_call_is_a_refused_read(site: Site) -> None:
    response = await site.client.get(
        "/api/calls/1700000000.99", params=WHY, headers=site.auth(Role.AUDITOR)
    )
    assert response.status == 404
    assert rows(site) == [(rows(site)[0][0], "auditor", "read", "1700000000.99", "refused", "qa")]


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 501])
async def test_a_read_without_a_reason_is_refused_and_audited(
    site: Site, reason: str | None
) -> None:
    params = {} if reason is None else {"reason": reason}
    response = await site.client.get(
        f"/api/calls/{ENCRYPTED_CALL}", params=params, headers=site.auth(Role.ADMIN)
    )
    assert response.status == 400
    assert (await response.json())["error_id"] == "reason-required"
    assert NUMBER not in await response.text()
    assert rows(site)[0][1:5] == ("admin", "read", ENCRYPTED_CALL, "refused")


async def test_the_row_holds_no_personal_data(site: Site) -> None:
    headers = {"Authorization": f"Bearer {ENV_TOKEN}"}
    path = f"/api/calls/{ENCRYPTED_CALL}"
    assert (await site.client.get(path, params=WHY, headers=headers)).status == 200
    assert rows(site)[0][:5] == ("env", "admin", "read", ENCRYPTED_CALL, "ok")
    log = site.settings.compliance.audit_path.read_bytes()
    assert NUMBER.encode() not in log
    assert b"Jane" not in log


async def test_no_audit_row_no_entry(site: Site) -> None:
    # The audit log made unwritable: a directory where its file should be.
    site.settings.compliance.audit_path.unlink(missing_ok=True)
    site.settings.compliance.audit_path.mkdir()
    response = await site.client.get(
        f"/api/calls/{ENCRYPTED_CALL}", params=WHY, headers=site.auth(Role.ADMIN)
    )
    assert response.status == 500
    assert NUMBER not in await response.text()
