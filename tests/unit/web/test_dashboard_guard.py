"""The dashboard's outbound guard page and outcomes by campaign over real HTTP, from decisions
the real outbound store wrote: refusals by rule, allowed and refused per campaign, the latest
decisions with numbers only for the roles the API lets read them, list freshness."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from ivr.names import Decision
from ivr.outbound.config import load_outbound
from ivr.outbound.service import Outbound
from ivr.outbound.store import SqliteOutboundStore
from ivr.web.dashboard.guard_data import masked
from ivr.web.tokens import Role
from tests.support.outbound_policy import campaign, open_profile, profile
from tests.unit.web.conftest import Site
from tests.unit.web.test_dashboard import signed_in_csrf

CAMPAIGNS = (
    open_profile("web-open", required_lists=["bloctel"])
    + profile("web-stale", base="web-open", required_lists=["never-screened"])
    + campaign("web-open", professional="Web SA")
    + campaign("web-stale", professional="Web SA")
)
ALLOWED, MASKED_ID, STALE, UNKNOWN = "0611111111", "0622222222", "0633333333", "0644444444"


@pytest.fixture
def guarded(site: Site) -> Site:
    """The decisions the service's guard would log, written by the real store."""
    with site.settings.path.open("a", encoding="utf-8") as config:
        config.write(CAMPAIGNS)
    settings = load_outbound(site.settings)
    store = SqliteOutboundStore(settings.store)
    outbound = Outbound(settings, store)
    now = datetime.now(UTC)
    outbound.import_opposition("bloctel", now.date(), ["0699999999"])
    outbound.import_opposition("old", now.date() - timedelta(days=400), ["0698888888"])
    assert outbound.guard(ALLOWED, "web-open", now, shown=True).allowed
    assert outbound.guard(MASKED_ID, "web-open", now, shown=False).rule == "caller-id"
    assert outbound.guard(STALE, "web-stale", now, shown=True).rule == "list-stale"
    assert outbound.guard(UNKNOWN, "no-such-campaign", now, shown=True).rule == "campaign"
    store.close()
    return site


async def page(site: Site, name: str) -> str:
    response = await site.client.get(f"/dashboard/{name}?lang=en")
    assert response.status == 200
    return await response.text()


def refusals(html: str) -> dict[str, int]:
    """Refusals per rule, summed over the days of the page's table."""
    found: dict[str, int] = {}
    for rule, count in re.findall(r'<td data-rule="([^"]+)">(\d+)</td>', html):
        found[rule] = found.get(rule, 0) + int(count)
    return found


async def test_refusals_are_counted_under_their_rule(guarded: Site) -> None:
    await signed_in_csrf(guarded, Role.SUPERVISOR)
    html = await page(guarded, "guard")
    assert refusals(html) == {"caller-id": 1, "list-stale": 1, "campaign": 1}
    assert 'id="chart-refusals"' in html


async def test_allowed_and_refused_are_counted_per_campaign(guarded: Site) -> None:
    await signed_in_csrf(guarded, Role.SUPERVISOR)
    rows = re.findall(
        r'<tr data-campaign="([^"]+)"><th scope="row">[^<]+</th>'
        r'<td class="allowed">(\d+)</td><td class="refused">(\d+)</td>',
        await page(guarded, "guard"),
    )
    assert sorted(rows) == [
        ("no-such-campaign", "0", "1"),
        ("web-open", "1", "1"),
        ("web-stale", "0", "1"),
    ]


async def test_a_supervisor_sees_the_numbers_of_the_latest_decisions(guarded: Site) -> None:
    await signed_in_csrf(guarded, Role.SUPERVISOR)
    html = await page(guarded, "guard")
    assert "+33622222222" in html
    assert 'id="numbers-masked"' not in html


async def test_an_auditor_sees_the_latest_decisions_with_numbers_masked(guarded: Site) -> None:
    await signed_in_csrf(guarded, Role.AUDITOR)
    html = await page(guarded, "guard")
    assert 'id="numbers-masked"' in html
    for number in ("611111111", "622222222", "633333333"):
        assert number not in html
    assert masked("+33622222222") in html
    assert len(re.findall(r'<tr data-campaign="[^"]+" data-allowed=', html)) == 4


async def test_each_lists_screening_date_and_staleness_is_shown(guarded: Site) -> None:
    await signed_in_csrf(guarded, Role.AUDITOR)
    html = await page(guarded, "guard")
    lists = dict(re.findall(r'<tr data-list="([^"]+)" data-stale="(yes|no)">', html))
    # bloctel: screened today for a 30-day limit; never-screened: required, never imported;
    # old: imported but required by no campaign, so it refuses nothing.
    assert lists == {"bloctel": "no", "never-screened": "yes", "old": "no"}
    assert date.today().isoformat() in html
    assert "never imported" in html


async def test_the_page_reads_without_creating_the_store(site: Site) -> None:
    await signed_in_csrf(site, Role.ADMIN)
    store = load_outbound(site.settings).store
    html = await page(site, "guard")
    assert 'id="no-refusals"' in html
    assert 'id="guard-off"' in html
    assert not store.exists()
    assert (
        "Garde des appels sortants"
        in await (await site.client.get("/dashboard/guard?lang=fr")).text()
    )


async def test_an_unreadable_store_is_named_on_the_page_not_a_server_error(site: Site) -> None:
    store = load_outbound(site.settings).store
    store.write_bytes(b"not a database, " * 100)
    await signed_in_csrf(site, Role.ADMIN)
    assert 'id="guard-error"' in await page(site, "guard")
    assert 'id="by-campaign"' in await page(site, "outcomes")


async def test_an_outbound_calls_outcome_is_counted_under_its_campaign(guarded: Site) -> None:
    # The dialplan names the called party as the ledger's caller, in the form it was dialled.
    started = datetime.now(UTC) + timedelta(seconds=1)
    await guarded.ledger.start_call(
        "1800000000.7", started_at=started, caller_number=ALLOWED, caller_name=None,
        profile="fr", language="fr",
    )  # fmt: skip
    await guarded.ledger.finish_call("1800000000.7", ended_at=started, decision=Decision.OBJECTED)
    await guarded.ledger.start_call(
        "1800000000.8", started_at=started, caller_number="+33155555555", caller_name=None,
        profile="fr", language="fr",
    )  # fmt: skip
    await guarded.ledger.finish_call(
        "1800000000.8", ended_at=started, decision=Decision.NOT_RECORDED
    )
    await signed_in_csrf(guarded, Role.AUDITOR)
    html = await page(guarded, "outcomes")
    table = html.split('id="by-campaign"')[1].split("</table>")[0]
    cells = dict(re.findall(r'<tr data-campaign="([^"]+)">(.*?)</tr>', table))
    assert set(cells) == {"web-open", "-"}
    assert '<td data-decision="objected">1</td>' in cells["web-open"]
    assert '<td data-decision="not-recorded">1</td>' in cells["-"]
    sites = html.split('id="by-site"')[1].split("</table>")[0]
    # SQLite files: the service is one site, [store] site.
    assert re.findall(r'<tr data-site="([^"]+)">', sites) == [guarded.settings.store.site]


def test_a_masked_number_keeps_its_country_code_and_last_two_digits() -> None:
    assert masked("+33612345678") == "+33•••••••78"
    assert masked("12") == "••"
