"""A deterministic stream of ledger writes, for the SIGKILL test (and later fuzzing).

Run as ``python -m tests.unit.ledger.crash_writer LEDGER FIRST COUNT``: performs writes
FIRST .. FIRST+COUNT-1 and prints the index of each on its own line once the write method has
returned (acknowledged). `snapshot_after(n)` is what the ledger must hold after writes 0..n-1.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from ivr.ledger import EventKind, KeptRecording, Ledger
from ivr.names import Decision, Source
from tests.unit.ledger.conftest import T0

KINDS = (
    EventKind.NOTICE_STARTED,
    EventKind.NOTICE_DONE,
    EventKind.RECORDING_STARTED,
    EventKind.HANGUP,
)
STEPS = 2 + len(KINDS)  # start, the events, finish
PAD = "x" * 4000  # makes each write span several pages


def call_id(n: int) -> str:
    return f"call-{n}"


def caller_name(n: int) -> str:
    return f"Caller {n}\r\nAction: Originate\x00\udcff" + "é" * 3000


def recording(n: int) -> KeptRecording | None:
    return KeptRecording(f"/rec/{n}.wav", n + 0.5, f"{n:064x}") if n % 2 else None


def decision(n: int) -> Decision:
    return Decision.KEPT if n % 2 else Decision.OBJECTED


def write(ledger: Ledger, index: int) -> None:
    n, step = divmod(index, STEPS)
    when = T0 + timedelta(seconds=n, milliseconds=step)
    if step == 0:
        ledger.start_call(
            call_id(n),
            started_at=when,
            caller_number=f"+33{n:09d}",
            caller_name=caller_name(n),
            profile="fr",
            language="fr",
            notice_hash="ab" * 32,
        )
    elif step <= len(KINDS):
        ledger.add_event(
            call_id(n),
            at=when,
            kind=KINDS[step - 1],
            source=Source.SERVICE,
            detail={"n": n, "pad": PAD},
        )
    else:
        ledger.finish_call(call_id(n), ended_at=when, decision=decision(n), recording=recording(n))


def snapshot_after(writes: int) -> dict[str, dict[str, Any]]:
    calls: dict[str, dict[str, Any]] = {}
    for index in range(writes):
        n, step = divmod(index, STEPS)
        call = calls.setdefault(call_id(n), _blank())
        if step == 0:
            call |= {"start_recorded": True, "caller_name": caller_name(n)}
        elif step <= len(KINDS):
            call["events"].append((str(KINDS[step - 1]), {"n": n, "pad": PAD}))
        else:
            call |= {"decision": decision(n), "recording": recording(n)}
    return calls


def snapshot(ledger: Ledger) -> dict[str, dict[str, Any]]:
    calls: dict[str, dict[str, Any]] = {}
    for summary in ledger.list_calls(limit=1_000_000):
        record = ledger.get_call(summary.call_id)
        assert record is not None
        calls[record.call_id] = {
            "start_recorded": record.start_recorded,
            "caller_name": record.caller_name,
            "events": [(str(e.kind), dict(e.detail)) for e in record.events],
            "decision": record.decision,
            "recording": record.recording,
        }
    return calls


def _blank() -> dict[str, Any]:
    return {
        "start_recorded": False,
        "caller_name": None,
        "events": [],
        "decision": None,
        "recording": None,
    }


def main(argv: list[str]) -> None:
    path, first, count = argv[0], int(argv[1]), int(argv[2])
    with Ledger.open(path) as ledger:
        for index in range(first, first + count):
            write(ledger, index)
            print(index, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
