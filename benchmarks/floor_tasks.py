"""`floor.py`'s client written in the asyncio idiom the service uses, to price the idiom apart
from the work: the link read by a task of its own through a `StreamReader`, each call's events
handed to a worker task of its own through an `asyncio.Queue`, each action awaited as a future
under a deadline (`asyncio.timeout`), each commit awaited as a future. Same events, actions,
commits and triggers as `floor.Floor` (`--style tasks`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from benchmarks.floor import Call, Ledger, action_frame, parse

ACTION_DEADLINE = 5.0
ROUTED = frozenset({"UserEvent", "BridgeEnter", "DTMFEnd", "Hangup"})
Event = dict[str, str]


@dataclass
class TaskCall(Call):
    queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)


class TaskFloor:
    def __init__(self, ledger: Ledger, expected: int, done: asyncio.Future[None]) -> None:
        self.ledger, self.expected, self.done = ledger, expected, done
        self.calls: dict[str, TaskCall] = {}
        self.pending: dict[str, asyncio.Future[Event]] = {}
        self.workers: set[asyncio.Task[None]] = set()
        self.actions = self.events = self.decided = 0
        self.writer: asyncio.StreamWriter | None = None

    async def serve(self, port: int) -> asyncio.Task[None]:
        reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()  # the banner
        reading = asyncio.create_task(self.read(reader))
        await self.act("Login", {"Username": "ivr", "Secret": "s3cret!", "Events": "on"})
        return reading

    async def read(self, reader: asyncio.StreamReader) -> None:
        while True:
            message = parse(await reader.readuntil(b"\r\n\r\n"))
            if "Response" in message:
                answer = self.pending.pop(message.get("ActionID", ""), None)
                if answer is not None and not answer.done():
                    answer.set_result(message)
            elif "Event" in message:
                self.events += 1
                self.route(message)

    def route(self, event: Event) -> None:
        linked = event.get("Linkedid", "")
        call = self.calls.get(linked)
        if call is None:
            if event["Event"] != "Newchannel" or event.get("Uniqueid") != linked:
                return
            call = self.calls[linked] = TaskCall(event["Channel"])
            worker = asyncio.create_task(self.work(linked, call))
            self.workers.add(worker)
            worker.add_done_callback(self.workers.discard)
        if event["Event"] in ROUTED:
            call.queue.put_nowait(event)

    async def work(self, linked: str, call: TaskCall) -> None:
        while True:
            event = await call.queue.get()
            name, channel = event["Event"], event.get("Channel", "")
            if name == "UserEvent" and event.get("UserEvent") == "IvrConsent":
                await self.step(linked, call)
            elif name == "BridgeEnter":
                await self.bridged(linked, call, channel)
            elif name == "DTMFEnd" and channel == call.caller and call.agent and not call.objected:
                await self.objected(linked, call)
            elif name == "Hangup" and channel == call.caller:
                await self.hung_up(linked, call)
                return

    async def act(self, name: str, fields: dict[str, str]) -> Event:
        self.actions += 1
        action_id = str(self.actions)
        answer: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        self.pending[action_id] = answer
        assert self.writer is not None
        self.writer.write(action_frame(name, action_id, fields))
        async with asyncio.timeout(ACTION_DEADLINE):
            return await answer

    async def commit(self, linked: str, kind: str) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.ledger.commit(linked, kind, lambda: written.set_result(None))
        await written

    async def step(self, linked: str, call: TaskCall) -> None:
        call.steps += 1
        if call.steps == 1:
            await self.act(
                "Setvar", {"Channel": call.caller, "Variable": "IVR_DECISION", "Value": "1"}
            )
        if call.steps <= 3:
            await self.commit(linked, f"step-{call.steps}")

    async def bridged(self, linked: str, call: TaskCall, channel: str) -> None:
        if channel != call.caller:
            call.agent = channel
            return
        await asyncio.gather(
            self.act("MixMonitor", {"Channel": channel, "File": f"{linked}.wav"}),
            self.act("MixMonitor", {"Channel": call.agent, "File": "/dev/null"}),
        )
        await self.commit(linked, "recording-started")

    async def objected(self, linked: str, call: TaskCall) -> None:
        call.objected = True
        await asyncio.gather(
            self.act("StopMixMonitor", {"Channel": call.caller}),
            self.act("StopMixMonitor", {"Channel": call.agent}),
        )
        await self.act("DBPut", {"Family": "ivr-objection", "Key": linked, "Val": "1"})
        await self.act("Setvar", {"Channel": call.caller, "Variable": "IVR_OBJECTED", "Value": "1"})
        await self.commit(linked, "objected")
        await self.commit(linked, "recording-deleted")

    async def hung_up(self, linked: str, call: TaskCall) -> None:
        if call.objected:
            await self.act("DBDel", {"Family": "ivr-objection", "Key": linked})
        await self.commit(linked, "hangup")
        await self.commit(linked, "decision")
        self.decided += 1
        if self.decided == self.expected and not self.done.done():
            self.done.set_result(None)
