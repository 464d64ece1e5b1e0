"""PostgreSQL writes a group-commit batch in a few statements for the whole batch
(`ivr.ledger.pg_batch`, issue 13 §7), and keeps every guarantee of writing it row by row: the same
rows and results as SQLite, a refused write refused alone, one chain across concurrent writers
of two sites, and a batch cut by a database restart written whole or not at all."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from ivr.ledger import Ledger
from ivr.ledger.errors import LedgerConflictError, LedgerUnavailableError
from ivr.ledger.model import KeptRecording
from ivr.ledger.postgres import PgLedger
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, EventKind, Source
from ivr.sandbox import db
from ivr.store.url import StoreUrl
from tests.support.store import fresh_database
from tests.support.targets import sandbox_prefix
from tests.unit.ledger.conftest import at

Write = Callable[[LedgerStore], object]
KEPT = KeptRecording("/rec/a.wav", 12.5, "ab" * 32)


def start(call: str, seconds: float = 0) -> Write:
    return lambda s: s.start_call(
        call, started_at=at(seconds), caller_number="+33 6 12", caller_name="Zoé \"Z\"",
        profile="fr", language="fr",
    )  # fmt: skip


def event(call: str, seconds: float, kind: EventKind = EventKind.NOTICE_STARTED) -> Write:
    return lambda s: s.add_event(
        call, at=at(seconds), kind=kind, source=Source.DIALPLAN, detail={"k": "é\n"}
    )


def finish(call: str, seconds: float, decision: Decision = Decision.NOT_RECORDED) -> Write:
    recording = KEPT if decision is Decision.KEPT else None
    return lambda s: s.finish_call(
        call, ended_at=at(seconds), decision=decision, recording=recording
    )


def call(call_id: str, seconds: float = 0) -> list[Write]:
    return [start(call_id, seconds), event(call_id, seconds + 1), finish(call_id, seconds + 2)]


# Batches in the shapes the service writes, and the corner cases of planning them.
BATCHES: list[list[Write]] = [
    call("a") + call("b", 5),
    [event("c", 3), start("c", 1), event("c", 4)],  # an event before its call's start
    [event("d", 9), event("d", 7), finish("d", 8, Decision.KEPT)],  # no start: minimal row
    [start("a", 0), finish("a", 2), finish("c", 5, Decision.OBJECTED), event("e", 1)],
    [start("f"), event("f", 1), lambda s: s.set_notice_hash("f", "n1"), finish("f", 2)],
]


@pytest.fixture
def pg(pg_url: StoreUrl) -> Iterator[PgLedger]:
    with PgLedger.open_url(pg_url, site="site-a") as opened:
        yield opened


def test_a_batch_writes_on_postgresql_what_it_writes_on_sqlite(
    pg: PgLedger, sqlite_ledger: Ledger
) -> None:
    for writes in BATCHES:
        assert _shown(pg.batch(writes)) == _shown(sqlite_ledger.batch(writes))
    for call_id in "abcdef":
        assert pg.get_call(call_id) == sqlite_ledger.get_call(call_id), call_id
    assert [c.call_id for c in pg.list_calls()] == [c.call_id for c in sqlite_ledger.list_calls()]
    assert pg.verify_chain()[0] == []


def test_a_conflicting_decision_in_a_batch_is_refused_alone(pg: PgLedger) -> None:
    pg.batch(call("a"))
    results = pg.batch([*call("b"), finish("a", 9, Decision.OBJECTED), event("a", 10)])
    assert isinstance(results[3], LedgerConflictError)
    assert results[:3] == [True, results[1], True]
    assert isinstance(results[1], int)
    record = pg.get_call("a")
    assert record is not None
    assert record.decision is Decision.NOT_RECORDED
    assert len(record.events) == 2
    assert pg.get_call("b") is not None
    assert pg.verify_chain()[0] == []


def test_the_chain_stays_one_across_two_sites_writing_at_once(
    pg: PgLedger, pg_url: StoreUrl
) -> None:
    errors: list[BaseException] = []

    def site(name: str) -> None:
        try:
            with PgLedger.open_url(pg_url, site=name) as ledger:
                for n in range(30):
                    writes = [w for c in range(8) for w in call(f"{name}-{n}-{c}", n)]
                    assert not any(isinstance(r, Exception) for r in ledger.batch(writes))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    writers = [threading.Thread(target=site, args=(name,)) for name in ("site-a", "site-b")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    findings, last_seq, _ = pg.verify_chain()
    assert findings == []
    assert last_seq >= 2 * 30 * 8
    assert len(pg.list_calls(limit=1000)) == 2 * 30 * 8


@pytest.fixture
def own_cluster() -> Iterator[db.DbInfo]:
    """A cluster of this test's own: restarting it must not disturb the others'."""
    name = sandbox_prefix("batch-restart-db")
    db.remove(name)
    yield db.up(name)
    db.remove(name)


def test_a_batch_cut_by_a_database_restart_is_written_whole_or_not_at_all(
    own_cluster: db.DbInfo,
) -> None:
    url = fresh_database(own_cluster)
    acknowledged: list[str] = []
    refused: list[list[str]] = []  # each refused batch's calls
    stop = threading.Event()

    def writer() -> None:
        with PgLedger.open_url(url, site="site-a") as ledger:
            n = 0
            while not stop.is_set():
                ids = [f"r{n}-{c}" for c in range(16)]
                try:
                    ledger.batch([w for call_id in ids for w in call(call_id, n)])
                    acknowledged.extend(ids)
                except LedgerUnavailableError:
                    refused.append(ids)
                n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        _until(lambda: len(acknowledged) >= 64, "no batch written before the restart")
        db.down(own_cluster.name)
        _until(lambda: len(refused) > 0, "no batch refused while the database was down")
        db.up(own_cluster.name)
        after = len(acknowledged)
        _until(lambda: len(acknowledged) >= after + 64, "writes did not resume after the restart")
    finally:
        stop.set()
        thread.join()
    with PgLedger.open_url(url, site="check") as ledger:
        stored = {summary.call_id: summary for summary in ledger.list_calls(limit=100_000)}
        assert ledger.verify_chain()[0] == []
    assert all(stored[c].event_count == 1 and stored[c].decision for c in acknowledged)
    for ids in refused:  # not written, or (the commit's answer lost with the link) whole
        assert len(set(ids) & set(stored)) in (0, len(ids)), "a refused batch was partly written"


def _until(condition: Callable[[], bool], what: str, deadline: float = 30.0) -> None:
    ended = threading.Event()
    timer = threading.Timer(deadline, ended.set)
    timer.start()
    try:
        while not condition():
            assert not ended.wait(0.02), what
    finally:
        timer.cancel()


def _shown(results: list[object]) -> list[object]:
    """Results as compared across stores: an error by its type."""
    return [type(r).__name__ if isinstance(r, Exception) else r for r in results]
