"""AsyncLedger: the ledger from an event loop, every call on one worker thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ivr.ledger import (
    AsyncLedger,
    CallRecord,
    CallSummary,
    EventKind,
    KeptRecording,
    Ledger,
    LedgerClosedError,
)
from ivr.ledger.aio import OS_THREAD_NAME
from ivr.ledger.codec import Detail
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, Source
from tests.unit.ledger.conftest import T0, at


class WatchedLedger(Ledger):
    """A Ledger that notes the thread of every call and can hold add_event at a gate."""

    threads: set[int]
    gate: threading.Event | None = None

    def add_event(
        self,
        call_id: str,
        *,
        at: datetime,
        kind: EventKind,
        source: Source,
        detail: Detail | None = None,
    ) -> int:
        self.threads.add(threading.get_ident())
        if self.gate is not None:
            assert self.gate.wait(timeout=10), "the loop never opened the gate: it was blocked"
        return super().add_event(call_id, at=at, kind=kind, source=source, detail=detail)

    def start_call(self, *args: Any, **kwargs: Any) -> bool:
        self.threads.add(threading.get_ident())
        return super().start_call(*args, **kwargs)

    def finish_call(self, *args: Any, **kwargs: Any) -> bool:
        self.threads.add(threading.get_ident())
        return super().finish_call(*args, **kwargs)

    def get_call(self, call_id: str) -> CallRecord | None:
        self.threads.add(threading.get_ident())
        return super().get_call(call_id)

    def list_calls(self, **kwargs: Any) -> list[CallSummary]:
        self.threads.add(threading.get_ident())
        return super().list_calls(**kwargs)

    def close(self) -> None:
        self.threads.add(threading.get_ident())
        super().close()


def watched(path: Path) -> Callable[[], WatchedLedger]:
    def factory() -> WatchedLedger:
        ledger = WatchedLedger.open(path)
        ledger.threads = {threading.get_ident()}
        return ledger

    return factory


async def test_a_call_through_the_async_ledger(ledger_path: Path) -> None:
    async with await AsyncLedger.open(ledger_path) as ledger:
        assert ledger.location == str(ledger_path)
        assert await ledger.start_call(
            "c1",
            started_at=at(0),
            caller_number="+331",
            caller_name=None,
            profile="fr",
            language="fr",
        )
        seq = await ledger.add_event(
            "c1", at=at(1), kind=EventKind.OBJECTED, source=Source.CALLER, detail={"key": "9"}
        )
        await ledger.set_notice_hash("c1", "ab" * 32)
        assert await ledger.finish_call("c1", ended_at=at(2), decision=Decision.OBJECTED)
        call = await ledger.get_call("c1")
        assert call is not None
        assert (call.decision, call.notice_hash) == (Decision.OBJECTED, "ab" * 32)
        assert [(e.seq, e.kind, e.detail) for e in call.events] == [
            (seq, EventKind.OBJECTED, {"key": "9"})
        ]
        [summary] = await ledger.list_calls(since=at(0), limit=5)
        assert summary.call_id == "c1"
    with pytest.raises(LedgerClosedError):
        await ledger.get_call("c1")
    await ledger.aclose()  # twice is fine


async def test_every_call_runs_on_one_worker_thread_not_the_loop(ledger_path: Path) -> None:
    store: WatchedLedger | None = None

    def factory() -> WatchedLedger:
        nonlocal store
        store = watched(ledger_path)()
        return store

    ledger = await AsyncLedger.start(factory)
    await ledger.start_call(
        "c1", started_at=at(0), caller_number=None, caller_name=None, profile="fr", language="fr"
    )
    await ledger.add_event("c1", at=at(1), kind=EventKind.HANGUP, source=Source.SERVICE)
    await ledger.finish_call(
        "c1",
        ended_at=at(2),
        decision=Decision.KEPT,
        recording=KeptRecording("/r.wav", 1.0, "0" * 64),
    )
    await ledger.get_call("c1")
    await ledger.list_calls()
    await ledger.aclose()
    assert store is not None
    assert len(store.threads) == 1
    assert threading.get_ident() not in store.threads


async def test_the_writer_thread_is_named_for_the_os(ledger_path: Path) -> None:
    """`top -H` and benchmarks/threads.py tell the ledger's writer from the event loop."""
    writer: list[int] = []

    def factory() -> Ledger:  # runs on the writer thread
        writer.append(threading.get_native_id())
        return Ledger.open(ledger_path)

    async with await AsyncLedger.start(factory):
        [tid] = writer
        assert _os_name(tid) == OS_THREAD_NAME
    assert _os_name(threading.get_native_id()) != OS_THREAD_NAME  # the loop's keeps its own


def _os_name(thread: int) -> str:
    return Path(f"/proc/self/task/{thread}/comm").read_text().strip()


