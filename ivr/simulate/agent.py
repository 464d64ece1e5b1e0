"""The agent's side on the carrier: the channel the PBX dialled for one caller, to hang it up
at a scripted moment. The carrier's agents never hang up on their own."""

from __future__ import annotations

from ivr.ami import AmiClient, AmiError
from ivr.ami.events import Subscription

AGENT_CONTEXT = "from-pbx"  # where the carrier receives the PBX's calls (ivr/sandbox/dialplans)


class AgentLeg:
    def __init__(self, carrier: AmiClient, caller_num: str) -> None:
        self._ami = carrier
        # The PBX's Dial passes the caller's number on: the agent's channel carries it too.
        self._events: Subscription = carrier.subscribe(
            lambda e: (
                e.name == "Newchannel"
                and e.get("Context") == AGENT_CONTEXT
                and e.get("CallerIDNum") == caller_num
            )
        )

    async def hang_up(self, timeout: float = 5.0) -> str | None:
        """Hangs the agent's channel up; the reason it could not, or None."""
        try:
            created = await self._events.wait_for(None, timeout, what="the agent's channel")
            await self._ami.action("Hangup", {"Channel": created.get("Channel", "")})
        except AmiError as exc:
            return f"agent hang-up: {exc}"
        return None

    def close(self) -> None:
        self._events.unsubscribe()
