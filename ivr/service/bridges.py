"""Who joins a caller: agents are recognised from the bridge the PBX puts them in with the
caller, not from an equality of ids that holds for one dialplan shape only (an originated Local
channel running the consent flow has its own Linkedid). Pure bookkeeping, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.ami import Message


@dataclass(frozen=True)
class Joined:
    """``channel`` (unique id ``unique_id``) shares a bridge with the caller of ``call_id``."""

    call_id: str
    unique_id: str
    channel: str


@dataclass
class Bridges:
    members: dict[str, dict[str, str]] = field(default_factory=dict)  # bridge: {uniqueid: name}
    callers: dict[str, str] = field(default_factory=dict)  # bridge: call id of its caller
    agents: dict[str, str] = field(default_factory=dict)  # agent's uniqueid: call id

    def entered(self, event: Message, caller_of: str | None) -> list[Joined]:
        """A BridgeEnter; ``caller_of``: the call id if the channel is a tracked caller's. The
        channels that became agents of a call by it (the one entering, or those already in)."""
        bridge, unique_id = event.get("BridgeUniqueid", ""), event.get("Uniqueid", "")
        if not bridge or not unique_id:
            return []
        members = self.members.setdefault(bridge, {})
        members[unique_id] = event.get("Channel", "")
        if caller_of is not None:
            self.callers[bridge] = caller_of
            return [self._agent(caller_of, u, n) for u, n in members.items() if u != unique_id]
        call_id = self.callers.get(bridge)
        if call_id is None:
            return []
        return [self._agent(call_id, unique_id, members[unique_id])]

    def _agent(self, call_id: str, unique_id: str, channel: str) -> Joined:
        self.agents[unique_id] = call_id
        return Joined(call_id, unique_id, channel)

    def left(self, event: Message) -> None:
        bridge, unique_id = event.get("BridgeUniqueid", ""), event.get("Uniqueid", "")
        members = self.members.get(bridge, {})
        members.pop(unique_id, None)
        if not members:
            self.members.pop(bridge, None)
            self.callers.pop(bridge, None)

    def call_of_agent(self, unique_id: str) -> str | None:
        return self.agents.get(unique_id)

    def forget_call(self, call_id: str) -> None:
        for unique_id in [u for u, c in self.agents.items() if c == call_id]:
            del self.agents[unique_id]
        for bridge in [b for b, c in self.callers.items() if c == call_id]:
            del self.callers[bridge]
