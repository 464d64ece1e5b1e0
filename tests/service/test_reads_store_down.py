"""Reads while the shared store is away (a real PostgreSQL cluster stopped and started again
with pg_ctl, the service in-process against the fake PBX): the API answers a 503 naming the
store, never a stack trace nor the password; /healthz and /metrics keep answering and say the
store's state; the dashboard shows a banner instead of a 500; once the cluster is back every
read works again by itself, with no restart; and after a restart nobody read through, the very
first read is served, not answered 503 once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from ivr.sandbox import db
from ivr.service.runtime import Runtime
from ivr.store.url import StoreUrl
from tests.support.fake_pbx import FakePbx
from tests.support.outage import stoppable_cluster
from tests.support.outbound_policy import campaign, open_profile
from tests.support.service_tier import decided, service, tier_settings
from tests.support.store import StoreUnderTest, fresh_database
from tests.support.transcripts import Transcript

pytestmark = pytest.mark.timeout(120)
TOKEN = "reads-token-not-secret"
PASSWORD = "pw-never-shown"
DEADLINE = 20.0
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POLICY = open_profile("qa", every_hour=False) + campaign("qa")
GUARD = "/api/outbound/check?number=0612345678&campaign=qa&reason=qa"


@pytest.fixture(scope="module")
def cluster() -> Iterator[db.DbInfo]:
    with stoppable_cluster("reads") as running:
        yield running


@pytest_asyncio.fixture
async def http(runtime: Runtime) -> AsyncIterator[aiohttp.ClientSession]:
    http = runtime.settings.http
    base = f"http://{http.listen_host}:{http.listen_port}"
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie of a server named by its IP
    async with aiohttp.ClientSession(base, cookie_jar=jar) as session:
        yield session


@pytest_asyncio.fixture
async def runtime(
    tmp_path: Path, pbx: FakePbx, cluster: db.DbInfo, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Runtime]:
    monkeypatch.setenv("IVR_API_TOKEN", TOKEN)
    url = fresh_database(cluster)
    url = StoreUrl.parse(url.dsn.replace("ivr@", f"ivr:{PASSWORD}@"))
    store = StoreUnderTest("postgresql", tmp_path, url)
    settings = tier_settings(tmp_path, pbx, POLICY, store=store)
    async with service(settings) as running:
        yield running
    db.up(cluster.name)  # a failed test leaves the cluster up for the next


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.1)


async def sign_in(http: aiohttp.ClientSession) -> None:
    form = await (await http.get("/dashboard/sign-in")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found
    data = {"csrf": found.group(1), "token": TOKEN}
    signed = await http.post("/dashboard/sign-in", data=data, allow_redirects=False)
    assert signed.status == 303, await signed.text()


async def test_reads_answer_503_naming_the_store_while_it_is_down_and_work_again_after(
    runtime: Runtime, pbx: FakePbx, http: aiohttp.ClientSession, cluster: db.DbInfo
) -> None:
    transcript = Transcript.load("consent-loop")
    await pbx.replay(transcript)
    await decided(runtime, transcript.call_id)
    call = f"/api/calls/{transcript.call_id}?reason=qa"
    assert (await http.get(call, headers=AUTH)).status == 200
    assert (await http.get(GUARD, headers=AUTH)).status == 200
    await sign_in(http)

    db.down(cluster.name)
    for path in (call, "/api/audit", GUARD):
        response = await http.get(path, headers=AUTH)
        body = await response.json()
        assert response.status == 503, body
        assert body["error_id"] == "store-unreachable"
        assert body["message"].startswith("the shared store is unreachable: "), body
        assert response.headers["Retry-After"] == "5"
        assert PASSWORD not in await response.text()
    page = await http.get("/dashboard/outcomes")
    text = await page.text()
    assert page.status == 503
    assert 'id="store-down"' in text
    assert "the shared store is unreachable" in text
    assert PASSWORD not in text
    assert "Traceback" not in text
    assert 'href="/dashboard/health"' in text  # the navigation stays
    health = await http.get("/healthz", headers=AUTH)
    assert (await health.json())["ledger"]["state"] == "unreachable"
    assert "ivr_store_up 0.0" in await (await http.get("/metrics", headers=AUTH)).text()

    db.up(cluster.name)

    async def reads_again() -> bool:
        return (await http.get(call, headers=AUTH)).status == 200

    await until(reads_again, "the API never read the store again")
    assert (await http.get("/api/audit", headers=AUTH)).status == 200
    assert (await http.get(GUARD, headers=AUTH)).status == 200
    assert (await http.get("/dashboard/outcomes")).status == 200

    async def healthy_again() -> bool:
        health = await http.get("/healthz", headers=AUTH)
        return bool((await health.json())["ledger"]["state"] == "ok")

    await until(healthy_again, "/healthz never saw the store back")
    assert "ivr_store_up 1.0" in await (await http.get("/metrics", headers=AUTH)).text()


async def test_the_first_reads_after_a_restart_with_no_read_between_answer_200(
    runtime: Runtime, pbx: FakePbx, http: aiohttp.ClientSession, cluster: db.DbInfo
) -> None:
    """The service's kept connections sat idle through the restart, cut unknown to it: the
    first read of each kind after it (ledger, audit log and its audited access, guard,
    dashboard) is served on a new connection rather than answered 503 once."""
    transcript = Transcript.load("consent-loop")
    await pbx.replay(transcript)
    await decided(runtime, transcript.call_id)
    call = f"/api/calls/{transcript.call_id}?reason=qa"
    assert (await http.get(call, headers=AUTH)).status == 200
    await sign_in(http)

    db.down(cluster.name)
    db.up(cluster.name)

    for path in (call, "/api/audit", GUARD):
        response = await http.get(path, headers=AUTH)
        assert response.status == 200, (path, await response.text())
    assert (await http.get("/dashboard/outcomes")).status == 200


async def store_state(http: aiohttp.ClientSession) -> str:
    health = await http.get("/healthz", headers=AUTH)
    return str((await health.json())["ledger"]["state"])


async def test_healthz_sees_the_store_go_and_come_back_with_no_call_nor_read(
    runtime: Runtime, http: aiohttp.ClientSession, cluster: db.DbInfo
) -> None:
    assert await store_state(http) == "ok"
    db.down(cluster.name)

    async def seen_down() -> bool:
        return await store_state(http) == "unreachable"

    await until(seen_down, "/healthz never saw the store go")
    assert "ivr_store_up 0.0" in await (await http.get("/metrics", headers=AUTH)).text()
    db.up(cluster.name)

    async def seen_back() -> bool:
        return await store_state(http) == "ok"

    await until(seen_back, "/healthz never saw the store back")
