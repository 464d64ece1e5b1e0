"""The agent's side on the carrier: the channels the PBX dialled for one caller, to press the
agent's keys and to hang up at scripted moments. The carrier's agents never do either on their
own. A call may reach several agents in turn (a payment step between two, a transfer): the
agent acting is the one whose channel was created last and is still up."""

from __future__ import annotations

import asyncio
import contextlib

from ivr.ami import AmiClient, AmiError
from ivr.qa.carrier import KeyPad

AGENT_CONTEXT = "from-pbx"  # where the carrier receives the PBX's calls (ivr/sandbox/dialplans)
TRANSFER_CONTEXT = "agent-transfer"  # where the carrier's Transfer() sends a SIP REFER


class AgentLeg:
    def __init__(self, carrier: AmiClient, caller_num: str, keypad: KeyPad | None = None) -> None:
        self._ami, self._keypad = carrier, keypad
        self._live: list[str] = []  # the caller's agent channels still up, oldest first
        self._created = asyncio.Event()
        # The PBX's Dial passes the caller's number on: the agent's channels carry it too.
        self._events = carrier.subscribe(
            lambda e: e.name in ("Newchannel", "Hangup") and e.get("CallerIDNum") == caller_num
        )
        self._follower = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        async for event in self._events:
            channel = event.get("Channel", "")
            if event.name == "Newchannel" and event.get("Context") == AGENT_CONTEXT:
                self._live.append(channel)
                self._created.set()
            elif event.name == "Hangup" and channel in self._live:
                self._live.remove(channel)

    async def channel(self, timeout: float = 5.0) -> str:
        """The agent's channel now up; AmiError if the PBX dialled none, or none is left."""
        try:
            async with asyncio.timeout(timeout):
                await self._created.wait()
        except TimeoutError:
            raise AmiError(f"no agent's channel on the carrier within {timeout:.0f} s") from None
        if not self._live:
            raise AmiError("the agent's channel is already gone")
        return self._live[-1]

    async def hang_up(self) -> str | None:
        """Hangs the agent's channel up; the reason it could not, or None."""
        try:
            await self._ami.action("Hangup", {"Channel": await self.channel()})
        except AmiError as exc:
            return f"agent hang-up: {exc}"
        return None

    async def transfer(self, to: str) -> None:
        """The agent's phone transfers the caller to PBX extension ``to`` (a blind transfer,
        SIP REFER); AmiError if the carrier could not start it."""
        fields = {"Channel": await self.channel(), "Context": TRANSFER_CONTEXT, "Exten": to}
        await self._ami.action("Redirect", {**fields, "Priority": "1"})

    async def press(self, key: str, ms: int) -> None:
        """The agent presses one key for ``ms``; AmiError if it could not."""
        channel = await self.channel()
        if self._keypad is not None:
            await self._keypad.press(channel, key, ms)
            return
        fields = {"Channel": channel, "Digit": key, "Duration": str(ms)}
        await self._ami.action("PlayDTMF", fields, timeout=ms / 1000 + 5)

    async def close(self) -> None:
        self._events.unsubscribe()
        self._follower.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._follower
