"""Subscription semantics, without a network."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ivr.ami import AmiConnectionError, AmiError, AmiTimeout, EventMatch, Message, Subscription


def event(name: str, **headers: str) -> Message:
    return Message([("Event", name), *headers.items()])


def subscription(maxlen: int = 100) -> Subscription:
    return Subscription(None, lambda sub: None, maxlen)


async def test_buffer_is_bounded_and_counts_drops() -> None:
    sub = subscription(maxlen=3)
    for i in range(5):
        sub.offer(event("E", N=str(i)))
    assert (len(sub), sub.dropped) == (3, 2)
    assert (await sub.wait_for(None, 1)).get("N") == "2"


async def test_wait_for_searches_the_buffer_first_and_leaves_the_rest() -> None:
    sub = subscription()
    for digit in "123":
        sub.offer(event("DTMFEnd", Digit=digit))
    assert (await sub.wait_for(EventMatch("DTMFEnd", {"Digit": "2"}), 1)).get("Digit") == "2"
    assert [m.get("Digit") async for m in _take(sub, 2)] == ["1", "3"]


async def test_wait_for_then_waits_for_new_events() -> None:
    sub = subscription()
    waiter = asyncio.create_task(sub.wait_for(EventMatch("Hangup"), 2))
    await asyncio.sleep(0)
    sub.offer(event("Newexten"))
    sub.offer(event("Hangup", Cause="16"))
    assert (await waiter).get("Cause") == "16"
    assert len(sub) == 1  # the Newexten stays for other readers


async def test_two_waiters_get_their_own_events() -> None:
    sub = subscription()
    first = asyncio.create_task(sub.wait_for(EventMatch("A"), 2))
    second = asyncio.create_task(sub.wait_for(EventMatch("B"), 2))
    await asyncio.sleep(0)
    sub.offer(event("B"))
    sub.offer(event("A"))
    assert ((await first).name, (await second).name) == ("A", "B")


async def test_timeout_names_what_was_awaited() -> None:
    sub = subscription()
    with pytest.raises(AmiTimeout, match="waiting for consent digit"):
        await sub.wait_for(lambda m: False, 0.01, what="consent digit")
    with pytest.raises(AmiTimeout, match="waiting for Hangup with Cause='16'"):
        await sub.wait_for(EventMatch("Hangup", {"Cause": "16"}), 0.01)


async def test_predicate_filters_at_offer_time() -> None:
    sub = Subscription(EventMatch("DTMFEnd"), lambda s: None)
    sub.offer(event("Newexten"))
    sub.offer(event("DTMFEnd"))
    assert len(sub) == 1


async def test_unsubscribe_ends_iteration() -> None:
    detached: list[Subscription] = []
    sub = Subscription(None, detached.append)
    sub.offer(event("A"))
    sub.unsubscribe()
    assert detached == [sub]
    assert [m.name async for m in sub] == ["A"]
    with pytest.raises(AmiError, match="closed"):
        await sub.wait_for(None, 1)


async def test_connection_loss_wakes_every_waiter() -> None:
    sub = subscription()
    waiters = [asyncio.create_task(sub.wait_for(EventMatch("X"), 2)) for _ in range(3)]
    await asyncio.sleep(0)
    sub.close(AmiConnectionError("link lost"))
    for waiter in waiters:
        with pytest.raises(AmiConnectionError, match="link lost"):
            await waiter


async def _take(sub: Subscription, count: int) -> AsyncIterator[Message]:
    for _ in range(count):
        yield await anext(sub)
