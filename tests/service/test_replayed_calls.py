"""Calls the real PBX made, replayed: the service decides and logs as it did on the sandbox."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ivr.config.model import Settings
from ivr.recordings.wav import is_closed
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.store import StoreUnderTest
from tests.support.transcripts import FOLDER, Transcript

RECORDED = sorted(p.stem for p in FOLDER.glob("*.json"))


def test_every_scenario_of_the_brief_was_recorded() -> None:
    scenarios = {"consent-loop", "objection-mid-call", "objection-during-notice", "payment"}
    assert scenarios | {"opt-in"} <= set(RECORDED)


@pytest.mark.parametrize("name", RECORDED)
async def test_a_replayed_call_ends_as_it_did_on_the_real_pbx(
    name: str, pbx: FakePbx, tmp_path: Path, store: StoreUnderTest
) -> None:
    transcript = Transcript.load(name)
    async with service(tier_settings(tmp_path, pbx, transcript.policy, store)) as runtime:
        await pbx.replay(transcript)
        record = await decided(runtime, transcript.call_id)
    assert record.decision == transcript.decision
    assert {e.kind for e in record.events} == set(transcript.kinds)


async def test_a_kept_recording_is_closed_hashed_and_in_the_ledger(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("consent-loop")
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        record = await decided(runtime, transcript.call_id)
    assert record.recording is not None
    assert is_closed(settings.recordings.dir / f"ivr-{transcript.call_id}.wav")


async def test_an_objection_mid_call_leaves_no_file(pbx: FakePbx, settings: Settings) -> None:
    transcript = Transcript.load("objection-mid-call")
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        record = await decided(runtime, transcript.call_id)
    assert record.decision == "objected"
    assert not list(settings.recordings.dir.iterdir())


async def test_a_restart_with_a_live_recorded_call_keeps_recording_it(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("consent-loop")
    middle = _index_after_recording(transcript)
    async with service(settings):
        await pbx.replay(transcript, stop=middle)
    async with service(settings) as runtime:  # a new process: learns the call from the PBX
        await pbx.replay(transcript, start=middle)
        record = await decided(runtime, transcript.call_id)
        assert runtime.metrics.counters["calls_restored"]._value.get() == 1
    assert record.decision == "kept"


def _index_after_recording(transcript: Transcript) -> int:
    """Just after the caller's channel entered the bridge (the recording has started)."""
    for index, (_, headers) in enumerate(transcript.events):
        fields = dict(headers)
        if fields.get("Event") == "BridgeEnter" and fields.get("Uniqueid") == transcript.call_id:
            return index + 3
    raise AssertionError("the call was never bridged")


def _shifted(transcript: Transcript, first: str) -> Transcript:
    """The same call with the consent flow on a channel that is not the call's first: every
    channel linked to ``first`` (an originated Local channel's id), as Asterisk then reports."""
    events = [
        (at, [(k, first if k == "Linkedid" else v) for k, v in headers])
        for at, headers in transcript.events
    ]
    return dataclasses.replace(transcript, events=events)


async def test_an_agent_is_known_from_the_bridge_when_the_flow_runs_on_a_later_channel(
    pbx: FakePbx, settings: Settings
) -> None:
    """Issue 17: the agent's channel has the Linkedid of the call's first channel, which is
    not the consent flow's; the agent is still recognised (its tone starts, its keys count)."""
    transcript = _shifted(Transcript.load("consent-loop"), "1700000000.1")
    middle = _index_after_recording(transcript)
    async with service(settings) as runtime:
        await pbx.replay(transcript, stop=middle)
        agent = _agent_channel(transcript)
        await _agent_presses(pbx, agent, "*1")
        await pbx.replay(transcript, start=middle)
        record = await decided(runtime, transcript.call_id)
    tones = [r for r in pbx.requests_for("MixMonitor") if r.get("Channel") == agent[0]]
    assert tones, "no tone on the agent's channel: the agent was not recognised"
    paused = [e for e in record.events if e.kind == "paused"]
    assert paused
    assert paused[0].source == "agent"


def _agent_channel(transcript: Transcript) -> tuple[str, str]:
    for _, headers in transcript.events:
        fields = dict(headers)
        if fields.get("Event") == "BridgeEnter" and fields.get("Uniqueid") != transcript.call_id:
            return fields["Channel"], fields["Uniqueid"]
    raise AssertionError("no agent in the bridge")


async def _agent_presses(pbx: FakePbx, agent: tuple[str, str], keys: str) -> None:
    for digit in keys:
        pbx.send_event(
            [
                ("Event", "DTMFEnd"),
                ("Channel", agent[0]),
                ("Uniqueid", agent[1]),
                ("Linkedid", "1700000000.1"),
                ("Digit", digit),
                ("DurationMs", "120"),
                ("Direction", "Received"),
            ]
        )
