"""A group-commit batch written to PostgreSQL in a few statements, not a dozen per call.

The service's writes are latency-bound: each statement waits for the server before the next is
sent, and with the event chain the ledger's advisory lock is held all that time, so writers of
every site wait too. `PgLedger.batch` therefore first runs the writes against a `Plan`: a write
that is one ``start_call``, ``add_event`` or ``finish_call`` (its result returned as it is)
becomes an operation, its values checked and encoded by `rows` exactly as `Ledger` does;
anything else makes the plan give up (`Unplannable`) and the batch goes statement by statement.
A plan is written in one transaction under the chain's lock, one statement per kind of row for
the whole batch (arrays through ``unnest``), sent in three groups (psycopg's pipeline mode: one
wait for the server per group, whatever the batch's size):

1. BEGIN, the chain's lock, its head and one new sequence number per event; each event's hash
   is then computed here for the whole batch, under the lock (`chain.event_hash`, as one by one);
2. the calls' starts, the minimal rows of calls known only from an event or a decision, the
   events with their seq and hash, and the outcome each decision finds;
3. the decisions and their recordings, and COMMIT (``synchronous_commit`` on: durable before
   `batch` returns, or not written at all).

The rows and results are those of the writes run one by one (the parametrised tests compare
them), because:

- the conflict rules are the shared statements' own (`rows.START_CALL`, `rows.ENSURE_CALL`);
- a start and a minimal row of one call commute: whichever comes first, the start's values
  stand and it returns True; so do two minimal rows (the earliest time stays), which go as one;
- a decision is written after the batch's other rows, which never touch a call's outcome; a
  batch with two starts or two decisions for one call is not planned;
- the sequence numbers are taken under the lock every chained insert holds, so they come after
  every chained event already there, whichever writer of whichever site wrote it.

A decision that conflicts with the stored one raises `LedgerConflictError`: `PgLedger` rolls the
transaction back and runs the batch again the careful way, which refuses that write alone. Only
the order of calls.rowid (the tie-break of calls started at the same instant) can differ from one
by one: starts are given theirs before the minimal rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from ivr.ledger import chain, rows
from ivr.ledger.codec import Detail
from ivr.ledger.errors import LedgerConflictError, LedgerError
from ivr.ledger.model import EventKind, KeptRecording
from ivr.ledger.store import LedgerStore
from ivr.names import Decision, Source
from ivr.store.postgres import translate

if TYPE_CHECKING:
    import psycopg

_HEAD_AND_SEQS = """
    SELECT (SELECT hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1),
           nextval(pg_get_serial_sequence('events', 'seq'))
    FROM generate_series(1, %s)
"""


def _on_conflict(statement: str) -> str:
    """The conflict clause of one of the shared statements, as PostgreSQL spells it."""
    text = translate(statement)
    return text[text.index("ON CONFLICT") :]


# Rows in the arrays' order (ORDINALITY): within a statement, calls.rowid follows the writes.
_STARTS = f"""
    INSERT INTO calls (call_id, started_at, start_recorded, caller_number, caller_name,
                       profile, language, notice_hash)
    SELECT c, s, 1, n, nm, p, l, h
    FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],
                %b::text[]) WITH ORDINALITY AS u (c, s, n, nm, p, l, h, i)
    ORDER BY i
    {_on_conflict(rows.START_CALL)}
    RETURNING call_id
"""  # noqa: S608 (constant: the shared statement's clause)
_MINIMAL_CALLS = f"""
    INSERT INTO calls (call_id, started_at)
    SELECT c, s FROM unnest(%b::text[], %b::text[]) WITH ORDINALITY AS u (c, s, i) ORDER BY i
    {_on_conflict(rows.ENSURE_CALL)}
"""  # noqa: S608 (constant: the shared statement's clause)
_EVENTS = """
    INSERT INTO events (seq, call_id, at, kind, source, detail, detail_sha256, hash)
    SELECT * FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[],
                         %b::text[], %b::text[], %b::text[])
