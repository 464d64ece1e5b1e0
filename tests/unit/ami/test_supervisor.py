"""AmiSupervisor: reconnection with backoff, hooks, health."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator

import pytest

from ivr.ami import AmiClient, AmiHealth, AmiSupervisor, AmiTimeout, Backoff
from tests.support.ami_supervisor import supervisor_for
from tests.support.fake_ami import FakeAmi, FakeConnection, Request, eventually


@pytest.fixture
async def running(fake: FakeAmi) -> AsyncIterator[AmiSupervisor]:
    supervisor = supervisor_for(fake)
    task = asyncio.create_task(supervisor.run())
    yield supervisor
    supervisor.stop()
    await asyncio.wait_for(task, 5)


def test_backoff_grows_is_capped_and_jittered() -> None:
    backoff = Backoff(initial=1.0, maximum=8.0, factor=2.0, jitter=0.25)
    rng = random.Random(0)
    delays = [backoff.delay(n, rng) for n in range(200)]
    assert 0.75 <= delays[0] <= 1.25
    assert 1.5 <= delays[1] <= 2.5
    assert all(d <= 8.0 for d in delays)
    assert len({round(d, 6) for d in delays[10:]}) > 1  # jitter spreads capped delays


@pytest.mark.parametrize(
    "kwargs", [{"initial": 0}, {"initial": 5, "maximum": 1}, {"factor": 0.5}, {"jitter": 1.0}]
)
def test_backoff_validates(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="Backoff"):
        Backoff(**kwargs)


async def test_connects_and_reports_health(fake: FakeAmi, running: AmiSupervisor) -> None:
    client = await running.wait_connected(2)
    assert client is running.client
    assert await client.ping() >= 0
    health = running.health
    assert (health.connected, health.reconnects, health.last_gap) == (True, 0, None)
    assert health.since is not None
    assert set(health.as_dict()) == {"connected", "since", "last_error", "reconnects", "last_gap"}


async def test_reconnects_after_a_drop_and_reruns_hooks(fake: FakeAmi) -> None:
    supervisor = supervisor_for(fake)
    synced: list[AmiClient] = []

    async def resync(client: AmiClient) -> None:
        await client.ping()
        synced.append(client)

    supervisor.on_connected.append(resync)
    task = asyncio.create_task(supervisor.run())
    try:
        first = await supervisor.wait_connected(2)
        fake.connections[-1].drop()
        await eventually(lambda: supervisor.health.reconnects == 1, what="a reconnect")
        second = await supervisor.wait_connected(2)
        assert second is not first
        assert synced == [first, second]
        health = supervisor.health
        assert health.connected
        assert health.last_gap is not None
        assert 0 <= health.last_gap < 2
        assert "read failed" in (health.last_error or "")
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 5)


async def test_backs_off_while_the_server_is_down(fake: FakeAmi) -> None:
    port = fake.port
    await fake.stop()
    supervisor = supervisor_for(fake, port=port)
    task = asyncio.create_task(supervisor.run())
    try:
        await eventually(lambda: supervisor.health.last_error is not None)
        assert "cannot connect" in (supervisor.health.last_error or "")
        with pytest.raises(AmiTimeout, match="AMI connection"):
            await supervisor.wait_connected(0.05)
        await fake.start(port)
        client = await supervisor.wait_connected(3)
        assert client.connected
        assert fake.logins == 1
        assert supervisor.health.reconnects == 0  # never lost a link: first connection
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 5)


async def test_failed_hook_drops_the_link_and_retries(fake: FakeAmi) -> None:
    supervisor = supervisor_for(fake)
    calls: list[int] = []

    async def flaky(client: AmiClient) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("resync failed")

    supervisor.on_connected.append(flaky)
    task = asyncio.create_task(supervisor.run())
    try:
        await supervisor.wait_connected(3)
        assert len(calls) == 3
        assert fake.logins == 3
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 5)


async def test_stop_logs_off(fake: FakeAmi) -> None:
    supervisor = supervisor_for(fake)
    task = asyncio.create_task(supervisor.run())
    await supervisor.wait_connected(2)
    supervisor.stop()
    await asyncio.wait_for(task, 5)
    assert fake.requests_for("Logoff")
    assert supervisor.client is None
    assert supervisor.health == AmiHealth(
        connected=False,
        since=supervisor.health.since,
        last_error="closed by the client",
        reconnects=0,
        last_gap=None,
    )


async def test_lanes_log_in_without_events_and_are_usable_while_the_hooks_run(
    fake: FakeAmi,
) -> None:
    supervisor = supervisor_for(fake, lanes=("actions", "urgent"))
    seen_in_hook: list[AmiClient | None] = []

    async def hook(client: AmiClient) -> None:
        lane = supervisor.lane("actions")
        seen_in_hook.append(lane)
        assert lane is not None
        await lane.ping()

    supervisor.on_connected.append(hook)
    task = asyncio.create_task(supervisor.run())
    try:
        listener = await supervisor.wait_connected(2)
        lanes = [supervisor.lane("actions"), supervisor.lane("urgent")]
        assert all(lane is not None and lane is not listener for lane in lanes)
        assert seen_in_hook == lanes[:1]
        events = sorted(r.get("Events") for r in fake.requests_for("Login"))
        assert events == ["off", "off", "on"]
        fake.broadcast(b"Event: Newchannel\r\nChannel: PJSIP/a-1\r\n\r\n")
        listening = [c for c in fake.live if c.events_on]
        assert len(listening) == 1
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 5)
    assert supervisor.lane("actions") is None


@pytest.mark.parametrize("dropped", [0, 1, 2])
async def test_one_session_dropped_drops_the_link_and_all_reconnect_and_resync(
    fake: FakeAmi, dropped: int
) -> None:
    supervisor = supervisor_for(fake, lanes=("actions", "urgent"))
    synced: list[AmiClient] = []

    async def resync(client: AmiClient) -> None:
        synced.append(client)

    supervisor.on_connected.append(resync)
    task = asyncio.create_task(supervisor.run())
    try:
        first = await supervisor.wait_connected(2)
        old = [first, supervisor.lane("actions"), supervisor.lane("urgent")]
        await eventually(lambda: len(fake.live) == 3, what="three sessions")
        fake.live[dropped].drop()
        await eventually(lambda: supervisor.health.reconnects == 1, what="a reconnect")
        second = await supervisor.wait_connected(2)
        assert synced == [first, second]
        assert all(client is not None and not client.connected for client in old)
        assert supervisor.lane("actions") not in old
        assert supervisor.lane("urgent") not in old
        assert fake.logins == 6
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 5)


async def test_a_lane_refused_at_login_keeps_the_link_down(fake: FakeAmi) -> None:
    supervisor = supervisor_for(fake, lanes=("actions", "urgent"))
    refused: list[int] = []

    def refuse_quiet_logins(connection: FakeConnection, request: Request) -> None:
        if request.get("Events") == "off":
            refused.append(1)
            connection.respond(request, "Error", ("Message", "Authentication failed"))
            connection.hang_up()
        else:
            connection.respond(request, "Success", ("Message", "Authentication accepted"))

    fake.on("Login", refuse_quiet_logins)
    task = asyncio.create_task(supervisor.run())
    try:
        await eventually(lambda: len(refused) >= 4, what="lanes refused twice")
        assert not supervisor.health.connected
        assert "refused" in (supervisor.health.last_error or "")
        assert supervisor.client is None
        await eventually(lambda: fake.live == [], what="the listener closed as well")
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 5)


async def test_a_link_of_many_sessions_logs_its_start_and_its_close_once_each(
    fake: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ivr.ami")
    lanes = ("actions", "urgent", "tone-1", "tone-2", "tone-3")
    supervisor = supervisor_for(fake, lanes=lanes)
    task = asyncio.create_task(supervisor.run())
    await supervisor.wait_connected(2)
    supervisor.stop()
    await asyncio.wait_for(task, 5)

    infos = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    link = f"AMI link to 127.0.0.1:{fake.port}"
    assert [m for m in infos if "closed" in m] == [
        f"{link} closed (6 sessions): closed by the client"
    ]
    assert [m for m in infos if "connected" in m or " up " in m] == [
        f"{link} up (6 sessions) as {fake.username} ({fake.banner})"
    ]
    debugs = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert sum("closed" in m for m in debugs) == 6  # each session's own line is still there
