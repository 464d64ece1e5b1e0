"""The AMI client and its supervisor against the real PBX through a fault-injecting proxy:
delays, stalls, resets, half-closed sockets, frames split at every byte. No action outlives
its deadline, pending actions fail with a typed error, and the supervisor gets the link back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from ivr.ami import AmiClient, AmiConnectionError, AmiError, AmiSupervisor, AmiTimeout
from ivr.ami.supervisor import Backoff
from tests.support.faultproxy import FaultProxy
from tests.support.targets import Target

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(120)]

MARGIN = 0.5  # what a deadline may be overrun by on a busy 2-core machine


async def connect(proxy: FaultProxy, target: Target, **options: float | None) -> AmiClient:
    client = AmiClient(**options)  # type: ignore[arg-type]
    await client.connect("127.0.0.1", proxy.port, target.ami_username, target.ami_secret)
    return client


async def timed(action: asyncio.Future[object] | asyncio.Task[object]) -> tuple[float, object]:
    started = time.monotonic()
    try:
        result: object = await action
    except AmiError as exc:
        result = exc
    return time.monotonic() - started, result


async def test_frames_split_at_every_byte_still_parse(
    proxy: FaultProxy, pbx_target: Target
) -> None:
    proxy.faults.split = True
    client = await connect(proxy, pbx_target)
    try:
        assert (await client.action("Ping")).get("Ping") == "Pong"
        _, channels = await client.event_list("CoreShowChannels")
        assert isinstance(channels, list)
        assert not (await client.action("Getvar", {"Variable": "AMI_FAULT_TEST"})).is_error
    finally:
        await client.close()
    assert proxy.links[0].bytes_to_client > 200


async def test_a_delay_past_the_deadline_is_a_timeout_not_a_hang(
    proxy: FaultProxy, pbx_target: Target
) -> None:
    client = await connect(proxy, pbx_target)
    try:
        proxy.faults.delay = 0.6
        took, result = await timed(asyncio.ensure_future(client.action("Ping", timeout=0.3)))
        assert isinstance(result, AmiTimeout)
        assert took < 0.3 + MARGIN
        took, result = await timed(asyncio.ensure_future(client.action("Ping", timeout=5.0)))
        assert not isinstance(result, AmiError), result  # slow, but within its deadline
    finally:
        proxy.faults.delay = 0.0
        await client.close()


async def test_a_stalled_link_times_out_actions_then_the_watchdog_drops_it(
    proxy: FaultProxy, pbx_target: Target
) -> None:
    client = await connect(proxy, pbx_target, ping_interval=0.5, ping_timeout=0.5)
    proxy.links[0].stall()
    actions = [asyncio.ensure_future(client.action("Ping", timeout=1.0)) for _ in range(5)]
    for took, result in await asyncio.gather(*(timed(a) for a in actions)):
        assert isinstance(result, AmiTimeout | AmiConnectionError), result
        assert took < 1.0 + MARGIN
    reason = await asyncio.wait_for(client.wait_closed(), 5.0)
    assert "watchdog" in str(reason)
    await client.close()


async def test_a_reset_fails_every_pending_action_at_once(
    proxy: FaultProxy, pbx_target: Target
) -> None:
    client = await connect(proxy, pbx_target)
    proxy.links[0].stall()  # answers held back: the actions stay pending
    pending = [asyncio.ensure_future(client.action("Ping", timeout=10.0)) for _ in range(20)]
    listing = asyncio.ensure_future(client.event_list("CoreShowChannels", timeout=10.0))
    await asyncio.sleep(0.1)
    proxy.reset_all()
    for took, result in await asyncio.gather(*(timed(a) for a in [*pending, listing])):
        assert isinstance(result, AmiConnectionError), result
        assert took < 0.1 + MARGIN + 0.2
    with pytest.raises(AmiConnectionError):
        await client.action("Ping")
    await client.close()


@pytest.mark.parametrize("side", ["to-client", "to-server"])
async def test_a_half_closed_socket_ends_the_link_with_a_typed_error(
    proxy: FaultProxy, pbx_target: Target, side: str
) -> None:
    client = await connect(proxy, pbx_target, ping_interval=0.5, ping_timeout=0.5)
    link = proxy.links[0]
    if side == "to-client":
        link.half_close_to_client()
    else:
        link.half_close_to_server()
    took, result = await timed(asyncio.ensure_future(client.action("Ping", timeout=2.0)))
    assert isinstance(result, AmiConnectionError | AmiTimeout), result
    assert took < 2.0 + MARGIN
    assert isinstance(await asyncio.wait_for(client.wait_closed(), 5.0), AmiConnectionError)
    await client.close()


async def test_the_supervisor_recovers_from_resets_and_refusals(
    proxy: FaultProxy, pbx_target: Target
) -> None:
    supervisor = AmiSupervisor(
        "127.0.0.1",
        proxy.port,
        pbx_target.ami_username,
        pbx_target.ami_secret,
        backoff=Backoff(initial=0.1, maximum=1.0),
        connect_timeout=1.0,
    )
    running = asyncio.create_task(supervisor.run())
    try:
        await supervisor.wait_connected(10.0)
        gaps = []
        for fault in ("reset", "refuse", "stall-at-login"):
            gaps.append(await _outage(proxy, supervisor, fault))
        health = supervisor.health
        assert health.connected
        assert health.reconnects == 3
        assert all(gap < 5.0 for gap in gaps), gaps
        print(f"reconnect gaps through the proxy: {[round(g, 3) for g in gaps]} s")
    finally:
        supervisor.stop()
        await asyncio.wait_for(running, 10.0)


async def _outage(proxy: FaultProxy, supervisor: AmiSupervisor, fault: str) -> float:
    """Cause one outage; the seconds from the fault lifted to the link back (hooks run)."""
    lost, before = supervisor.client, supervisor.health.reconnects
    assert lost is not None
    proxy.refusing = fault == "refuse"
    if fault == "stall-at-login":
        proxy.faults.running.clear()  # new links too: the login never completes
    proxy.reset_all()
    await asyncio.wait_for(lost.wait_closed(), 5.0)
    if fault != "reset":
        await _attempts(proxy, 2)  # it keeps trying, with backoff, and stays down meanwhile
        assert not supervisor.health.connected
    proxy.refusing = False
    proxy.faults.running.set()
    lifted = time.monotonic()
    await _until(lambda: supervisor.health.reconnects == before + 1, "never reconnected", 10.0)
    back = time.monotonic() - lifted
    client = supervisor.client
    assert client is not None
    assert client is not lost
    assert (await client.action("Ping")).get("Ping") == "Pong"
    return supervisor.health.last_gap or back if fault == "reset" else back


async def _until(condition: Callable[[], bool], message: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.01)


async def _attempts(proxy: FaultProxy, count: int) -> None:
    """Until the supervisor has tried ``count`` more times (it keeps trying, with backoff)."""
    deadline = time.monotonic() + 10.0
    wanted = proxy.attempts + count
    while proxy.attempts < wanted:
        assert time.monotonic() < deadline, "the supervisor stopped trying"
        await asyncio.sleep(0.05)