"""
_OUTCOMES = """
    SELECT c.call_id, c.ended_at, c.decision, r.path, r.duration_seconds, r.sha256
    FROM calls AS c LEFT JOIN recordings AS r USING (call_id) WHERE c.call_id = ANY(%b)
"""
_DECISIONS = """
    UPDATE calls SET ended_at = u.e, decision = u.d
    FROM unnest(%b::text[], %b::text[], %b::text[]) AS u (c, e, d)
    WHERE calls.call_id = u.c AND calls.call_id = ANY(%b::text[])
"""  # the ANY: the index, not a scan of every call, even before the table's first ANALYZE
# _OUTCOMES and _DECISIONS are planned at each batch (not prepared): a plan made once, while the
# calls table was small, would scan it whole for ever after.
_RECORDINGS = """
    INSERT INTO recordings (call_id, path, duration_seconds, sha256)
    SELECT * FROM unnest(%b::text[], %b::text[], %b::float8[], %b::text[])
"""
Chained = dict[int, tuple[int, str, str]]  # id(event op): (seq, detail digest, hash)


class Unplannable(Exception):
    """These writes cannot be planned: run them one by one."""


@dataclass(frozen=True, eq=False)
class StartOp:
    values: tuple[str, str, str | None, str | None, str, str, str | None]


@dataclass(frozen=True, eq=False)
class EventOp:
    values: tuple[str, str, str, str, str | None]  # call, at, kind, source, detail (stored)


@dataclass(frozen=True, eq=False)
class FinishOp:
    call: str
    wanted: rows.Outcome


Op = StartOp | EventOp | FinishOp


class Plan:
    """Stands in for the ledger while the writes run: records what each would write."""

    def __init__(self) -> None:
        self.ops: list[Op] = []

    def start_call(
        self,
        call_id: str,
        *,
        started_at: datetime,
        caller_number: str | None,
        caller_name: str | None,
        profile: str,
        language: str,
        notice_hash: str | None = None,
    ) -> Op:
        values = rows.start_values(
            call_id, started_at, caller_number, caller_name, profile, language, notice_hash
        )
        return self._add(StartOp(values))

    def add_event(
        self,
        call_id: str,
        *,
        at: datetime,
        kind: EventKind,
        source: Source,
        detail: Detail | None = None,
    ) -> Op:
        return self._add(EventOp(rows.event_values(call_id, at, kind, source, detail)))

    def finish_call(
        self,
        call_id: str,
        *,
        ended_at: datetime,
        decision: Decision,
        recording: KeptRecording | None = None,
    ) -> Op:
        return self._add(FinishOp(*rows.finish_values(call_id, ended_at, decision, recording)))

    def __getattr__(self, name: str) -> Any:
        raise Unplannable(f"a write uses {name!r}")

    def _add(self, op: Op) -> Op:
        self.ops.append(op)
        return op


def plan(writes: Sequence[Callable[[LedgerStore], object]]) -> list[Op]:
    """Each write's operation, in order; `Unplannable` unless every write is exactly one."""
    planned = Plan()
    for write in writes:
        before = len(planned.ops)
        try:
            result = write(cast(LedgerStore, planned))  # duck-typed: see `Plan`
        except (LedgerError, ValueError) as exc:  # refused alone: the careful way says so
            raise Unplannable(str(exc)) from exc
        if len(planned.ops) != before + 1 or result is not planned.ops[-1]:
            raise Unplannable("a write is not one start, event or decision")
    for kind in (StartOp, FinishOp):
        calls = [_call(op) for op in planned.ops if isinstance(op, kind)]
        if len(set(calls)) != len(calls):
            raise Unplannable(f"two {kind.__name__} for one call")
    return planned.ops


