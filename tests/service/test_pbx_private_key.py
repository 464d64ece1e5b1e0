"""The agent's private key run by the PBX itself (dialplan ivr-consent-private raises
`IvrConsent` `Step: private`), against the fake PBX: the service takes it as the agent's private
key, once, whether its own watch of the agent's keys saw the key too or not."""

from __future__ import annotations

from ivr.config.model import Settings
from ivr.names import DB_FEATURE_PRIVATE, EventKind, Source, global_setting
from tests.service.test_private_restart import _recordings, caller_name
from tests.service.test_replayed_calls import (
    _agent_channel,
    _agent_presses,
    _index_after_recording,
)
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service
from tests.support.transcripts import Transcript


def pbx_private_key(pbx: FakePbx, transcript: Transcript) -> None:
    """What ivr-consent-private raises on the caller's channel once the agent pressed the key."""
    caller = caller_name(pbx, transcript)
    agent, _ = _agent_channel(transcript)
    pbx.send_event(
        [
            ("Event", "UserEvent"),
            ("Channel", caller),
            ("Uniqueid", transcript.call_id),
            ("UserEvent", "IvrConsent"),
            ("Step", "private"),
            ("Call", transcript.call_id),
            ("Source", "pbx-feature"),
            ("Agent", agent),
        ]
    )


async def test_the_pbxs_private_key_makes_the_call_private_once_with_the_services_own_key(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("consent-loop")
    middle = _index_after_recording(transcript)
    async with service(settings) as runtime:
        assert pbx.globals[global_setting(DB_FEATURE_PRIVATE)] == "ivr-private-star0"
        await pbx.replay(transcript, stop=middle)
        caller = caller_name(pbx, transcript)
        session = runtime.calls.sessions[transcript.call_id]
        await eventually(lambda: caller in pbx.monitors, 2.0, "the call recorded")
        pbx_private_key(pbx, transcript)
        await eventually(lambda: session.consent.phase == "private", 2.0, "the call private")
        await eventually(lambda: not _recordings(runtime.settings), 2.0, "the file deleted")
        # The service's own watch sees the same keys on the agent's channel: nothing more.
        await _agent_presses(pbx, _agent_channel(transcript), settings.agents.private_key)
        await pbx.replay(transcript, start=middle)
        record = await decided(runtime, transcript.call_id)
    assert record.decision == "private"
    private = [e for e in record.events if e.kind is EventKind.PRIVATE]
    assert [e.source for e in private] == [Source.PBX_FEATURE]
    assert EventKind.ERROR not in {e.kind for e in record.events}
