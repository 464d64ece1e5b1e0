"""The agent's side of a consent call on the real sandbox: its leg on the carrier, the keys it
presses there, and what the PBX shows of the caller's recording and of a supervisor's spy."""

from __future__ import annotations

import asyncio
import time

from ivr.ami import AmiClient, Message
from ivr.qa.carrier import CallerLeg, Carrier, Voice

SUPERVISOR = "supervisor"  # the From user the sandbox PBX knows as a supervisor's endpoint
LISTEN = "*44"
KEY_MS = 150
KEY_GAP = 0.1  # seconds between two keys of a sequence, as a phone sends them


async def agent_channel(carrier_ami: AmiClient, agent: str = "agent", timeout: float = 10.0) -> str:
    """The agent's leg on the carrier (the PBX dialled ``agent`` there)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, events = await carrier_ami.event_list("CoreShowChannels")
        for event in events:
            if event.get("Context") == "from-pbx" and event.get("Exten") == agent:
                return event.get("Channel", "")
        await asyncio.sleep(0.05)
    raise AssertionError("the agent's leg never appeared on the carrier")


async def press_on(carrier_ami: AmiClient, channel: str, keys: str) -> None:
    """``keys`` sent as RFC 4733 events from ``channel`` of the carrier towards the PBX."""
    for key in keys:
        fields = {"Channel": channel, "Digit": key, "Duration": str(KEY_MS)}
        await carrier_ami.action("PlayDTMF", fields, timeout=5.0)
        await asyncio.sleep(KEY_GAP)


async def mixmonitor_runs(pbx_ami: AmiClient, channel: str) -> bool:
    """Whether a MixMonitor runs on ``channel``: Asterisk refuses to (un)mute a channel that
    has none. Unmuting changes nothing on a recording that was not muted."""
    fields = {"Channel": channel, "Direction": "both", "State": "0"}
    return not (await pbx_ami.action("MixMonitorMute", fields, check=False)).is_error


async def channel_variable(pbx_ami: AmiClient, channel: str, name: str) -> str:
    reply = await pbx_ami.action("Getvar", {"Channel": channel, "Variable": name})
    return reply.get("Value") or ""


async def listen(
    carrier: Carrier, pbx_ami: AmiClient, agent: str = "agent", timeout: float = 10.0
) -> tuple[CallerLeg, Message]:
    """A supervisor dials the listen code; the PBX's verdict: `spying` or `refused`."""
    verdicts = pbx_ami.subscribe(
        lambda e: e.get("UserEvent") == "IvrListen" and e.get("Step") in ("spying", "refused")
    )
    try:
        leg = await carrier.call(
            f"{LISTEN}{agent}", caller_num=SUPERVISOR, caller_name="QA supervisor", voice=Voice()
        )
        return leg, await verdicts.wait_for(None, timeout, what="the PBX's listen verdict")
    finally:
        verdicts.unsubscribe()
