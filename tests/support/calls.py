"""What the PBX sees of a test call, and helpers to keep every test starting from a quiet PBX."""

from __future__ import annotations

import asyncio

from ivr.ami import AmiClient, EventMatch, Message, Subscription
from ivr.simulate.runner import new_caller_number

__all__ = ["PbxView", "new_caller_number"]

QUIET_DEADLINE = 10.0


class PbxView:
    """The PBX's events for one call, told apart by the caller's number."""

    def __init__(self, ami: AmiClient, caller_num: str) -> None:
        self.caller_num = caller_num
        self.events: Subscription = ami.subscribe(
            lambda e: caller_num in (e.get("CallerIDNum"), e.get("ConnectedLineNum"))
        )

    async def inbound_channel(self, timeout: float = 10.0) -> Message:
        """The channel the call arrived on (the first of its linked channels)."""
        return await self.events.wait_for(
            lambda e: e.name == "Newchannel" and e.get("Uniqueid") == e.get("Linkedid"), timeout
        )

    async def bridged(self, count: int = 2, timeout: float = 15.0) -> list[Message]:
        """Until ``count`` channels of the call have entered a bridge."""
        entered: list[Message] = []
        for _ in range(count):
            entered.append(
                await self.events.wait_for(
                    lambda e: e.name == "BridgeEnter" and e not in entered, timeout
                )
            )
        return entered

    async def digit(self, event: str, digit: str, uniqueid: str, timeout: float = 5.0) -> Message:
        wanted = EventMatch(event, {"Digit": digit, "Uniqueid": uniqueid})
        return await self.events.wait_for(wanted, timeout)

    def close(self) -> None:
        self.events.unsubscribe()


async def channel_names(ami: AmiClient) -> list[str]:
    _, events = await ami.event_list("CoreShowChannels")
    return [e.get("Channel", "") for e in events if e.name == "CoreShowChannel"]


async def hang_up_everything(ami: AmiClient) -> None:
    """Hang up every channel and wait, with a deadline, until none is left."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + QUIET_DEADLINE
    while names := await channel_names(ami):
        if loop.time() > deadline:
            raise AssertionError(f"channels still up after {QUIET_DEADLINE} s: {names}")
        for name in names:
            await ami.action("Hangup", {"Channel": name}, check=False)
        await asyncio.sleep(0.05)
