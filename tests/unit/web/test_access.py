"""Tokens and roles over real HTTP: public pages stay public, everything else needs a token
whose role the route allows, and every refusal is in the audit log (anonymous ones summed up)."""

from __future__ import annotations

import pytest

from ivr.web.dashboard.paths import is_dashboard
from ivr.web.routes import ROUTES
from ivr.web.tokens import Role
from tests.unit.web.conftest import ENCRYPTED_CALL, ENV_TOKEN, Site


@pytest.mark.parametrize("path", ["/healthz", "/legal-notice"])
async def test_public_pages_need_no_token(site: Site, path: str) -> None:
    response = await site.client.get(path)
    assert response.status == 200
    assert site.audit_rows() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/calls/1700000000.1",
        "/metrics",
        "/openapi.json",
        "/api/recordings",
        "/api/audit",
        "/api/recordings/1700000000.1/audio?reason=x",
        "/nowhere",
    ],
)
async def test_everything_else_refuses_without_a_token(site: Site, path: str) -> None:
    response = await site.client.get(path)
    assert response.status == 401
    assert (await response.json())["error_id"] == "unauthorized"
    assert site.audit_rows() == []  # counted, then summed up in one row per window
    await site.client.close()
    [row] = site.audit_rows()
    assert row[:5] == ("anonymous", "-", "access", "*", "refused")


async def test_a_wrong_token_is_refused_and_not_logged(site: Site) -> None:
    response = await site.client.get("/metrics", headers={"Authorization": "Bearer nope-123"})
    assert response.status == 401
    await site.client.close()
    log = site.settings.compliance.audit_path.read_bytes()
    assert b"nope-123" not in log


async def test_the_environment_token_is_an_admin(site: Site) -> None:
    headers = {"Authorization": f"Bearer {ENV_TOKEN}"}
    call = await site.client.get(f"/api/calls/{ENCRYPTED_CALL}?reason=qa", headers=headers)
    assert call.status == 200
    assert (await call.json())["call_id"] == ENCRYPTED_CALL
    metrics = await site.client.get("/metrics", headers=headers)
    assert await metrics.text() == "ivr_calls_total 3\n"


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_calls_and_metadata(site: Site, role: Role) -> None:
    for path in (
        f"/api/calls/{ENCRYPTED_CALL}?reason=qa",
        "/api/recordings",
        "/metrics",
        f"/api/recordings/{ENCRYPTED_CALL}",
    ):
        response = await site.client.get(path, headers=site.auth(role))
        assert response.status == 200, path


async def test_an_auditor_cannot_listen_and_the_refusal_is_audited(site: Site) -> None:
    path = f"/api/recordings/{ENCRYPTED_CALL}/audio"
    response = await site.client.get(
        path, params={"reason": "curious"}, headers=site.auth(Role.AUDITOR)
    )
    assert response.status == 403
    [row] = site.audit_rows()
    assert row[1:5] == ("auditor", "access", path, "refused")
    assert row[6] == "127.0.0.1"


async def test_only_auditors_and_admins_read_the_audit_log(site: Site) -> None:
    denied = await site.client.get("/api/audit", headers=site.auth(Role.SUPERVISOR))
    assert denied.status == 403
    allowed = await site.client.get("/api/audit", headers=site.auth(Role.AUDITOR))
    refused, read = await allowed.json()
    assert (refused["action"], refused["outcome"], refused["role"]) == (
        "access",
        "refused",
        "supervisor",
    )
    assert (read["action"], read["target"], read["role"]) == ("read", "audit-log", "auditor")


async def test_the_tokens_file_holds_hashes_only(site: Site) -> None:
    stored = site.settings.compliance.tokens_file.read_text()
    for token in site.tokens.values():
        assert token not in stored
    assert site.settings.compliance.tokens_file.stat().st_mode & 0o777 == 0o600


async def test_openapi_matches_the_routes(site: Site) -> None:
    response = await site.client.get("/openapi.json", headers=site.auth(Role.AUDITOR))
    spec = await response.json()
    described = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    served = {
        (r.method, r.resource.canonical)
        for r in site.client.app.router.routes()
        if r.method != "HEAD"
        and r.resource is not None
        and not is_dashboard(r.resource.canonical)  # HTML pages with their own sessions
    }
    assert described == served == {(r.method, r.path) for r in ROUTES}
    public = {p for p, ops in spec["paths"].items() for op in ops.values() if op["security"] == []}
    assert public == {"/healthz", "/legal-notice"}
