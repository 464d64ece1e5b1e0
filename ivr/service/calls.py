"""The calls in progress: one consent machine and one command worker per call.

AMI events arrive on the client's hot path (a synchronous listener); each is translated, fed
to its call's machine, and the resulting commands are queued to that call's worker, which
carries them out in order. Calls never wait on each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ivr.ami import Message
from ivr.consent import inputs as i
from ivr.consent.commands import Announce, Command
from ivr.consent.machine import Consent, Phase, handle
from ivr.ledger.aio import AsyncLedger
from ivr.names import Source, Step
from ivr.policy.agent_keys import AgentAction, KeyBuffer, read_agent_key
from ivr.service.decide import Decider, facts_of
from ivr.service.executor import Executor
from ivr.service.metrics import Metrics
from ivr.service.translate import (
    agent_input,
    consent_step,
    endpoint,
    now,
    payment_step,
    to_input,
)

log = logging.getLogger(__name__)

NoticeHash = Callable[[str, str], str | None]

HOLD_LIMIT = 20_000  # events kept while live calls are rebuilt; beyond, the oldest are dropped
LINK_DOWN = (
    "waited for an agent while the service's AMI link was down: an objection pressed then "
    "went unheard"
)


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


def _call_of(event: Message) -> tuple[str, Step | None]:
    """The call an event belongs to (its caller channel's id), and its consent step if any."""
    step = consent_step(event)
    if step is not None:
        return step
    payment = payment_step(event)
    return (payment[0] if payment else event.get("Uniqueid", "")), None


class Calls:
    def __init__(
        self,
        executor: Executor,
        ledger: AsyncLedger,
        metrics: Metrics,
        object_key: Callable[[], str],
        notice_hash: NoticeHash,
        decider: Decider,
    ) -> None:
        self.decider = decider
        self.executor = executor
        self.ledger = ledger
        self.metrics = metrics
        self.object_key = object_key
        self.notice_hash = notice_hash
        self.sessions: dict[str, Session] = {}
        self.workers: set[asyncio.Task[None]] = set()
        # Told of objections the PBX reports for calls not tracked here (the service started
        # after the call did): they are honoured all the same.
        self.on_untracked_objection: Callable[[str], None] = lambda call_id: None
        # While live calls are being rebuilt after a (re)connection, events of calls not yet
        # tracked are held here, then replayed once those calls are adopted (the machine takes
        # a repeated event as a no-op, so what the rebuild already saw does no harm).
        self.held: deque[Message] | None = None
        executor.feed = self.feed

    def hold(self) -> None:
        self.held = deque(maxlen=HOLD_LIMIT)

    def release(self) -> None:
        held, self.held = self.held or deque(), None
        for event in held:
            self.on_event(event)

    def _held(self, event: Message) -> bool:
        if self.held is None:
            return False
        self.held.append(event)
        return True

    def on_event(self, event: Message) -> None:
        call_id, step = _call_of(event)
        if step in (Step.ARRIVED, Step.NOTICE_STARTED) and call_id not in self.sessions:
            self._open(call_id, event, step)
        session = self.sessions.get(call_id)
        if session is None:
            owner = self.sessions.get(event.get("Linkedid", ""))
            if owner is not None:  # another channel of a tracked call: an agent's
                self._on_agent(owner, event)
            elif not self._held(event) and step is Step.OBJECTED:
                self.on_untracked_objection(call_id)
            return  # otherwise not a caller's channel in the consent flow: never acted upon
        if event.name == "Rename":
            session.channel = event.get("Newname", session.channel)
        happened = to_input(event, now())
        if isinstance(happened, i.KeyPressed) and happened.digit == session.consent.object_key:
            self.metrics.key_seen(call_id)
        if happened is not None:
            self.feed(call_id, happened)

    def _on_agent(self, session: Session, event: Message) -> None:
        happened = agent_input(event, now())
        if happened is None:
            return
        call_id, channel = session.consent.call_id, event.get("Channel", "")
        if isinstance(happened, i.AgentJoined):
            self.feed(call_id, happened)
            return
        buffer = session.agent_keys.get(channel, KeyBuffer())
        at = now()
        buffer, action = read_agent_key(buffer, happened, at, self.decider.settings.agents)
        session.agent_keys[channel] = buffer
        if action is AgentAction.PAUSE_TOGGLE:
            self.feed(call_id, i.AgentPause(at, endpoint(channel)))
        elif action is AgentAction.PRIVATE:
            self.feed(call_id, i.AgentPrivate(at, endpoint(channel)))

    def link_restored(self, objections: dict[str, datetime], at: datetime) -> None:
        """The AMI link was down and is back: the calls tracked all along learn what the PBX
        did alone meanwhile (objections it kept in AstDB), and a call that was waiting for its
        agent is no longer recorded (its keys went unheard)."""
        for call_id in list(self.sessions):
            if call_id in objections:
                self.feed(call_id, i.Objected(objections[call_id], Source.RECONCILE))
            self.feed(call_id, i.Unheard(at, LINK_DOWN))

    def feed(self, call_id: str, happened: i.Input) -> None:
        session = self.sessions.get(call_id)
        if session is None or session.consent.phase is Phase.ENDED:
            return
        session.consent, commands = handle(session.consent, happened)
        for command in commands:
            if isinstance(command, Announce):  # the caller waits for it: not behind the ledger
                self._spawn(self.executor.run(call_id, session.channel, command))
            else:
                session.queue.put_nowait(command)
        if session.consent.phase is Phase.ENDED:
            session.queue.put_nowait(None)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self.workers.add(task)
        task.add_done_callback(self.workers.discard)

    def _open(self, call_id: str, event: Message, step: Step | None) -> None:
        consent = Consent(
            call_id=call_id,
            object_key=self.object_key(),
            tone=self.decider.settings.agents.tone,
        )
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
            return self.decider.decide(facts_of(event), now())
        except Exception:
            log.exception("call %s: no decision (the call goes on, unrecorded)", call_id)
            self.metrics.count("decision_errors")
            return None

    def adopt(
        self, consent: Consent, channel: str, commands: Iterable[Command], start: CallStart
    ) -> None:
        """Track a call the service learned of after it began, in the state it was rebuilt in."""
        session = Session(consent, channel)
        for command in commands:
            session.queue.put_nowait(command)
        if consent.phase is Phase.ENDED:
            session.queue.put_nowait(None)
        self.metrics.count("calls_restored")
        log.info("call %s: restored in phase %s on %s", consent.call_id, consent.phase, channel)
        self._launch(session, start)

    def _launch(self, session: Session, start: CallStart) -> None:
        call_id = session.consent.call_id
        self.sessions[call_id] = session
        worker = asyncio.create_task(self._work(call_id, session, start), name=f"call-{call_id}")
        self.workers.add(worker)
        worker.add_done_callback(self.workers.discard)

    async def _work(self, call_id: str, session: Session, start: CallStart) -> None:
        await self.ledger.start_call(  # idempotent: a restored call keeps its first start
            call_id,
            started_at=now(),
            caller_number=start.caller_number,
            caller_name=start.caller_name,
            profile=start.profile,
            language=start.language,
            notice_hash=self.notice_hash(start.profile, start.language),
        )
        while (command := await session.queue.get()) is not None:
            try:
                await self.executor.run(call_id, session.channel, command)
            except Exception:  # one failed command must not stop the others of this call
                log.exception("call %s: %r failed", call_id, command)
                self.metrics.count("command_errors")
        self.sessions.pop(call_id, None)

    async def drain(self, timeout: float) -> None:
        """Let workers finish what they were doing (on shutdown)."""
        if self.workers:
            await asyncio.wait(set(self.workers), timeout=timeout)
