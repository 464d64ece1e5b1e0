"""A private call stays private when the service comes back, against the fake PBX: after the
agent's private key, neither a restart of the service nor a cut AMI link records the call
again, lets a supervisor listen, or turns its decision into anything but `private`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ivr.config.model import Settings
from ivr.consent.listening import refusal
from ivr.names import PRIVATE_YES, VAR_CALL_ID, VAR_PRIVATE, EventKind, Refusal
from ivr.service.runtime import Runtime
from tests.service.test_listening import answer, ask
from tests.service.test_replayed_calls import (
    _agent_channel,
    _agent_presses,
    _index_after_recording,
)
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.transcripts import Transcript


def caller_name(pbx: FakePbx, transcript: Transcript) -> str:
    return next(c.name for c in pbx.channels.values() if c.unique_id == transcript.call_id)


async def made_private(pbx: FakePbx, runtime: Runtime) -> tuple[Transcript, int]:
    """A recorded, bridged call whose agent pressed the private key: stopped and deleted."""
    transcript = Transcript.load("consent-loop")
    middle = _index_after_recording(transcript)
    await pbx.replay(transcript, stop=middle)
    caller = pbx.channels[caller_name(pbx, transcript)]
    # The dialplan's IVR_CALL, by which the Status listing tells the caller's channel (the
    # transcript was recorded without its VarSet).
    caller.variables[VAR_CALL_ID] = transcript.call_id
    session = runtime.calls.sessions[transcript.call_id]
    await eventually(lambda: caller.name in pbx.monitors, 2.0, "the call recorded")
    key = runtime.settings.agents.private_key
    await _agent_presses(pbx, _agent_channel(transcript), key)
    await eventually(lambda: caller.name not in pbx.monitors, 2.0, "the recording stopped")
    await eventually(lambda: not _recordings(runtime.settings), 2.0, "the recording deleted")
    await eventually(lambda: session.consent.phase == "private", 2.0, "the call private")
    await _logged_private(runtime, transcript.call_id)
    assert caller.variables[VAR_PRIVATE] == PRIVATE_YES  # the PBX's own memory of the key
    return transcript, middle


async def _logged_private(runtime: Runtime, call_id: str, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        record = await runtime.ledger.get_call(call_id)
        if record is not None and EventKind.PRIVATE in {e.kind for e in record.events}:
            return
        assert asyncio.get_running_loop().time() < deadline, "the private key not in the ledger"
        await asyncio.sleep(0.01)


def _recordings(settings: Settings) -> list[Path]:
    return list(settings.recordings.dir.iterdir())


def mixmonitors_on(pbx: FakePbx, channel: str) -> int:
    return len([r for r in pbx.requests_for("MixMonitor") if r.get("Channel") == channel])


async def stays_private(
    pbx: FakePbx, runtime: Runtime, transcript: Transcript, middle: int
) -> None:
    """No recording again, no listening (a supervisor is refused `private`, the agent learnt
    again from the PBX after a restart), and `private` at the end."""
    caller = caller_name(pbx, transcript)
    before = mixmonitors_on(pbx, caller)
    assert refusal(runtime.calls.sessions[transcript.call_id].consent) is Refusal.PRIVATE
    assert (await answer(pbx, ask(pbx, 7))).refusal is Refusal.PRIVATE
    await pbx.replay(transcript, start=middle)  # the rest of the call, to its hang-up
    record = await decided(runtime, transcript.call_id)
    assert record.decision == "private"
    assert mixmonitors_on(pbx, caller) == before, "a recording started again on the call"
    assert caller not in pbx.monitors
    assert not _recordings(runtime.settings)


async def test_a_private_call_stays_private_across_a_restart_of_the_service(
    pbx: FakePbx, settings: Settings
) -> None:
    async with service(settings) as runtime:
        transcript, middle = await made_private(pbx, runtime)
    async with service(settings) as runtime:  # a new process: learns the call from the PBX
        await stays_private(pbx, runtime, transcript, middle)


async def test_a_private_call_stays_private_across_a_cut_ami_link(
    pbx: FakePbx, settings: Settings
) -> None:
    async with service(settings) as runtime:
        transcript, middle = await made_private(pbx, runtime)
        for connection in list(pbx.live):
            connection.drop()
        await eventually(lambda: runtime.supervisor.health.reconnects == 1, 5.0, "a reconnect")
        await stays_private(pbx, runtime, transcript, middle)


async def test_a_private_key_the_ledger_never_got_is_learnt_from_the_pbx(
    pbx: FakePbx, tmp_path: Path
) -> None:
    """The call began under another site's ledger, or the row was lost with the service: the
    PBX's IVR_PRIVATE alone keeps the call private, and the ledger learns the key."""
    (tmp_path / "first").mkdir()
    async with service(tier_settings(tmp_path / "first", pbx)) as runtime:
        transcript, middle = await made_private(pbx, runtime)
    (tmp_path / "then").mkdir()
    async with service(tier_settings(tmp_path / "then", pbx)) as runtime:
        await stays_private(pbx, runtime, transcript, middle)
        record = await decided(runtime, transcript.call_id)
    private = [e for e in record.events if e.kind is EventKind.PRIVATE]
    assert [e.source for e in private] == ["reconcile"]


async def test_a_private_key_the_pbx_forgot_is_learnt_from_the_ledger(
    pbx: FakePbx, settings: Settings
) -> None:
    async with service(settings) as runtime:
        transcript, middle = await made_private(pbx, runtime)
    del pbx.channels[caller_name(pbx, transcript)].variables[VAR_PRIVATE]
    async with service(settings) as runtime:
        await stays_private(pbx, runtime, transcript, middle)
