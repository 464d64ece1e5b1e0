"""Smaller hardening of the HTTP API over a real server: a bearer token that is not UTF-8 is a
401 (was a 500), the public health check says only ok or degraded, and reading the audit log
is itself audited, one bounded page at a time."""

from __future__ import annotations

import asyncio

from ivr.web.tokens import Role
from tests.unit.web.conftest import Site


async def raw_status(site: Site, request: bytes) -> int:
    server = site.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(request)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    await writer.wait_closed()
    return status


async def test_a_bearer_token_that_is_not_utf8_is_a_401_not_a_500(site: Site) -> None:
    request = b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\x80\r\n\r\n"
    assert await raw_status(site, request) == 401


async def test_the_public_health_check_shows_the_status_only(site: Site) -> None:
    async with site.client.get("/healthz") as response:
        assert await response.json() == {"status": "ok"}


async def test_the_health_details_need_a_token(site: Site) -> None:
    async with site.client.get("/healthz", headers=site.auth(Role.AUDITOR)) as response:
        assert await response.json() == {"status": "ok", "ami": "ok"}


async def test_reading_the_audit_log_is_audited(site: Site) -> None:
    async with site.client.get("/api/audit?limit=5", headers=site.auth(Role.AUDITOR)) as first:
        assert first.status == 200
        [shown] = await first.json()
    [row] = site.audit_rows()
    assert shown["target"] == "audit-log"
    assert row[2:5] == ("read", "audit-log", "ok")
    assert row[1] == "auditor"


async def test_an_audit_page_is_bounded(site: Site) -> None:
    headers = site.auth(Role.ADMIN)
    async with site.client.get("/api/audit?limit=1000000", headers=headers) as response:
        assert response.status == 400
        assert "limit must be from 1 to 1000" in (await response.json())["message"]
