"""The calls in progress: one consent machine and one command worker per call.

AMI events arrive on the client's hot path (a synchronous listener); each is translated, fed
to its call's machine, and the resulting commands are queued to that call's worker, which
carries them out in order and feeds what it met back to the machine. Calls never wait on each
other, and what makes an objection, a private call or a payment step safe (stopping, deleting,
muting) never waits behind a call's earlier work: it runs at once, in its own lane.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field

from ivr.ami import Message
from ivr.clock import Clock
from ivr.consent import inputs as i
from ivr.consent.commands import Announce, ArmRecording, Command, Finish, Log, StartRecording
from ivr.consent.machine import Consent, Phase, handle
from ivr.consent.reconcile import reconcile
from ivr.ledger.aio import AsyncLedger
from ivr.names import Step
from ivr.policy.agent_keys import AgentAction, KeyBuffer, read_agent_key
from ivr.service.bridges import Bridges
from ivr.service.decide import Decider, facts_of
from ivr.service.executor import Executor, Facts, Write
from ivr.service.metrics import Metrics
from ivr.service.translate import agent_key, consent_step, endpoint, payment_step, to_input

log = logging.getLogger(__name__)

NoticeHash = Callable[[str, str], str | None]

HOLD_LIMIT = 20_000  # events kept while live calls are rebuilt; beyond, the oldest are dropped
# Inputs whose commands must not wait behind the call's earlier work.
URGENT = (i.Objected, i.KeyPressed, i.AgentPrivate, i.PaymentStarted)
# The only events a call's machine, its bridges or its agents' keys hear of (`translate`,
# `bridges`). The PBX sends about twice as many (new channels, states, dials, hang-up
# requests...): those leave at once, without a look at their headers or the clock.
ROUTED = frozenset({"UserEvent", "DTMFEnd", "BridgeEnter", "BridgeLeave", "Hangup", "Rename"})


@dataclass(frozen=True)
class CallStart:
    """What the ledger's start row of a call holds, from its first event or from the PBX."""

    profile: str
    language: str
    caller_number: str | None
    caller_name: str | None

    @classmethod
    def of(cls, event: Message) -> CallStart:
        return cls(
            event.get("Profile", ""),
            event.get("Language", ""),
            event.get("CallerIDNum"),
            event.get("CallerIDName"),
        )


@dataclass
class Session:
    consent: Consent
    channel: str
    queue: asyncio.Queue[Command | None] = field(default_factory=asyncio.Queue)
    agent_keys: dict[str, KeyBuffer] = field(default_factory=dict)  # per agent channel


@dataclass(frozen=True)
class CallsDeps:
    """What the calls need, passed explicitly."""

    executor: Executor
    ledger: AsyncLedger
    metrics: Metrics
    object_key: Callable[[], str]
    notice_hash: NoticeHash
    decider: Decider
    clock: Clock
    # Told of objections the PBX reports for calls not tracked here: honoured all the same.
    untracked_objection: Callable[[str, str], None] = lambda call_id, channel: None


def _call_of(event: Message) -> tuple[str, Step | None]:
    """The call an event belongs to (its caller channel's id), and its consent step if any."""
    step = consent_step(event)
    if step is not None:
        return step
    payment = payment_step(event)
    return (payment[0] if payment else event.get("Uniqueid", "")), None


