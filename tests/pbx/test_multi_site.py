"""Two sites, one store: two sandbox PBXs, each with its own carrier and its own `ivr run`,
write to one PostgreSQL database. Calls on both land in one ledger, each naming its site; an
objection on site A is honoured there (no file) and visible from site B's service; the audit
chain of the whole store verifies; an outbound call allowed on site A counts against the cap
on site B; the called party's "stop calling me" key pressed on site B silences the number on
site A (refused before it leaves site A's PBX) and both sites' APIs show the refusal."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import psycopg
import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.audit.postgres import PgAuditLog
from ivr.ledger.postgres import PgLedger
from ivr.outbound import names
from ivr.outbound.numbers import normalise
from ivr.qa.carrier import Carrier
from ivr.sandbox.db import DbInfo
from ivr.store.url import StoreUrl
from tests.pbx.test_outbound_guard import AgentCall, consumer, refused
from tests.support.calls import hang_up_everything
from tests.support.consent_calls import NeverExists, event_kinds, ledger_entry, place
from tests.support.fixtures import connect
from tests.support.outbound_policy import campaign, open_profile, profile
from tests.support.service import ServiceProcess, build_prompts, write_config
from tests.support.store import drop_database, fresh_database
from tests.support.targets import Target, sandbox_pair, sandbox_prefix

pytestmark = [pytest.mark.sip, pytest.mark.slow, pytest.mark.timeout(240)]

POLICY = (
    open_profile("qa-open")
    + profile("qa-cap", base="qa-open", cap_attempts=1)
    + campaign("qa-open")
    + campaign("qa-cap")
)


@dataclass
class Site:
    name: str
    pbx: Target
    pbx_ami: AmiClient
    carrier_ami: AmiClient
    carrier: Carrier
    service: ServiceProcess


@pytest.fixture(scope="module")
def shared_store(pg_cluster: DbInfo) -> Iterator[StoreUrl]:
    url = fresh_database(pg_cluster)
    yield url
    drop_database(pg_cluster, url)


@pytest.fixture(scope="module")
def two_pairs() -> Iterator[list[tuple[Target, Target]]]:
    with ExitStack() as stack:
        yield [stack.enter_context(sandbox_pair(sandbox_prefix(s))) for s in ("a", "b")]


@pytest_asyncio.fixture(scope="module")
async def sites(
    two_pairs: list[tuple[Target, Target]],
    shared_store: StoreUrl,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[list[Site]]:
    made: list[Site] = []
    clients: list[AmiClient] = []
    try:
        for name, (pbx, carrier) in zip(("site-a", "site-b"), two_pairs, strict=True):
            folder = tmp_path_factory.mktemp(name)
            config = write_config(folder, pbx, policy=POLICY)
            with config.open("a", encoding="utf-8") as handle:
                handle.write(f'\n[store]\nurl = "{shared_store.dsn}"\nsite = "{name}"\n')
            build_prompts(config)
            pbx_ami, carrier_ami = await connect(pbx), await connect(carrier)
            clients += [pbx_ami, carrier_ami]
            service = ServiceProcess(config, folder / "service.log")
            await service.start()
            made.append(Site(name, pbx, pbx_ami, carrier_ami, Carrier(carrier_ami), service))
        yield made
    finally:
        for site in made:
            assert site.service.stop() == 0, site.service.log_tail()
        for client in clients:
            await hang_up_everything(client)
            await client.close()


async def test_calls_of_two_sites_land_in_one_ledger_and_an_objection_holds_on_both(
    sites: list[Site], shared_store: StoreUrl
) -> None:
    a, b = sites
    objected = await place(a.carrier, a.pbx_ami, a.pbx)
    async with NeverExists(objected.file):
        await objected.leg.press("9")
        await objected.step("objected")
        kept = await place(b.carrier, b.pbx_ami, b.pbx)
        await kept.step("notice-done")
        await kept.bridged()
        await kept.file_appears()
        await asyncio.sleep(1.5)  # the conversation on site B, recorded
        await asyncio.gather(objected.leg.hangup(), kept.leg.hangup())
        on_a = await ledger_entry(a.service, objected.call_id)
    assert on_a["decision"] == "objected"
    assert "recording-started" not in event_kinds(on_a)
    assert (await ledger_entry(b.service, kept.call_id))["decision"] == "kept"
    # Site B's service reads site A's objection: one ledger.
    assert (await ledger_entry(b.service, objected.call_id))["decision"] == "objected"
    assert (await ledger_entry(a.service, kept.call_id))["decision"] == "kept"
    with PgLedger.open_url(shared_store, site="dpo", read_only=True) as ledger:
        rows = ledger._pgdb().execute(
            "SELECT call_id, site FROM calls WHERE call_id = ANY(?)",
            ([objected.call_id, kept.call_id],),
        )
        assert dict(rows.fetchall()) == {objected.call_id: "site-a", kept.call_id: "site-b"}
    audit = PgAuditLog(shared_store, site="dpo")
    try:
        assert audit.verify() == []
        # Both services audited their API reads into the one chain.
        assert {"site-a", "site-b"} <= {row.entry.site for row in audit.rows()}
    finally:
        audit.close()


async def test_an_outbound_call_allowed_on_site_a_counts_against_the_cap_on_site_b(
    sites: list[Site],
) -> None:
    a, b = sites
    number = consumer()
    first = AgentCall(a.pbx_ami, a.carrier_ami, f"o.qa-cap.{number}")
    try:
        await first.place()
        assert await first.verdict() == names.ALLOWED
        await first.carrier_legs.wait_for(None, 10.0)
    finally:
        first.close()
    assert await refused(b.carrier, b.pbx_ami, f"o.qa-cap.{number}", b.pbx) == "cap"


async def test_a_refusal_key_pressed_on_site_b_silences_the_number_on_both_sites(
    sites: list[Site], shared_store: StoreUrl
) -> None:
    a, b = sites
    number = consumer()
    call = AgentCall(b.pbx_ami, b.carrier_ami, f"c.qa-open.{number}")
    steps = b.pbx_ami.subscribe(
        lambda e: e.name == "UserEvent" and e.get("UserEvent") == names.EVENT
        and e.get("Number") == number
    )  # fmt: skip
    try:
        await call.place()
        assert await call.verdict() == names.ALLOWED  # site B had never called it
        leg = await call.carrier_legs.wait_for(None, 10.0)
        await steps.wait_for(lambda e: e.get("Step") == names.STEP_OPENING, 10.0)
        fields = {"Channel": leg.get("Channel", ""), "Digit": "7", "Duration": "250"}
        await b.carrier_ami.action("PlayDTMF", fields)
        await steps.wait_for(lambda e: e.get("Step") == names.STEP_STOP, 10.0)
        await call.ended(20.0)
    finally:
        steps.unsubscribe()
        call.close()
    # Site A's guard refuses it before it leaves site A's PBX: site A's carrier sees no call.
    assert await refused(a.carrier, a.pbx_ami, f"o.qa-open.{number}", a.pbx) == "opposition"
    query = urllib.parse.urlencode({"number": number, "campaign": "qa-open", "reason": "qa"})
    for site in (a, b):
        decision = await asyncio.to_thread(site.service.get, f"/api/outbound/check?{query}")
        assert (decision["allowed"], decision["rule"]) == (False, "opposition"), site.name
        checks = {c["rule"]: c for c in decision["checks"]}  # type: ignore[attr-defined]
        assert checks["refusal-rest"]["passed"] is False, site.name
        assert "rest 60 days" in checks["refusal-rest"]["detail"], checks["refusal-rest"]
    # One refusal in the one store, naming the site where the key was pressed.
    with psycopg.connect(shared_store.dsn) as pg:
        rows = pg.execute(
            "SELECT site, who FROM outbound_refusals WHERE number = %s", (normalise(number, "FR"),)
        ).fetchall()
    assert rows == [("site-b", names.STOP_WHO["opening"])], rows