async def test_the_loop_keeps_running_while_a_write_waits(ledger_path: Path) -> None:
    """The write below cannot finish until the loop itself opens the gate."""
    gate = threading.Event()

    def factory() -> WatchedLedger:
        store = watched(ledger_path)()
        store.gate = gate
        return store

    async with await AsyncLedger.start(factory) as ledger:
        write = asyncio.create_task(
            ledger.add_event("c1", at=at(1), kind=EventKind.HANGUP, source=Source.SERVICE)
        )
        await asyncio.sleep(0)
        assert not write.done()
        gate.set()  # runs only because the loop is free
        assert await asyncio.wait_for(write, timeout=10) == 1


async def test_calls_are_written_in_submission_order(ledger_path: Path) -> None:
    async with await AsyncLedger.open(ledger_path) as ledger:
        kinds = [
            EventKind.NOTICE_STARTED,
            EventKind.NOTICE_DONE,
            EventKind.RECORDING_STARTED,
            EventKind.OBJECTED,
            EventKind.RECORDING_STOPPED,
            EventKind.RECORDING_DELETED,
        ]
        seqs = await asyncio.gather(
            *(ledger.add_event("c1", at=at(1), kind=kind, source=Source.SERVICE) for kind in kinds)
        )
        assert seqs == sorted(seqs)
        call = await ledger.get_call("c1")
        assert call is not None
        assert [e.kind for e in call.events] == kinds


async def test_an_unreadable_ledger_fails_to_open_and_leaves_no_thread(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(Exception, match="not a readable ivr ledger"):
        await AsyncLedger.open(path)
    for thread in threading.enumerate():
        if thread.name.startswith("ivr-ledger"):
            await asyncio.to_thread(thread.join, 5)
            assert not thread.is_alive()


async def test_batches_of_many_calls_share_group_commits_and_all_land(tmp_path: Path) -> None:
    async with await AsyncLedger.open(tmp_path / "group.sqlite3") as ledger:

        def hangup(call: str) -> Callable[[LedgerStore], object]:
            return lambda s: s.add_event(call, at=T0, kind=EventKind.HANGUP, source=Source.CALLER)

        results = await asyncio.gather(*(ledger.batch([hangup(f"g.{n}")]) for n in range(50)))
        assert all(isinstance(r[0], int) for r in results)
        calls = await ledger.list_calls(limit=100)
        assert len(calls) == 50


class CountedLedger(WatchedLedger):
    """Counts its transactions (`batch` calls); a batch can be made to fail once."""

    commits: int = 0
    fail_next: bool = False

    def batch(self, writes: Any) -> list[object]:
        self.commits += 1
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk I/O error")
        return super().batch(writes)


def counted(path: Path) -> Callable[[], CountedLedger]:
    def factory() -> CountedLedger:
        ledger = CountedLedger.open(path)
        ledger.threads = {threading.get_ident()}
        return ledger

    return factory


def _hangup(call: str) -> Callable[[LedgerStore], object]:
    return lambda s: s.add_event(call, at=T0, kind=EventKind.HANGUP, source=Source.CALLER)


async def held_first_commit(
    ledger: AsyncLedger,
) -> tuple[CountedLedger, threading.Event, asyncio.Future[list[object]]]:
    """A first batch whose commit the worker is inside, held until the gate is set."""
    store = ledger._store
    assert isinstance(store, CountedLedger)
    gate = store.gate = threading.Event()
    first = asyncio.ensure_future(ledger.batch([_hangup("first")]))
    await asyncio.sleep(0.05)  # the worker is inside the first commit, held at the gate
    return store, gate, first


async def test_batches_queued_during_a_commit_share_the_next_one(tmp_path: Path) -> None:
    async with await AsyncLedger.start(counted(tmp_path / "l.sqlite3")) as ledger:
        store, gate, first = await held_first_commit(ledger)
        queued = [asyncio.ensure_future(ledger.batch([_hangup(f"q.{n}")])) for n in range(5)]
        await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(first, *queued)
        assert all(isinstance(r[0], int) for r in results)
        assert store.commits == 2  # the first, then the five together
        assert len(await ledger.list_calls(limit=10)) == 6


async def test_a_failed_commit_reaches_every_waiter_and_the_next_commit_works(
    tmp_path: Path,
) -> None:
    async with await AsyncLedger.start(counted(tmp_path / "l.sqlite3")) as ledger:
        store, gate, first = await held_first_commit(ledger)
        group = [asyncio.ensure_future(ledger.batch([_hangup(f"g.{n}")])) for n in range(3)]
        await asyncio.sleep(0)
        store.fail_next = True  # the next commit, the group's, fails as a full disk would
        gate.set()
        assert isinstance((await first)[0], int)
        failed = await asyncio.gather(*group, return_exceptions=True)
        assert all(isinstance(r, OSError) for r in failed), failed
        assert isinstance((await ledger.batch([_hangup("after")]))[0], int)
