"""An outbound scenario call (issue 19): an agent's phone, as a ``Local/`` channel originated on
the PBX into its outbound test context, dials a consumer on the carrier through the guard.
Observed: the guard's verdict (IVR_OUTBOUND) and whether any channel reached the carrier."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid

from ivr.ami import AmiClient, AmiError, Subscription
from ivr.outbound import names
from ivr.simulate.model import Call
from ivr.simulate.observed import Observed

AGENT_CONTEXT = "ivr-outbound-test"  # ivr/sandbox/dialplans.py: o.<campaign>.<number>
VERDICT_DEADLINE = 5.0  # the dialplan decides within one second
SETTLE = 2.0  # seconds the carrier is watched after a refused call ended
RING_DEADLINE = 10.0


def consumer_number() -> str:
    """A national mobile number no other call of the run uses: the cap stays out of the way."""
    return "06" + "".join(secrets.choice("0123456789") for _ in range(8))


async def run_outbound(pbx: AmiClient, carrier: AmiClient, call: Call) -> Observed:
    seen, started = Observed(), time.monotonic()
    phone, dialling = f"sim-{uuid.uuid4().hex}", f"sim-{uuid.uuid4().hex}"
    events = pbx.subscribe(lambda e: e.get("Uniqueid") in (phone, dialling))
    number = consumer_number()
    # The consumer's leg on the carrier, told from the other calls of the run by its number.
    legs = carrier.subscribe(lambda e: e.name == "Newchannel" and e.get("Exten") == number)
    agent = ""
    try:
        await pbx.action("Originate", _originate(call, number, phone, dialling))
        created = await events.wait_for(
            lambda e: e.name == "Newchannel" and e.get("Uniqueid") == phone, VERDICT_DEADLINE
        )
        agent = created.get("Channel", "")
        seen.outbound = await _verdict(events)
        seen.carrier_reached = await _reached(events, legs, seen.outbound)
    except (AmiError, OSError) as exc:
        seen.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if agent:  # the agent hangs up: an allowed call's consumer leg goes with it
            await pbx.action("Hangup", {"Channel": agent}, check=False)
        events.unsubscribe()
        legs.unsubscribe()
        seen.seconds = round(time.monotonic() - started, 2)
    return seen


def _originate(call: Call, number: str, phone: str, dialling: str) -> dict[str, str]:
    return {
        "Channel": f"Local/o.{call.campaign}.{number}@{AGENT_CONTEXT}",
        "Application": "Wait",
        "Data": "30",
        "CallerID": "Agent <0140000000>",
        "Async": "true",
        "ChannelId": phone,
        "OtherChannelId": dialling,
    }


async def _verdict(events: Subscription) -> str:
    event = await events.wait_for(
        lambda e: e.name == "VarSet" and e.get("Variable") == names.VAR_VERDICT
        and e.get("Value", "") != "",
        VERDICT_DEADLINE,
        what="the guard's verdict (IVR_OUTBOUND)",
    )  # fmt: skip
    value = event.get("Value", "")
    return value if value == names.ALLOWED else ":".join(value.split(":")[:2])


async def _reached(events: Subscription, legs: Subscription, verdict: str) -> bool:
    """Allowed: the consumer's channel appears on the carrier. Refused: none until well after
    the agent's channel hung up."""
    if verdict == names.ALLOWED:
        try:
            await legs.wait_for(None, RING_DEADLINE)
        except AmiError:
            return False
        return True
    await events.wait_for(lambda e: e.name == "Hangup", RING_DEADLINE)
    await asyncio.sleep(SETTLE)
    return len(legs) > 0
