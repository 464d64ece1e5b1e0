"""The shared store's heal task: asleep while all is well, retrying once the store is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ivr.ledger.health import StoreHealth
from ivr.store.alarm import SpoolHealth
from ivr.store.heal import heal_store
from tests.support.fake_ami import eventually

AN_HOUR = 3600.0


class FakeStore:
    """A store whose heal() succeeds only after ``failures_left`` failed attempts."""

    location = "postgresql://store.test/ivr"

    def __init__(self) -> None:
        self.health = SpoolHealth("postgresql")
        self.heals = 0
        self.failures_left = 0

    async def heal(self) -> bool:
        self.heals += 1
        if self.failures_left:
            self.failures_left -= 1
            return False
        self.health.reachable, self.health.spooled_rows = True, 0
        return True

    def lose(self, failures: int) -> None:
        """As `SpooledLedger` does on a failed write: unreachable, rows spooled, alarm rung."""
        self.health.reachable, self.health.spooled_rows = False, 3
        self.failures_left = failures
        self.health.lost.ring()


class CountedSleep:
    def __init__(self) -> None:
        self.naps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.naps.append(seconds)
        await asyncio.sleep(0)


@asynccontextmanager
async def healing(
    store: FakeStore, sleep: CountedSleep, check_every: float = AN_HOUR
) -> AsyncIterator[None]:
    task = asyncio.create_task(heal_store(store, 0.5, check_every, sleep))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def loop_turns(count: int) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


async def test_while_the_store_is_well_the_heal_task_never_wakes() -> None:
    store, sleep = FakeStore(), CountedSleep()
    async with healing(store, sleep):
        await loop_turns(500)
        assert (store.heals, sleep.naps) == (0, [])


async def test_a_lost_store_is_retried_at_the_heal_pace_until_it_answers_then_the_task_sleeps() -> (
    None
):
    store, sleep = FakeStore(), CountedSleep()
    async with healing(store, sleep):
        await loop_turns(10)
        store.lose(failures=2)
        await eventually(lambda: store.health.reachable, what="the store healed")
        # Woken by the alarm: one try at once, then two more spaced by the heal pace.
        assert store.heals == 3
        assert sleep.naps == [0.5, 0.5]
        await loop_turns(500)
        assert store.heals == 3


async def test_an_idle_store_is_still_asked_once_per_check_so_health_sees_it_go() -> None:
    store, sleep = FakeStore(), CountedSleep()
    async with healing(store, sleep, check_every=0.01):
        await eventually(lambda: store.heals >= 2, what="two idle checks")
        assert sleep.naps == []


class SqliteFile:
    location = "/var/lib/ivr/ledger.sqlite3"
    health = StoreHealth("sqlite")

    async def heal(self) -> bool:
        raise AssertionError("a SQLite file is never healed")


async def test_a_sqlite_ledger_needs_no_heal_task() -> None:
    await asyncio.wait_for(heal_store(SqliteFile(), 0.5, AN_HOUR, CountedSleep()), 1.0)
