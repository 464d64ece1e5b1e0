"""Anonymous refusals cannot flood the audit log: they are counted into one summary row per
window, each client is rate-limited, and every stored field is capped (real server, real log)."""

from __future__ import annotations

import json
from collections import Counter

from ivr.audit import AuditLog, Entry
from ivr.audit.limits import CAPS
from ivr.web.tokens import Role
from tests.unit.web.conftest import Site

LONG = "/api/calls/" + "x" * 4000


async def test_300_anonymous_requests_with_long_paths_add_one_small_row(site: Site) -> None:
    statuses: Counter[int] = Counter()
    for _ in range(300):
        async with site.client.get(LONG) as response:
            statuses[response.status] += 1
    allowance = site.settings.compliance.refusals_per_minute
    assert statuses == {401: allowance, 429: 300 - allowance}
    await site.client.close()
    path = site.settings.compliance.audit_path
    assert path.stat().st_size < 64 * 1024  # was 2.5 MB: one chained row per request
    [row] = AuditLog(path).rows()
    summary = json.loads(row.entry.detail)
    assert summary["count"] == 300
    assert summary["busiest"] == {"127.0.0.1": 300}
    assert "xxxx" not in row.entry.target


async def test_a_client_over_its_allowance_still_gets_in_with_a_valid_token(site: Site) -> None:
    for _ in range(site.settings.compliance.refusals_per_minute + 1):
        async with site.client.get("/metrics"):
            pass
    async with site.client.get("/metrics") as refused:
        assert refused.status == 429
        assert refused.headers["Retry-After"] == "60"
    async with site.client.get("/metrics", headers=site.auth(Role.AUDITOR)) as allowed:
        assert allowed.status == 200


def test_every_stored_field_is_capped(site: Site) -> None:
    log = AuditLog(site.settings.compliance.audit_path)
    huge = "é" * 100_000
    log.append(Entry(huge, huge, huge, huge, huge, huge, huge, huge, huge))
    [row] = log.rows()
    for name, cap in CAPS.items():
        assert len(getattr(row.entry, name)) == cap, name
    assert log.verify() == []