class Calls:
    def __init__(self, deps: CallsDeps) -> None:
        self.deps = deps
        self.executor = deps.executor
        self.metrics = deps.metrics
        self.clock = deps.clock
        self.decider = deps.decider
        self.object_key = deps.object_key
        self.sessions: dict[str, Session] = {}
        self.workers: set[asyncio.Task[None]] = set()
        self.bridges = Bridges()
        # While live calls are being rebuilt after a (re)connection, events of calls not yet
        # tracked are held here, then replayed once those calls are adopted (the machine takes
        # a repeated event as a no-op, so what the rebuild already saw does no harm).
        self.held: deque[Message] | None = None
        self.tracked_at_hold: set[str] = set()

    def hold(self) -> None:
        """Until `release`, events of calls not tracked now wait, in order: a call adopted
        during the rebuild then hears its events in the order the PBX sent them (a bridge
        entered before a held notice-done would otherwise be lost)."""
        self.held = deque(maxlen=HOLD_LIMIT)
        self.tracked_at_hold = set(self.sessions)

    def release(self) -> None:
        held, self.held = self.held or deque(), None
        for event in held:
            self.on_event(event)

    def on_event(self, event: Message) -> None:
        if event.name not in ROUTED:  # nothing any call does with it: not even held
            return
        call_id, step = _call_of(event)
        if self.held is not None and call_id not in self.tracked_at_hold:
            self.held.append(event)
            return
        if step in (Step.ARRIVED, Step.NOTICE_STARTED) and call_id not in self.sessions:
            self._open(call_id, event, step)
        session = self.sessions.get(call_id)
        self._track_bridges(event, session)
        if session is None:
            self._other(event, call_id, step)
            return
        if event.name == "Rename":
            session.channel = event.get("Newname", session.channel)
        happened = to_input(event, self.clock())
        if isinstance(happened, i.KeyPressed) and happened.digit == session.consent.object_key:
            self.metrics.key_seen(call_id)
        if happened is not None:
            self.feed(call_id, happened)

    def _other(self, event: Message, call_id: str, step: Step | None) -> None:
        """Not a tracked caller's event: an agent's, or one to hold or to reconcile."""
        owner = self.bridges.call_of_agent(event.get("Uniqueid", ""))
        if owner is not None and owner in self.sessions:
            self._agent_key(self.sessions[owner], event)
        elif step is Step.OBJECTED:
            self.deps.untracked_objection(call_id, event.get("Channel", ""))

    def _track_bridges(self, event: Message, session: Session | None) -> None:
        if event.name == "BridgeLeave":
            self.bridges.left(event)
        if event.name != "BridgeEnter":
            return
        caller = session.consent.call_id if session is not None else None
        for joined in self.bridges.entered(event, caller):
            self.feed(joined.call_id, i.AgentJoined(self.clock(), joined.channel))

    def _agent_key(self, session: Session, event: Message) -> None:
        digit = agent_key(event)
        if digit is None:
            return
        call_id, channel = session.consent.call_id, event.get("Channel", "")
        buffer = session.agent_keys.get(channel, KeyBuffer())
        at = self.clock()
        buffer, action = read_agent_key(buffer, digit, at, self.decider.settings.agents)
        session.agent_keys[channel] = buffer
        if action is AgentAction.PAUSE_TOGGLE:
            self.feed(call_id, i.AgentPause(at, endpoint(channel)))
        elif action is AgentAction.PRIVATE:
            self.feed(call_id, i.AgentPrivate(at, endpoint(channel)))

    def reconcile(self, call_id: str, channel: str, seen: i.Seen, start: CallStart) -> None:
        """What the PBX and the ledger remember of a call, fed to its machine (a fresh one if
        the call is not tracked): the one way back after the service or its link was away."""
        tracked = call_id in self.sessions
        if not tracked:
            consent = Consent(call_id, self.object_key(), tone=self.decider.settings.agents.tone)
            self.metrics.count("calls_restored")
            self._launch(Session(consent, channel), start)
        for happened in reconcile(seen, tracked=tracked, at=self.clock()):
            self.feed(call_id, happened)
        session = self.sessions.get(call_id)
        if not tracked and session is not None:
            log.info("call %s: restored in phase %s on %s", call_id, session.consent.phase, channel)

    def feed(self, call_id: str, happened: i.Input) -> None:
        session = self.sessions.get(call_id)
        if session is None or session.consent.phase is Phase.ENDED:
            return
        session.consent, commands = handle(session.consent, happened)
        urgent = isinstance(happened, URGENT)
        now: list[Command] = []
        for command in commands:
            if isinstance(command, Announce) or (urgent and not isinstance(command, Log)):
                now.append(command)
            else:
                session.queue.put_nowait(command)
        if now:  # the caller waits for these: not behind the ledger nor the call's earlier work
            # The first begins here, in the AMI listener: an objection's stop is on the wire
            # before this event is left, the rest follow in order on a task of their own.
            first = self.executor.begin(call_id, session.channel, now[0])
            self._spawn(self._carry_out(call_id, session, (now[0], first), now[1:]))
        if session.consent.phase is Phase.ENDED:
            session.queue.put_nowait(None)

    async def _carry_out(
        self,
        call_id: str,
        session: Session,
        first: tuple[Command, Awaitable[Facts]],
        rest: list[Command],
    ) -> None:
        await self._facts(call_id, *first)
        for command in rest:
            await self._one(call_id, session, command)

    async def _one(self, call_id: str, session: Session, command: Command) -> None:
        await self._facts(call_id, command, self.executor.run(call_id, session.channel, command))

    async def _facts(self, call_id: str, command: Command, running: Awaitable[Facts]) -> None:
        try:
            facts = await running
        except Exception:  # one failed command must not stop the others of this call
            log.exception("call %s: %r failed", call_id, command)
            self.metrics.count("command_errors")
            return
        for fact in facts:
            self.feed(call_id, fact)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self.workers.add(task)
        task.add_done_callback(self.workers.discard)

    def _open(self, call_id: str, event: Message, step: Step | None) -> None:
        consent = Consent(call_id, self.object_key(), tone=self.decider.settings.agents.tone)
        session = Session(consent, channel=event.get("Channel", ""))
        self.metrics.count("calls")
        decided = self._decide(call_id, event) if step is Step.ARRIVED else None
        if step is Step.NOTICE_STARTED:
            # Either the service started during this call's first second, or the PBX runs a
            # dialplan older than this service (no `arrived` step): then no call is recorded.
            log.warning(
                "call %s: its notice started without the service's decision: not recorded "
                "(if every call says so, install dialplan/ivr-consent.conf of this version)",
                call_id,
            )
            self.metrics.count("calls_undecided")
        start = CallStart.of(event)
        if decided is not None:
            start = CallStart(
                decided.profile, decided.language, start.caller_number, start.caller_name
            )
        log.info("call %s: consent flow started on %s", call_id, session.channel)
        self._launch(session, start)
        if decided is not None:
            self.feed(call_id, decided)

    def _decide(self, call_id: str, event: Message) -> i.Decided | None:
        """None if the choice failed: the dialplan goes on undecided, and nothing is recorded."""
        try:
            return self.decider.decide(facts_of(event), self.clock())
        except Exception:
            log.exception("call %s: no decision (the call goes on, unrecorded)", call_id)
            self.metrics.count("decision_errors")
            return None

    def _launch(self, session: Session, start: CallStart) -> None:
        call_id = session.consent.call_id
        self.sessions[call_id] = session
        worker = asyncio.create_task(self._work(call_id, session, start), name=f"call-{call_id}")
        self.workers.add(worker)
        worker.add_done_callback(self.workers.discard)

    async def _work(self, call_id: str, session: Session, start: CallStart) -> None:
        """The call's commands in order; the ledger rows queued together (the call's start
        row with its first ones) go in one transaction."""
        first: Write | None = self._start_row(call_id, start)
        ended = False
        durable = True  # every row of the call so far is on disk (the store or its spool)
        while not ended:
            ready = [await session.queue.get()]
            while not session.queue.empty():
                ready.append(session.queue.get_nowait())
            rows: list[Log | Finish] = []
            for command in ready:
                if command is None:
                    ended = True
                elif isinstance(command, Log | Finish):
                    rows.append(command)
                else:
                    durable = await self._record(call_id, rows, first) and durable
                    first, rows = None, []
                    if isinstance(command, ArmRecording) and not durable:
                        continue  # no go: nothing armed (the bridge is checked again)
                    if isinstance(command, StartRecording) and not durable:
                        self._refuse_recording(call_id)  # fail closed: its proof would be lost
                        continue
                    await self._one(call_id, session, command)
            durable = await self._record(call_id, rows, first) and durable
            first = None
        self.sessions.pop(call_id, None)
        self.bridges.forget_call(call_id)

    async def _record(self, call_id: str, rows: list[Log | Finish], first: Write | None) -> bool:
        """False if the rows could not be made durable (the call goes on, unrecorded)."""
        if rows or first is not None:
            try:
                await self.executor.record(call_id, rows, first)
            except Exception:  # neither the store nor its spool took them
                log.exception("call %s: ledger rows not written", call_id)
                self.metrics.count("command_errors")
                return False
        return True

    def _refuse_recording(self, call_id: str) -> None:
        log.error("call %s: its ledger rows are not durable: recording not started", call_id)
        self.feed(call_id, i.RecordingFailed(self.clock(), "ledger unavailable: fail closed"))

    def _start_row(self, call_id: str, start: CallStart) -> Write:
        started_at = self.clock()
        notice_hash = self.deps.notice_hash(start.profile, start.language)
        return lambda store: store.start_call(  # idempotent: a restored call keeps its first
            call_id,
            started_at=started_at,
            caller_number=start.caller_number,
            caller_name=start.caller_name,
            profile=start.profile,
            language=start.language,
            notice_hash=notice_hash,
        )

    async def drain(self, timeout: float) -> None:
        """Let workers finish what they were doing (on shutdown)."""
        if self.workers:
            await asyncio.wait(set(self.workers), timeout=timeout)
