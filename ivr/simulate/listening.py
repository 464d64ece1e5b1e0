"""A supervisor who listens live to the call's agent: the carrier dials *44<agent> from the
supervisor's phone (From user `supervisor`, an endpoint of its own on the sandbox PBX) and the
PBX's verdict is noted; the supervisor stays on until the caller's script ends (or is cut
off). Scenarios give each such call an agent of its own (``agent = { answer = 1 }`` dials
``agent-after-01``), so that concurrent calls are told apart.
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.ami import AmiClient, AmiError
from ivr.qa.carrier import CallerLeg, Carrier, Voice
from ivr.simulate.observed import Observed

SUPERVISOR = "supervisor"
LISTEN_CODE = "*44"
VERDICT_DEADLINE = 10.0


async def supervisor_listens(carrier: Carrier, pbx: AmiClient, agent: str, seen: Observed) -> None:
    verdicts = pbx.subscribe(
        lambda e: (
            e.get("UserEvent") == "IvrListen"
            and e.get("Step") in ("spying", "refused")
            and e.get("Agent") == agent
        )
    )
    leg = None
    try:
        leg = await carrier.call(
            f"{LISTEN_CODE}{agent}", caller_num=SUPERVISOR, caller_name="QA", voice=Voice()
        )
        verdict = await verdicts.wait_for(None, VERDICT_DEADLINE, what="the listen verdict")
        seen.listen = "allowed" if verdict.get("Step") == "spying" else verdict.get("Reason")
        await leg.wait_hungup(timeout=3600)
    except AmiError as exc:
        seen.errors.append(f"supervisor: {exc}")
    finally:
        verdicts.unsubscribe()
        if leg is not None:
            await asyncio.shield(_hang_up(leg))


async def _hang_up(leg: CallerLeg) -> None:
    with contextlib.suppress(AmiError):
        await leg.hangup()
    leg.close()
