"""The recordings the service deletes on a caller's objection and on an agent's private key
appear in the audit log, who and why, beside the ledger's events (issue 15, item 11)."""

from __future__ import annotations

import contextlib

from ivr.config.model import Settings
from ivr.store.opening import settings_audit
from tests.service.test_replayed_calls import _agent_channel, _agent_presses
from tests.service.test_replayed_calls import _index_after_recording as after_recording
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service
from tests.support.transcripts import Transcript


def deletions(settings: Settings) -> list[tuple[str, str, str, str]]:
    with contextlib.closing(settings_audit(settings)) as audit:  # the file, or the store
        rows = audit.rows()
    return [
        (r.entry.actor, r.entry.target, r.entry.reason, r.entry.outcome)
        for r in rows
        if r.entry.action == "delete"
    ]


async def test_a_recording_deleted_on_objection_is_in_the_audit_log(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("objection-mid-call")
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        record = await decided(runtime, transcript.call_id)
    assert record.decision == "objected"
    assert deletions(settings) == [("service", transcript.call_id, "objection", "ok")]


async def test_a_recording_deleted_on_the_agents_private_key_is_in_the_audit_log(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("consent-loop")
    middle = after_recording(transcript)
    async with service(settings) as runtime:
        await pbx.replay(transcript, stop=middle)
        folder = settings.recordings.dir
        await eventually(lambda: any(folder.iterdir()), 5.0, "the recording started")
        await _agent_presses(pbx, _agent_channel(transcript), settings.agents.private_key)
        await pbx.replay(transcript, start=middle)
        record = await decided(runtime, transcript.call_id)
    assert record.decision == "private"
    assert deletions(settings) == [("service", transcript.call_id, "private", "ok")]
