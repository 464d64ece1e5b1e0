"""A new listen ask on a call the restarted service adopted, against the fake PBX: the agent
on each agent's leg is learnt again from the PBX's Status listing (the DIALEDPEERNUMBER Dial
left on it, as the replayed transcript's VarSet set it), so the ask is answered from the
adopted call's machine as before the restart; a leg whose agent cannot be learnt keeps its
call out of reach (`no-call`), said once in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ivr.names import VAR_CALL_ID, Refusal
from ivr.service.rebuild import DIALLED_VAR
from tests.service.test_listening import AGENT_CHANNEL, answer, ask, consented_call, rows
from tests.service.test_replayed_calls import _agent_channel, _agent_presses
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import service, tier_settings
from tests.support.transcripts import Transcript


async def talking_then_restarted(pbx: FakePbx, tmp_path: Path) -> Transcript:
    """A consented call, bridged with its agent, seen by a service that then stopped."""
    async with service(tier_settings(tmp_path, pbx)):
        transcript = await consented_call(pbx)
    # The dialplan's IVR_CALL, by which the Status listing tells the caller's channel (the
    # transcript was recorded without its VarSet).
    caller = next(c for c in pbx.channels.values() if c.unique_id == transcript.call_id)
    caller.variables[VAR_CALL_ID] = transcript.call_id
    return transcript


async def test_a_new_ask_after_a_restart_is_allowed_on_the_adopted_call(
    pbx: FakePbx, tmp_path: Path
) -> None:
    transcript = await talking_then_restarted(pbx, tmp_path)
    assert pbx.channels[AGENT_CHANNEL].variables[DIALLED_VAR] == "agent@carrier"
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        allowed = await answer(pbx, ask(pbx, 1))
        assert (allowed.refusal, allowed.call_id, allowed.channel) == (
            None,
            transcript.call_id,
            AGENT_CHANNEL,
        )
        await eventually(lambda: len(rows(runtime)) == 1, 2.0, "the listen traced")
        assert [(r["outcome"], r["call"]) for r in rows(runtime)] == [
            ("allowed", transcript.call_id)
        ]


async def test_a_call_made_private_before_the_restart_refuses_a_new_ask_as_private(
    pbx: FakePbx, tmp_path: Path
) -> None:
    transcript = await talking_then_restarted(pbx, tmp_path)
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        await _agent_presses(pbx, _agent_channel(transcript), runtime.settings.agents.private_key)
        session = runtime.calls.sessions[transcript.call_id]
        await eventually(lambda: session.consent.phase == "private", 2.0, "the call private")
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        refused = await answer(pbx, ask(pbx, 2))
        assert refused.refusal is Refusal.PRIVATE
        await eventually(lambda: len(rows(runtime)) == 1, 2.0, "the refusal traced")
        assert [(r["outcome"], r["why"]) for r in rows(runtime)] == [("denied", "private")]


async def test_a_call_whose_agent_cannot_be_learnt_is_refused_no_call_said_once(
    pbx: FakePbx, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    transcript = await talking_then_restarted(pbx, tmp_path)
    del pbx.channels[AGENT_CHANNEL].variables[DIALLED_VAR]  # an agent's leg Dial did not make
    caplog.set_level(logging.INFO, logger="ivr.listen.service")
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        assert transcript.call_id in runtime.calls.sessions  # adopted all the same
        for number in (3, 4):
            assert (await answer(pbx, ask(pbx, number))).refusal is Refusal.NO_CALL
    unknown = [r for r in caplog.records if "is not known" in r.getMessage()]
    assert [(r.levelno, transcript.call_id in r.getMessage()) for r in unknown] == [
        (logging.INFO, True)
    ]
