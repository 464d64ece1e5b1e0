"""Live listening across a restart of the service, against the fake PBX: a spy the PBX runs
is adopted again from AstDB's note and the live channels, so the call's consent still ends it
(the agent's private key) and its end is traced; a spy whose call is gone is hung up."""

from __future__ import annotations

from pathlib import Path

from ivr.names import DB_LISTENERS, VAR_CALL_ID, VAR_LISTEN_TO
from ivr.service.runtime import Runtime
from tests.service.test_listening import answer, ask, consented_call, rows
from tests.service.test_replayed_calls import _agent_channel, _agent_presses
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import service, tier_settings
from tests.support.transcripts import Transcript


def spying(pbx: FakePbx, transcript: Transcript, spy: str) -> None:
    """What the dialplan does once allowed: the AstDB note, then ChanSpy starts."""
    unique_id = pbx.channels[spy].unique_id
    pbx.astdb[DB_LISTENERS, f"{transcript.call_id}/{unique_id}"] = spy
    pbx.channels[spy].variables[VAR_LISTEN_TO] = "agent"
    step = [("Event", "UserEvent"), ("UserEvent", "IvrListen"), ("Step", "spying")]
    pbx.send_event([*step, ("Channel", spy), ("Uniqueid", unique_id)])


async def a_spy_runs(pbx: FakePbx, runtime: Runtime) -> tuple[Transcript, str]:
    """A consented call, and a supervisor the service allowed whom the PBX lets spy."""
    transcript = await consented_call(pbx)
    # The dialplan's IVR_CALL, by which the Status listing tells the caller's channel
    # (the transcript was recorded without its VarSet).
    caller = next(c for c in pbx.channels.values() if c.unique_id == transcript.call_id)
    caller.variables[VAR_CALL_ID] = transcript.call_id
    spy = ask(pbx, 1)
    assert (await answer(pbx, spy)).refusal is None
    spying(pbx, transcript, spy)
    session = runtime.calls.sessions[transcript.call_id]
    await eventually(lambda: len(session.consent.spies) == 1, 1.0, "the spy started")
    return transcript, spy


async def listened_then_restarted(pbx: FakePbx, tmp_path: Path) -> tuple[Transcript, str]:
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        return await a_spy_runs(pbx, runtime)


def outcomes(runtime: Runtime) -> list[tuple[str, str]]:
    return [(r["outcome"], r["why"]) for r in rows(runtime)]


async def test_a_spy_running_across_a_restart_is_ended_by_the_agents_private_key(
    pbx: FakePbx, tmp_path: Path
) -> None:
    transcript, spy = await listened_then_restarted(pbx, tmp_path)
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        consent = runtime.calls.sessions[transcript.call_id].consent
        assert [s.channel for s in consent.spies] == [spy]
        await _agent_presses(pbx, _agent_channel(transcript), runtime.settings.agents.private_key)
        await eventually(lambda: spy not in pbx.channels, 2.0, "the spy hung up")
        await eventually(lambda: len(rows(runtime)) == 2, 2.0, "the spy's end traced")
        assert outcomes(runtime) == [("allowed", ""), ("ended", "private")]


async def test_a_spy_whose_call_ended_while_the_service_was_away_is_hung_up(
    pbx: FakePbx, tmp_path: Path
) -> None:
    transcript, spy = await listened_then_restarted(pbx, tmp_path)
    caller = next(c for c in pbx.channels.values() if c.unique_id == transcript.call_id)
    pbx.send_event([("Event", "Hangup"), ("Channel", caller.name), ("Uniqueid", caller.unique_id)])
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        await eventually(lambda: spy not in pbx.channels, 2.0, "the spy hung up")
        await eventually(lambda: len(rows(runtime)) == 2, 2.0, "the spy's end traced")
        assert outcomes(runtime) == [("allowed", ""), ("ended", "no-call")]


async def test_a_note_left_by_a_spy_that_is_gone_is_removed(pbx: FakePbx, tmp_path: Path) -> None:
    transcript, spy = await listened_then_restarted(pbx, tmp_path)
    unique_id = pbx.channels[spy].unique_id
    pbx.channels.pop(spy)  # gone without its hang-up handler (the PBX restarted it, say)
    async with service(tier_settings(tmp_path, pbx)):
        note = (DB_LISTENERS, f"{transcript.call_id}/{unique_id}")
        await eventually(lambda: note not in pbx.astdb, 2.0, "the note removed")


async def test_a_spy_that_left_while_the_link_was_cut_is_traced_as_ended_once_it_is_back(
    pbx: FakePbx, tmp_path: Path
) -> None:
    async with service(tier_settings(tmp_path, pbx)) as runtime:
        transcript, spy = await a_spy_runs(pbx, runtime)
        session = runtime.calls.sessions[transcript.call_id]
        unique_id = pbx.channels.pop(spy).unique_id  # its Hangup lost with the link
        del pbx.astdb[DB_LISTENERS, f"{transcript.call_id}/{unique_id}"]  # its handler ran
        for connection in list(pbx.live):
            connection.drop()
        await eventually(lambda: runtime.supervisor.health.reconnects == 1, 5.0, "a reconnect")
        await eventually(lambda: len(rows(runtime)) == 2, 2.0, "the spy's end traced")
        assert outcomes(runtime) == [("allowed", ""), ("ended", "")]
        assert session.consent.spies == ()
