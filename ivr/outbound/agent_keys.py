"""The agent's key for a refusal said aloud ("don't call me again"), typed on the phone during
an outbound call the guard allowed. Pure: the guard feeds it the channels it allowed, their
hang-ups and their keys, and acts on the call it returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Typed:
    number: str
    campaign: str
    keys: str = ""
    last: float = 0.0


@dataclass
class AgentRefusalKeys:
    sequence: str  # [outbound] agent_refusal_key, e.g. "*8"
    timeout: float  # seconds allowed between the keys of one sequence ([agents] key_timeout)
    calls: dict[str, _Typed] = field(default_factory=dict)  # agent channel -> its call

    def allowed(self, channel: str, number: str, campaign: str) -> None:
        self.calls[channel] = _Typed(number, campaign)

    def ended(self, channel: str) -> None:
        self.calls.pop(channel, None)

    def key(self, channel: str, digit: str, at: float) -> tuple[str, str] | None:
        """(number, campaign) when ``digit`` completes the sequence on an allowed call."""
        typed = self.calls.get(channel)
        if typed is None or not self.sequence:
            return None
        if at - typed.last > self.timeout:
            typed.keys = ""
        typed.keys, typed.last = (typed.keys + digit)[-len(self.sequence) :], at
        if typed.keys != self.sequence:
            return None
        typed.keys = ""
        return typed.number, typed.campaign
