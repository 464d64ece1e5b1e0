"""Whether a supervisor may listen live to an agent's call now. Pure.

Who asks comes from the PBX (the endpoint their call came from, never a digit they typed);
the call's side of the answer comes from its consent machine alone (`ivr.consent.listening`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr.config.listening import ListeningSettings, Supervisor
from ivr.consent.listening import refusal
from ivr.consent.state import Consent
from ivr.names import ListenAnswer, Refusal

QUIET = "qES"  # no beep nor name for the spy; ends with the agent's channel or when none is left


@dataclass(frozen=True)
class AgentCall:
    """A call an agent is in: the machine's state and the agent's channel in it."""

    consent: Consent
    channel: str


@dataclass(frozen=True)
class Verdict:
    supervisor: Supervisor | None
    call: AgentCall | None
    refused: Refusal | None
    tone: bool = False

    def answer(self) -> ListenAnswer:
        if self.refused is not None or self.call is None or self.supervisor is None:
            return ListenAnswer(self.refused or Refusal.NO_CALL)
        options = QUIET + self.supervisor.spy_options
        call_id, channel = self.call.consent.call_id, self.call.channel
        return ListenAnswer(None, call_id, channel, options, tone=self.tone)


def decide(settings: ListeningSettings, endpoint: str, calls: Iterable[AgentCall]) -> Verdict:
    """``calls``: the agent's calls, the latest last (an agent can be in one call at a time,
    but a call ending and the next starting overlap by a moment)."""
    supervisor = settings.supervisors.get(endpoint)
    if supervisor is None:
        return Verdict(None, None, Refusal.UNKNOWN_SUPERVISOR)
    live = [call for call in calls if refusal(call.consent) is not Refusal.NO_CALL]
    if not live:
        return Verdict(supervisor, None, Refusal.NO_CALL)
    call = live[-1]
    if not supervisor.may_hear(call.consent.group):
        return Verdict(supervisor, call, Refusal.NOT_ALLOWED)
    return Verdict(supervisor, call, refusal(call.consent), tone=settings.tone)
