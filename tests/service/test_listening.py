"""Live listening through the whole service against the fake PBX: a replayed consented call,
a supervisor's `ask` as the shipped dialplan raises it, and the service's answer in IVR_LISTEN;
the caller's objection makes the service hang the spy up and refuse the next attempt."""

from __future__ import annotations

import time
from pathlib import Path

from ivr.audit import AuditLog
from ivr.listen.trail import listens
from ivr.names import VAR_LISTEN, ListenAnswer, Refusal
from ivr.service.runtime import Runtime
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import service, tier_settings
from tests.support.transcripts import Transcript

SPY = "PJSIP/supervisor-00000042"
AGENT_CHANNEL = "PJSIP/carrier-00000001"  # the agent's leg in the consent-loop transcript
BRIDGED = 107  # the consent-loop transcript's events up to both legs in the bridge


def ask(pbx: FakePbx, number: int, endpoint: str = "supervisor", agent: str = "agent") -> str:
    """A supervisor dials *44<agent>: their channel, then the dialplan's `ask` event."""
    channel, unique_id = f"PJSIP/{endpoint}-{number:08x}", f"1796457100.{number}"
    pbx.send_event([("Event", "Newchannel"), ("Channel", channel), ("Uniqueid", unique_id)])
    event = [("Event", "UserEvent"), ("UserEvent", "IvrListen"), ("Step", "ask")]
    pbx.send_event([*event, ("Channel", channel), ("Uniqueid", unique_id), ("Agent", agent)])
    return channel


async def answer(pbx: FakePbx, channel: str) -> ListenAnswer:
    def given() -> str:
        return pbx.channels[channel].variables.get(VAR_LISTEN, "")

    await eventually(lambda: given() != "", 1.0, "the service's answer within a second")
    decoded = ListenAnswer.decode(given())
    assert decoded is not None, given()
    return decoded


async def consented_call(pbx: FakePbx) -> Transcript:
    transcript = Transcript.load("consent-loop")
    await pbx.replay(transcript, stop=BRIDGED)
    return transcript


def rows(runtime: Runtime) -> list[dict[str, str]]:
    return listens(AuditLog(runtime.settings.compliance.audit_path).rows())


async def test_a_supervisor_is_answered_within_a_second_and_the_objection_ends_the_spy(
    pbx: FakePbx, tmp_path: Path
) -> None:
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        transcript = await consented_call(pbx)
        spy = ask(pbx, 1)
        allowed = await answer(pbx, spy)
        assert (allowed.refusal, allowed.call_id, allowed.channel) == (
            None,
            transcript.call_id,
            AGENT_CHANNEL,
        )
        spying = [("Event", "UserEvent"), ("UserEvent", "IvrListen"), ("Step", "spying")]
        pbx.send_event([*spying, ("Channel", spy), ("Uniqueid", pbx.channels[spy].unique_id)])
        pressed = time.monotonic()
        key = [("Event", "DTMFEnd"), ("Digit", "9"), ("Direction", "Received")]
        pbx.send_event(
            [*key, ("Channel", "PJSIP/carrier-00000000"), ("Uniqueid", transcript.call_id)]
        )
        await eventually(lambda: spy not in pbx.channels, 1.0, "the spy hung up")
        assert time.monotonic() - pressed < 1.0
        again = await answer(pbx, ask(pbx, 2))
        assert again.refusal is Refusal.OBJECTED
        await eventually(lambda: len(rows(runtime)) == 3, 2.0, "three audit rows")
    outcomes = [(r["outcome"], r["why"]) for r in rows(runtime)]
    assert outcomes == [("allowed", ""), ("ended", "objected"), ("denied", "objected")]


async def test_an_unknown_endpoint_or_an_agent_in_no_call_is_refused(
    pbx: FakePbx, tmp_path: Path
) -> None:
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        await consented_call(pbx)
        assert (
            await answer(pbx, ask(pbx, 1, endpoint="desk"))
        ).refusal is Refusal.UNKNOWN_SUPERVISOR
        assert (await answer(pbx, ask(pbx, 2, agent="nobody"))).refusal is Refusal.NO_CALL
        await eventually(lambda: len(rows(runtime)) == 2, 2.0, "two audit rows")


async def test_a_spy_the_pbx_refused_after_all_is_traced_as_denied_and_never_listened(
    pbx: FakePbx, tmp_path: Path
) -> None:
    """The PBX has the last word (its own memory of an objection, or an answer that came too
    late): the call's machine hears of a spy only once the PBX says it started."""
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        transcript = await consented_call(pbx)
        spy = ask(pbx, 1)
        assert (await answer(pbx, spy)).refusal is None
        refused = [("Event", "UserEvent"), ("UserEvent", "IvrListen"), ("Step", "refused")]
        unique_id = pbx.channels[spy].unique_id
        pbx.send_event(
            [*refused, ("Reason", "objected"), ("Channel", spy), ("Uniqueid", unique_id)]
        )
        pbx.send_event([("Event", "Hangup"), ("Channel", spy), ("Uniqueid", unique_id)])
        await eventually(lambda: len(rows(runtime)) == 2, 2.0, "two audit rows")
        assert runtime.calls.sessions[transcript.call_id].consent.spies == ()
    assert [(r["outcome"], r["why"]) for r in rows(runtime)] == [
        ("allowed", ""),
        ("denied", "objected"),
    ]
