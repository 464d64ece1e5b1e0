"""The service's side of live listening: answers the dialplan's ``ask`` within its second,
tells the call's consent machine who listens, and traces every listen in the audit log.

It hears the AMI events on the read loop (a synchronous listener, like the calls'): agents are
named by the PBX's dial (``DialBegin``'s dial string: ``Dial(PJSIP/1001)`` is agent ``1001``;
after the service was away, the DIALEDPEERNUMBER Dial left on the agent's leg), supervisors by
the endpoint their call came from. An allowed listen is traced before the answer goes out: a
listen the log could not record is refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ivr import names
from ivr.ami import Message
from ivr.audit import AuditError, Entry
from ivr.clock import Clock
from ivr.config.listening import ListeningSettings
from ivr.consent import inputs as i
from ivr.consent.listening import refusal
from ivr.listen.decide import AgentCall, decide
from ivr.listen.found import LiveSpy
from ivr.listen.trail import Listen
from ivr.names import ListenAnswer, ListenStep, Refusal
from ivr.service.calls import Calls

log = logging.getLogger(__name__)

SetVar = Callable[[str, str, str, str], Awaitable[bool]]  # (call id, channel, variable, value)
Append = Callable[[Entry], object]


@dataclass
class Active:
    listen: Listen
    channel: str
    started: datetime


def endpoint_of(channel: str) -> str:
    """``PJSIP/sup-claire-0000002a`` → ``sup-claire``: the endpoint, without the technology."""
    base = channel.rsplit("-", 1)[0] if "-" in channel else channel
    return base.partition("/")[2] or base


def agent_of(dial_string: str) -> str:
    """``agent@carrier`` or ``PJSIP/1001`` → the agent dialled."""
    return dial_string.split("@", 1)[0].rsplit("/", 1)[-1]


class Listening:
    def __init__(
        self,
        settings: ListeningSettings,
        calls: Calls,
        setvar: SetVar,
        append: Append,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.calls = calls
        self.setvar = setvar
        self.append = append
        self.clock = clock
        self.dialled: dict[str, str] = {}  # agent's channel: the agent dialled
        # By the supervisor channel's unique id: allowed, until the PBX says the spy started;
        # then active until it hangs up. The call's machine hears of a spy only once the PBX
        # started it (a late or overruled answer never counts as a listen).
        self.allowed: dict[str, Active] = {}
        self.active: dict[str, Active] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def on_event(self, event: Message) -> None:
        if event.name == "DialBegin":
            dest, agent = event.get("DestChannel", ""), agent_of(event.get("DialString", ""))
            if dest and agent:
                self.dialled[dest] = agent
        elif event.name == "Hangup":
            self.dialled.pop(event.get("Channel", ""), None)
            self.allowed.pop(event.get("Uniqueid", ""), None)
            if event.get("Uniqueid", "") in self.active:
                self._ended(event.get("Uniqueid", ""))
        elif event.get("UserEvent") == names.LISTEN_EVENT:
            self._step(event)

    def _step(self, event: Message) -> None:
        step, unique_id = event.get("Step"), event.get("Uniqueid", "")
        if step == ListenStep.ASK:
            self._ask(event)
        elif step == ListenStep.SPYING and unique_id in self.allowed:
            spy, at = self.allowed.pop(unique_id), self.clock()
            self.active[unique_id] = replace(spy, started=at)
            self.calls.feed(spy.listen.call_id, i.SpyStarted(at, spy.channel, spy.listen.person))
        elif step == ListenStep.REFUSED and unique_id in self.allowed:
            # Allowed here, refused by the PBX after all: its own memory of an objection, or
            # an answer that came too late (the service was stalled).
            why = event.get("Reason", "")
            denied = replace(self.allowed.pop(unique_id).listen, outcome="denied", refusal=why)
            self._spawn(self._trace(replace(denied, at=self.clock())))

    def readopt(self, spies: list[LiveSpy], live_calls: set[str]) -> dict[str, list[i.SeenSpy]]:
        """After the service or its link was away: the spies the PBX runs are active again
        (their end is traced as any other's), spies known here the PBX no longer runs have
        ended. Returns the spies of each live call, for its machine to keep or to end."""
        running = {spy.unique_id for spy in spies}
        for unique_id in [u for u in self.active if u not in running]:
            self._ended(unique_id)  # its hang-up was lost with the link
        seen: dict[str, list[i.SeenSpy]] = {}
        for spy in spies:
            active = self.active.get(spy.unique_id) or self._readopted(spy)
            self.active[spy.unique_id] = active
            if spy.call_id in live_calls:
                seen.setdefault(spy.call_id, []).append(
                    i.SeenSpy(spy.channel, active.listen.person)
                )
        return seen

    def redialled(self, dialled: Mapping[str, str], agents: Mapping[str, tuple[str, ...]]) -> None:
        """After the service or its link was away: the agent each agent's leg was dialled as,
        read from the PBX (``dialled``), as its `DialBegin` would have said; ``agents``: the
        agents' legs of each live call. A leg whose agent is unknown keeps its call out of
        reach (asks for it are refused `no-call`), said once here rather than at each ask."""
        # Added to, not replaced: a DialBegin heard while the listing was read is newer.
        self.dialled.update(dialled)
        for call_id, channels in agents.items():
            for channel in (c for c in channels if c not in self.dialled):
                log.info(
                    "call %s: the agent on %s is not known (the PBX has no DIALEDPEERNUMBER on"
                    " it): asks to listen to this call are refused (no-call)",
                    call_id,
                    channel,
                )

    def _readopted(self, spy: LiveSpy) -> Active:
        endpoint, at = endpoint_of(spy.channel), self.clock()
        who = self.settings.supervisors.get(endpoint)
        person, role = (who.person, who.role) if who is not None else ("", "")
        listen = Listen(at, endpoint, person, role, spy.agent, spy.call_id, "allowed")
        log.info("live listen by %s on call %s: still running, adopted", endpoint, spy.call_id)
        return Active(listen, spy.channel, at)

    def agent_calls(self, agent: str) -> Iterator[AgentCall]:
        """The calls ``agent`` is in, oldest first."""
        for session in list(self.calls.sessions.values()):
            for channel in session.consent.agents:
                if self.dialled.get(channel) == agent:
                    yield AgentCall(session.consent, channel)

    def _ask(self, event: Message) -> None:
        channel, unique_id = event.get("Channel", ""), event.get("Uniqueid", "")
        endpoint, agent = endpoint_of(channel), event.get("Agent", "")
        verdict = decide(self.settings, endpoint, self.agent_calls(agent))
        answer, at = verdict.answer(), self.clock()
        who = verdict.supervisor
        listen = Listen(
            at,
            endpoint,
            who.person if who else "",
            who.role if who else "",
            agent,
            verdict.call.consent.call_id if verdict.call else "",
            "denied" if answer.refusal else "allowed",
            str(answer.refusal or ""),
        )
        if answer.refusal is None:
            self.allowed[unique_id] = Active(listen, channel, at)
        log.info("live listen: %s asks for agent %s: %s", endpoint, agent, answer.encode())
        self._spawn(self._answer(channel, unique_id, listen, answer))

    async def _answer(
        self, channel: str, unique_id: str, listen: Listen, answer: ListenAnswer
    ) -> None:
        try:
            await asyncio.to_thread(self.append, listen.entry())
        except AuditError:
            log.exception("live listen by %s not traced: refused", listen.endpoint)
            if self.allowed.pop(unique_id, None) is not None:
                answer = ListenAnswer(Refusal.SERVICE_AWAY)
        await self.setvar(listen.call_id, channel, names.VAR_LISTEN, answer.encode())

    def _ended(self, unique_id: str) -> None:
        active = self.active.pop(unique_id)
        at = self.clock()
        session = self.calls.sessions.get(active.listen.call_id)
        cut = refusal(session.consent) if session is not None else Refusal.NO_CALL
        seconds = max((at - active.started).total_seconds(), 0.0)
        ended = replace(active.listen, at=at, outcome="ended", refusal=str(cut or ""))
        self.calls.feed(active.listen.call_id, i.SpyEnded(at, active.channel))
        log.info("live listen by %s ended after %.1f s", active.listen.endpoint, seconds)
        self._spawn(self._trace(replace(ended, seconds=seconds)))

    async def _trace(self, listen: Listen) -> None:
        try:
            await asyncio.to_thread(self.append, listen.entry())
        except AuditError:
            log.exception("live listen by %s (%s) not traced", listen.endpoint, listen.outcome)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