def write(
    connection: psycopg.Connection[tuple[Any, ...]], ops: Sequence[Op], lock: int
) -> list[object]:
    """Write ``ops`` in one transaction, begun here under the advisory lock ``lock`` (the
    chain's) and committed here; each op's result (as the ledger's method returns it). On an
    error the caller rolls back. Three waits for the server in all, whatever the batch's size."""
    events = [op for op in ops if isinstance(op, EventOp)]
    finishes = [op for op in ops if isinstance(op, FinishOp)]
    with connection.pipeline():
        connection.execute("BEGIN")
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        numbered = connection.execute(_HEAD_AND_SEQS, (len(events),))
    chained = _chain(events, numbered.fetchall())
    with connection.pipeline():
        started = _start(connection, [op for op in ops if isinstance(op, StartOp)])
        _minimal_calls(connection, ops)
        _insert_events(connection, events, chained)
        found = connection.execute(_OUTCOMES, ([op.call for op in finishes],), prepare=False)
    started_calls = {row[0] for row in started.fetchall()} if started is not None else set()
    outcomes = {row[0]: rows.outcome_of(row[1:]) for row in found.fetchall()}
    for op in finishes:
        stored = outcomes[op.call]
        if stored is not None and stored != op.wanted:
            raise LedgerConflictError(f"call {op.call!r} already ended with {stored[1]!r}")
    with connection.pipeline():
        _decide(connection, [op for op in finishes if outcomes[op.call] is None])
        connection.execute("COMMIT")
    return [_result(op, started_calls, chained, outcomes) for op in ops]


def _result(
    op: Op, started: set[str], chained: Chained, outcomes: dict[str, rows.Outcome | None]
) -> object:
    match op:
        case StartOp():
            return op.values[0] in started
        case EventOp():
            return chained[id(op)][0]
        case FinishOp():
            return outcomes[op.call] is None


def _call(op: Op) -> str:
    return op.call if isinstance(op, FinishOp) else op.values[0]


def _chain(events: list[EventOp], numbered: list[tuple[Any, ...]]) -> Chained:
    """(seq, detail digest, hash) of each event, chained onto the stored head in order;
    ``numbered``: (head's hash, a new seq) per event."""
    chained = {}
    prev = (numbered[0][0] if numbered else None) or chain.GENESIS
    for event, (_, seq) in zip(events, numbered, strict=True):
        call, at, kind, source, detail = event.values
        digest = chain.detail_digest(detail)
        prev = chain.event_hash(prev, seq, call, at, kind, source, digest)
        chained[id(event)] = (int(seq), digest, prev)
    return chained


def _start(
    connection: psycopg.Connection[tuple[Any, ...]], starts: list[StartOp]
) -> psycopg.Cursor[tuple[Any, ...]] | None:
    if not starts:
        return None
    return connection.execute(_STARTS, _columns([op.values for op in starts], 7))


def _minimal_calls(connection: psycopg.Connection[tuple[Any, ...]], ops: Sequence[Op]) -> None:
    """The minimal row of each call the batch does not start: its earliest time, in the order
    the calls first appear."""
    started = {op.values[0] for op in ops if isinstance(op, StartOp)}
    earliest: dict[str, str] = {}
    for op in ops:
        call, at = (op.call, op.wanted[0]) if isinstance(op, FinishOp) else op.values[:2]
        if call not in started:
            earliest[call] = min(at, earliest.get(call, at))
    if earliest:
        connection.execute(_MINIMAL_CALLS, (list(earliest), list(earliest.values())))


def _insert_events(
    connection: psycopg.Connection[tuple[Any, ...]], events: list[EventOp], chained: Chained
) -> None:
    if events:
        values = [(*chained[id(op)][:1], *op.values, *chained[id(op)][1:]) for op in events]
        connection.execute(_EVENTS, _columns(values, 8))


def _decide(connection: psycopg.Connection[tuple[Any, ...]], decisions: list[FinishOp]) -> None:
    if not decisions:
        return
    kept = [(op.call, *op.wanted[2]) for op in decisions if op.wanted[2] is not None]
    decided = [(op.call, op.wanted[0], op.wanted[1]) for op in decisions]
    calls = [op.call for op in decisions]
    connection.execute(_DECISIONS, (*_columns(decided, 3), calls), prepare=False)
    if kept:
        connection.execute(_RECORDINGS, _columns(kept, 4))


def _columns(values: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """Rows as one array per column (what ``unnest`` takes)."""
    return [[row[column] for row in values] for column in range(width)]
