"""``POST /api/erasures`` also applies the request to the outbound store (issue 19): the
number's attempts and decisions go, the number stays opposed so it is never called again."""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.outbound.store import SqliteOutboundStore
from ivr.web.tokens import Role
from tests.unit.web.conftest import Site

CAMPAIGN = Campaign("c", SHIPPED["fr"], "Acme", "", ("internal",))
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_erasure_api_keeps_the_number_opposed_and_drops_its_attempts(site: Site) -> None:
    path = site.settings.ledger.path.parent / "outbound.sqlite3"
    store = SqliteOutboundStore(path)
    store.guard(CAMPAIGN, "+33612345678", AT, True)
    store.close()
    response = await site.client.post(
        "/api/erasures",
        json={"caller": "06 12 34 56 78", "reason": "art. 17"},
        headers=site.auth(Role.ADMIN),
    )
    assert response.status == 200
    outbound = (await response.json())["outbound"]
    assert (outbound["opposed"], outbound["decisions_deleted"]) == (True, 1)
    store = SqliteOutboundStore(path)
    try:
        assert store.decisions("+33612345678") == []
        facts = store.facts(CAMPAIGN, "+33612345678", datetime.now(UTC), True)
        assert facts.opposed_on == ("internal",)
    finally:
        store.close()
    assert b"612345678" not in site.settings.compliance.audit_path.read_bytes()
