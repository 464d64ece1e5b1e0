"""``/api/outbound/…`` over real HTTP (issue 19 §6): roles, audit, the same rules as the CLI."""

from __future__ import annotations

import pytest

from ivr.web.tokens import Role
from tests.support.outbound_policy import campaign
from tests.unit.web.conftest import Site

CAMPAIGN = campaign("web-fr", profile="fr", professional="Web SA")
MONDAY_10 = "2026-03-02T10:00:00+01:00"


@pytest.fixture
def outbound_site(site: Site) -> Site:
    with site.settings.path.open("a", encoding="utf-8") as config:
        config.write(CAMPAIGN)
    return site


async def check(site: Site, number: str, role: Role = Role.SUPERVISOR) -> dict[str, object]:
    query = {"number": number, "campaign": "web-fr", "at": MONDAY_10}
    response = await site.client.get("/api/outbound/check", params=query, headers=site.auth(role))
    assert response.status == 200, await response.text()
    body: dict[str, object] = await response.json()
    return body


async def test_an_admin_imports_a_list_and_the_guard_refuses_its_numbers(
    outbound_site: Site,
) -> None:
    site = outbound_site
    assert (await check(site, "0611111111"))["rule"] == "list-stale"
    body = {"list": "bloctel", "screened_on": "2026-03-01", "numbers": ["06 12 34 56 78"]}
    response = await site.client.post(
        "/api/outbound/opposition", json=body, headers=site.auth(Role.ADMIN)
    )
    assert (response.status, (await response.json())["added"]) == (200, 1)
    assert (await check(site, "+33612345678"))["rule"] == "opposition"
    assert (await check(site, "0611111111"))["allowed"] is True


async def test_only_admins_import_lists(outbound_site: Site) -> None:
    body = {"list": "bloctel", "numbers": []}
    response = await outbound_site.client.post(
        "/api/outbound/opposition", json=body, headers=outbound_site.auth(Role.SUPERVISOR)
    )
    assert response.status == 403


async def test_an_auditor_cannot_read_a_consumers_decision(outbound_site: Site) -> None:
    query = {"number": "0611111111", "campaign": "web-fr"}
    response = await outbound_site.client.get(
        "/api/outbound/check", params=query, headers=outbound_site.auth(Role.AUDITOR)
    )
    assert response.status == 403


async def test_reads_are_audited_without_the_number(outbound_site: Site) -> None:
    await check(outbound_site, "0611111111")
    rows = [row for row in outbound_site.audit_rows() if row[2] == "outbound-check"]
    assert len(rows) == 1
    assert "611111111" not in rows[0][3]


async def test_consents_imported_then_revoked(outbound_site: Site) -> None:
    site = outbound_site
    consent = {"number": "0611111111", "given_at": "2026-01-02T10:00:00+01:00",
               "source": "web form", "wording": "oui", "outside_hours": "yes"}  # fmt: skip
    response = await site.client.post(
        "/api/outbound/consents", json={"consents": [consent]}, headers=site.auth(Role.ADMIN)
    )
    assert (await response.json()) == {"imported": 1}
    response = await site.client.post(
        "/api/outbound/consents/revoke",
        json={"number": "+33611111111"},
        headers=site.auth(Role.SUPERVISOR),
    )
    assert (await response.json())["revoked"] == 1


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/outbound/check", {"number": "hello", "campaign": "web-fr"}),
        ("/api/outbound/check", {"number": "0611111111", "campaign": "nope"}),
        ("/api/outbound/check", {"number": "0611111111", "campaign": "web-fr", "at": "x"}),
        ("/api/outbound/attempts", {"number": ""}),
    ],
)
async def test_bad_input_is_a_400_naming_it(
    outbound_site: Site, path: str, query: dict[str, str]
) -> None:
    response = await outbound_site.client.get(
        path, params=query, headers=outbound_site.auth(Role.ADMIN)
    )
    assert response.status == 400
    assert (await response.json())["error_id"] == "bad-request"


async def test_the_routes_are_in_openapi(outbound_site: Site) -> None:
    response = await outbound_site.client.get(
        "/openapi.json", headers=outbound_site.auth(Role.ADMIN)
    )
    paths = (await response.json())["paths"]
    assert {"/api/outbound/check", "/api/outbound/opposition", "/api/outbound/consents"} <= set(
        paths
    )
