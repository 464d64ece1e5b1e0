"""The shared store stops mid-call and comes back (a real PostgreSQL cluster, stopped and
started with pg_ctl; the service in-process against the fake PBX replaying a recorded call).

While it is away the call goes on; its rows go to the durable spool on the service's host, so
its recording may start; /healthz and /metrics say so; once the cluster is back the spool is
written into it, in order, and nothing is lost. With no spool either, the recording never
starts (fail closed)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.config.model import Settings
from ivr.ledger.postgres import PgLedger
from ivr.sandbox import db
from ivr.service.runtime import Runtime
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.store import StoreUnderTest, fresh_database
from tests.support.targets import sandbox_prefix
from tests.support.transcripts import Transcript

DEADLINE = 15.0


@pytest.fixture
def cluster() -> Iterator[db.DbInfo]:
    """A cluster of this test's own: stopping it must not disturb the others'."""
    name = sandbox_prefix("outage-db")
    db.remove(name)
    yield db.up(name)
    db.remove(name)


async def until(condition: object, what: str) -> None:
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.02)


def after_step(transcript: Transcript, step: str) -> int:
    for index, (_, headers) in enumerate(transcript.events):
        if dict(headers).get("Step") == step:
            return index + 1
    raise AssertionError(f"no {step} step")


async def started_in_store(runtime: Runtime, call_id: str) -> None:
    for _ in range(int(DEADLINE / 0.02)):
        if await runtime.ledger.get_call(call_id) is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the call's start never reached the store")


async def test_rows_written_while_the_store_is_down_reach_it_in_order_once_back(
    tmp_path: Path, pbx: FakePbx, cluster: db.DbInfo
) -> None:
    url = fresh_database(cluster)
    settings = tier_settings(tmp_path, pbx, store=StoreUnderTest("postgresql", tmp_path, url))
    transcript = Transcript.load("consent-loop")
    cut = after_step(transcript, "notice-started")
    async with service(settings) as runtime:
        await pbx.replay(transcript, stop=cut)
        await started_in_store(runtime, transcript.call_id)
        db.down(cluster.name)
        await pbx.replay(transcript, start=cut)
        health = runtime.ledger.health
        await until(lambda: not runtime.calls.sessions, "the call never ended")
        assert list((tmp_path / "recordings").iterdir()), "the recording never started"
        assert (health.reachable, health.state) == (False, "spooling")
        assert health.spooled_rows > 0
        ok, body = runtime.health()
        assert ok
        assert body["ledger"]["state"] == "spooling"  # type: ignore[index]
        assert "ivr_store_up 0.0" in runtime.metrics_text()

        db.up(cluster.name)
        await until(lambda: health.reachable and not health.spooled_rows, "spool not written")
        record = await decided(runtime, transcript.call_id)
        assert "ivr_store_up 1.0" in runtime.metrics_text()
    assert record.decision == "kept"
    assert record.start_recorded
    kinds = [str(e.kind) for e in record.events]
    assert kinds.index("notice-done") < kinds.index("recording-started")
    assert [e.seq for e in record.events] == sorted(e.seq for e in record.events)
    assert not (tmp_path / "store-spool.sqlite3").exists()
    with PgLedger.open_url(url, site="dpo", read_only=True) as ledger:
        replays = ledger._pgdb().execute("SELECT count(*) FROM spool_replays").fetchone()
        assert replays == (1,)


async def test_no_recording_starts_when_neither_the_store_nor_the_spool_takes_its_rows(
    tmp_path: Path, pbx: FakePbx, cluster: db.DbInfo
) -> None:
    url = fresh_database(cluster)
    unwritable = tmp_path / "spool-is-a-folder"
    unwritable.mkdir()
    settings = tier_settings(tmp_path, pbx, store=StoreUnderTest("postgresql", tmp_path, url))
    settings = _with_spool(settings, unwritable)
    transcript = Transcript.load("consent-loop")
    cut = after_step(transcript, "notice-started")
    async with service(settings) as runtime:
        await pbx.replay(transcript, stop=cut)
        await started_in_store(runtime, transcript.call_id)
        db.down(cluster.name)
        await pbx.replay(transcript, start=cut)
        await until(lambda: not runtime.calls.sessions, "the call never ended")
        assert list((tmp_path / "recordings").iterdir()) == []  # fail closed
        assert runtime.metrics.counters["recordings_started"]._value.get() == 0
        db.up(cluster.name)
        await until(lambda: runtime.ledger.health.reachable, "store not back")
    with PgLedger.open_url(url, site="dpo", read_only=True) as ledger:
        call = ledger.get_call(transcript.call_id)
    assert call is not None
    assert "recording-started" not in [e.kind for e in call.events]


def _with_spool(settings: Settings, spool: Path) -> Settings:
    return dataclasses.replace(settings, store=dataclasses.replace(settings.store, spool=spool))
