"""The service's AMI link against a PBX that, like Asterisk, serves each manager session on one
thread: an action waiting on a busy channel holds back every event of its session. The
service listens on a session that carries no such action, and writes an objection's stop on a
session of its own, so neither waits for another call's slow Setvar."""

from __future__ import annotations

import asyncio
import time

from ivr.config.model import Settings
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service
from tests.support.transcripts import Transcript

CALLER = "PJSIP/carrier-00000002"  # the objecting caller's channel in objection-mid-call
KEY_PRESSED = 124  # that transcript's DTMFEnd of the caller's 9
PROMPT = 0.5  # seconds: far above the service's own part, far below a held action (never)


def key_index(transcript: Transcript) -> int:
    headers = dict(transcript.events[KEY_PRESSED][1])
    assert (headers["Event"], headers["Digit"]) == ("DTMFEnd", "9"), headers
    return KEY_PRESSED


async def test_an_objection_is_stopped_while_another_action_waits_on_the_pbx(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("objection-mid-call")
    key = key_index(transcript)
    async with service(settings) as runtime:
        await pbx.replay(transcript, stop=key)
        await eventually(lambda: CALLER in pbx.monitors, 3.0, "the recording started")
        release = pbx.hold("Setvar")  # the PBX's session thread waits on a locked channel
        setting = asyncio.create_task(
            runtime.executor.controls.setvar("other", CALLER, "IVR_SLOW", "1")
        )
        await eventually(lambda: bool(pbx.requests_for("Setvar")), 3.0, "the Setvar sent")
        pressed = time.monotonic()
        await pbx.replay(transcript, start=key, stop=key + 1)
        try:
            await eventually(
                lambda: bool(pbx.requests_for("StopMixMonitor")),
                PROMPT,
                "the objection's StopMixMonitor while a Setvar is held",
            )
            assert time.monotonic() - pressed < PROMPT
        finally:
            release.set()
            await setting
        await pbx.replay(transcript, start=key + 1)
    assert CALLER not in pbx.monitors


async def test_the_listening_session_carries_no_action_on_a_channel(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("objection-mid-call")
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        await decided(runtime, transcript.call_id)
        logins = pbx.requests_for("Login")
        listeners = [c for c in pbx.live if c.events_on]
        assert len(listeners) == 1, [r.headers for r in logins]
        # Beside it: the actions' session, the urgent stops', the agents' tones (on demand).
        assert len(logins) >= 3
        on_channels = [r.action for r in listeners[0].requests if r.get("Channel")]
        assert on_channels == []
        acted = [r.action for c in pbx.live if not c.events_on for r in c.requests]
        assert {"MixMonitor", "StopMixMonitor"} <= set(acted)


async def test_a_stop_held_on_a_busy_channel_does_not_hold_up_another_calls_stop(
    pbx: FakePbx, settings: Settings
) -> None:
    transcript = Transcript.load("objection-mid-call")
    key = key_index(transcript)
    busy = "PJSIP/storm-00000042"  # another objector's channel, locked by its keys on the PBX
    async with service(settings) as runtime:
        await pbx.replay(transcript, stop=key)
        await eventually(lambda: CALLER in pbx.monitors, 3.0, "the recording started")
        release = pbx.hold("StopMixMonitor", channel=busy)
        held = runtime.executor.controls.send("StopMixMonitor", {"Channel": busy}, urgent=True)
        await pbx.replay(transcript, start=key, stop=key + 1)
        try:
            await eventually(
                lambda: CALLER not in pbx.monitors,
                PROMPT,
                "the objector's recording stopped while another call's stop is held",
            )
        finally:
            release.set()
            await held
        await pbx.replay(transcript, start=key + 1)
