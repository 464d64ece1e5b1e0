"""The floor: the CPU per call of the cheapest CPython program that does, on the wire and on the
disk, what the consent service must do per call, against the same replay as `service_replay.py`.

The client (this file, ``client`` sub-command, a process of its own so that its CPU is its own)
logs in over one asyncio TCP connection, reads every event the fake PBX replays, parses each
frame into a dict, routes it by ``Linkedid`` to a per-call record, and sends the actions the
real service sends, on the events that trigger them in an `ivr run` replay (counted on
2026-12-05), reading their answers:

- first ``IvrConsent`` UserEvent: ``Setvar IVR_DECISION``;
- the caller entering the bridge: ``MixMonitor`` on the caller and on the agent (the tone);
- the objection's ``DTMFEnd``: ``StopMixMonitor`` on both, ``DBPut`` of the objection,
  ``Setvar IVR_OBJECTED``; the caller's ``Hangup`` of an objecting call: ``DBDel``.

and makes the real service's durable commits, one small row each: the first three UserEvents
(arrival, notice started, notice done), the recording's start answered, the objection and its
recording deleted (at the stop's answer), the caller's hang-up and then the decision: 6 per
kept call, 8 per objecting one. No consent machine, no logging, no metrics, no files.

``--ledger thread``: the commits on a writer thread (WAL, ``synchronous=FULL``), the loop woken
back once per commit, as the service does; ``loop``: the same commits on the loop's thread,
which waits for each fsync; ``none``: no ledger at all.

    .venv/bin/python benchmarks/floor.py --calls 100 --rate 10 --ledger thread
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import replay_calls
from benchmarks.threads import ThreadsUsage
from tests.support.fake_pbx import FakePbx

if TYPE_CHECKING:
    from benchmarks.floor_tasks import TaskFloor

LEDGERS = ("none", "thread", "loop")
STYLES = ("callbacks", "tasks")
DONE_WITHIN = 30.0
LOGIN_WITHIN = 10.0
Then = Callable[[], None]


class Ledger:
    """One durable commit of one small row per call step; ``then`` runs on the loop after it."""

    def __init__(self, mode: str, path: Path, loop: asyncio.AbstractEventLoop) -> None:
        self.mode, self.loop, self.commits = mode, loop, 0
        self._queue: queue.SimpleQueue[tuple[str, str, Then]] = queue.SimpleQueue()
        if mode == "loop":
            self._db = _open(path)
        elif mode == "thread":
            threading.Thread(target=self._write, args=(path,), daemon=True).start()

    def commit(self, call: str, kind: str, then: Then) -> None:
        self.commits += 1
        if self.mode == "none":
            then()
        elif self.mode == "loop":
            _insert(self._db, call, kind)
            then()
        else:
            self._queue.put((call, kind, then))

    def _write(self, path: Path) -> None:
        db = _open(path)
        while True:
            call, kind, then = self._queue.get()
            _insert(db, call, kind)
            self.loop.call_soon_threadsafe(then)


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, call TEXT, kind TEXT)")
    return db


def _insert(db: sqlite3.Connection, call: str, kind: str) -> None:
    db.execute("BEGIN")
    db.execute("INSERT INTO rows (call, kind) VALUES (?, ?)", (call, kind))
    db.execute("COMMIT")


def parse(raw: bytes) -> dict[str, str]:
    fields = {}
    for line in raw.decode().split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:  # the banner line before the first frame has none
            fields[key] = value
    return fields


def action_frame(name: str, action_id: str, fields: dict[str, str]) -> bytes:
    """The action's frame, without `ivr.ami.encode_action`'s CR/LF/NUL checks: the values here
    are the replay's own, and the floor prices the wire, not the service's guards (the two
    gave the same figure within this machine's run-to-run spread, 3.5-4.3 ms per call)."""
    lines = [f"Action: {name}", f"ActionID: {action_id}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Call:
    caller: str
    steps: int = 0
    agent: str = ""
    objected: bool = False


class Floor(asyncio.Protocol):
    def __init__(self, ledger: Ledger, expected: int, done: asyncio.Future[None]) -> None:
        self.ledger, self.expected, self.done = ledger, expected, done
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.calls: dict[str, Call] = {}
        self.pending: dict[str, Then | None] = {}
        self.actions = self.events = self.decided = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.action("Login", {"Username": "ivr", "Secret": "s3cret!", "Events": "on"})

    def data_received(self, data: bytes) -> None:
        *frames, self.buffer = (self.buffer + data).split(b"\r\n\r\n")
        for raw in frames:
            message = parse(raw)
            if "Response" in message:
                then = self.pending.pop(message.get("ActionID", ""), None)
                if then is not None:
                    then()
            elif "Event" in message:
                self.events += 1
                self.route(message)

    def action(self, name: str, fields: dict[str, str], then: Then | None = None) -> None:
        self.actions += 1
        action_id = str(self.actions)
        self.pending[action_id] = then
        assert self.transport is not None
        self.transport.write(action_frame(name, action_id, fields))

    def route(self, event: dict[str, str]) -> None:
        linked = event.get("Linkedid", "")
        call = self.calls.get(linked)
        name = event["Event"]
        if call is None:
            if name != "Newchannel" or event.get("Uniqueid") != linked:
                return
            call = self.calls[linked] = Call(event["Channel"])
        channel = event.get("Channel", "")
        if name == "UserEvent" and event.get("UserEvent") == "IvrConsent":
            self.step(linked, call)
        elif name == "BridgeEnter":
            self.bridged(linked, call, channel)
        elif name == "DTMFEnd" and channel == call.caller and call.agent and not call.objected:
            self.objected(linked, call)
        elif name == "Hangup" and channel == call.caller:
            self.hung_up(linked, call)

    def step(self, linked: str, call: Call) -> None:
        call.steps += 1
        if call.steps == 1:
            decision = {"Channel": call.caller, "Variable": "IVR_DECISION", "Value": "1"}
            self.action("Setvar", decision)
        if call.steps <= 3:
            self.ledger.commit(linked, f"step-{call.steps}", _nothing)

    def bridged(self, linked: str, call: Call, channel: str) -> None:
        if channel != call.caller:
            call.agent = channel
            return

        def started() -> None:
            self.ledger.commit(linked, "recording-started", _nothing)

        self.action("MixMonitor", {"Channel": channel, "File": f"{linked}.wav"}, started)
        self.action("MixMonitor", {"Channel": call.agent, "File": "/dev/null"})

    def objected(self, linked: str, call: Call) -> None:
        call.objected = True

        def stopped() -> None:
            self.ledger.commit(linked, "objected", _nothing)
            self.ledger.commit(linked, "recording-deleted", _nothing)

        self.action("StopMixMonitor", {"Channel": call.caller}, stopped)
        self.action("StopMixMonitor", {"Channel": call.agent})
        self.action("DBPut", {"Family": "ivr-objection", "Key": linked, "Val": "1"})
        self.action("Setvar", {"Channel": call.caller, "Variable": "IVR_OBJECTED", "Value": "1"})

    def hung_up(self, linked: str, call: Call) -> None:
        if call.objected:
            self.action("DBDel", {"Family": "ivr-objection", "Key": linked})

        def decided() -> None:
            self.decided += 1
            if self.decided == self.expected and not self.done.done():
                self.done.set_result(None)

        # the decision is written once the hang-up is on disk, as the service closes a call
        self.ledger.commit(
            linked, "hangup", lambda: self.ledger.commit(linked, "decision", decided)
        )


def _nothing() -> None:
    pass


async def client(port: int, mode: str, path: Path, expected: int, style: str) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    ledger = Ledger(mode, path, loop)
    floor: Floor | TaskFloor
    if style == "tasks":
        from benchmarks.floor_tasks import TaskFloor  # it builds on this module's pieces

        floor = TaskFloor(ledger, expected, done)
        reading = await floor.serve(port)
        await done
        reading.cancel()
    else:
        floor = Floor(ledger, expected, done)
        await loop.create_connection(lambda: floor, "127.0.0.1", port)
        await done
    n = len(floor.calls)
    print(
        f"per call: {floor.events / n:.1f} events read, {(floor.actions - 1) / n:.1f} actions, "
        f"{ledger.commits / n:.1f} commits",
        flush=True,
    )


async def run(calls: int, rate: float, mode: str, style: str, only: frozenset[str] | None) -> None:
    replayed = replay_calls.calls(calls)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "recordings").mkdir()  # where the fake PBX's MixMonitor writes
        pbx = FakePbx(folder / "recordings")
        port = await pbx.start()
        ledger = str(folder / "floor.sqlite3")
        argv = [__file__, "client", str(port), mode, ledger, str(calls), style]
        process = await asyncio.create_subprocess_exec(
            sys.executable, *argv, stdout=asyncio.subprocess.PIPE
        )
        try:
            await _logged_in(pbx)
            await asyncio.sleep(1.0)  # as service_replay.py: past the start-up's own work
            before = ThreadsUsage.take(process.pid)
            began = await replay_calls.replay_all(pbx, replayed, rate, only)
            counts = await _counts(process)
            after = ThreadsUsage.take(process.pid)
            elapsed = time.monotonic() - began
            print(f"N={calls} R={rate:g}/s ledger={mode} {style}: {elapsed:.1f} s, {counts}")
            print(after.since(before).describe(calls))
        finally:
            process.kill()
            await process.wait()
            await pbx.stop()


async def _counts(process: asyncio.subprocess.Process) -> str:
    """The client's line once every call is decided."""
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), DONE_WITHIN)
    except TimeoutError:
        raise RuntimeError(
            f"the floor's client left calls undecided after {DONE_WITHIN:g} s"
        ) from None
    return line.decode().strip()


async def _logged_in(pbx: FakePbx) -> None:
    deadline = asyncio.get_running_loop().time() + LOGIN_WITHIN
    while pbx.logins < 1:
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"the floor's client did not log in within {LOGIN_WITHIN:g} s")
        await asyncio.sleep(0.01)


def main() -> None:
    if sys.argv[1:2] == ["client"]:
        port, mode, path, expected, style = sys.argv[2:7]
        asyncio.run(client(int(port), mode, Path(path), int(expected), style))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="N calls (default 100)")
    parser.add_argument("--rate", type=float, default=5.0, help="R new calls/s (default 5)")
    parser.add_argument("--ledger", choices=LEDGERS, default="thread", help="(default thread)")
    parser.add_argument(
        "--style",
        choices=STYLES,
        default="callbacks",
        help="callbacks (the floor) or tasks: the service's asyncio idiom (floor_tasks.py)",
    )
    parser.add_argument("--only-events", metavar="NAMES", help=replay_calls.ONLY_EVENTS_HELP)
    args = parser.parse_args()
    only = replay_calls.only_events(args.only_events)
    asyncio.run(run(args.calls, args.rate, args.ledger, args.style, only))


if __name__ == "__main__":
    main()
