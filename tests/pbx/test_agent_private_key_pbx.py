"""Issue 18 §1, the agent's private key on the PBX itself: an in-call feature the consent
subroutine hands to the agent's channel (DYNAMIC_FEATURES with inheritance) and that runs on the
caller's channel (ActivateOn peer). Real carrier calls: the caller's leg sends 440 Hz, the
agent's leg on the carrier presses the keys."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch
from ivr.qa.carrier import Carrier
from tests.support.agent_keys import (
    agent_channel,
    channel_variable,
    listen,
    mixmonitor_runs,
    press_on,
)
from tests.support.consent_calls import (
    ConsentCall,
    event_kinds,
    ledger_entry,
    poll,
    recorded,
)
from tests.support.service import ServiceProcess, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]

BYTES_PER_SECOND = 16000  # 8 kHz, 16-bit
END_DEADLINE = 1.0  # as for an objection: every spy gone within a second of the key


@pytest_asyncio.fixture
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    log = service_config.parent / "private-key-service.log"
    async with running(service_config, log) as process:
        yield process


async def grows(call: ConsentCall, seconds: float) -> None:
    """The recording still gains ``seconds`` of audio: it was neither stopped nor deleted."""
    wanted = await asyncio.to_thread(_size, call.file) + seconds * BYTES_PER_SECOND
    await poll(lambda: _size(call.file) > wanted, seconds + 5.0, f"{call.file} stopped growing")


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else -1


async def stays_still(path: Path, seconds: float) -> None:
    """``path`` does not grow for ``seconds`` (the writer's last frames flushed first)."""
    await asyncio.sleep(0.3)  # MixMonitor closes the file on its own thread once stopped
    size = await asyncio.to_thread(_size, path)
    await asyncio.sleep(seconds)  # growth, not an event, is what would show a recording going on
    assert await asyncio.to_thread(_size, path) == size, f"{path} still grows after the key"


# c-fr-agent: the consent flow on the caller's channel, then Dial; l-agent: the flow on a Local
# channel (not optimised away) that then dials the agent: the feature follows both.
@pytest.mark.parametrize("exten", ["c-fr-agent", "l-agent"])
async def test_the_agents_private_key_stops_the_recording_and_the_spy_while_the_service_is_away(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    carrier_ami: AmiClient,
    pbx_target: Target,
    exten: str,
) -> None:
    call = await recorded(carrier, pbx_ami, pbx_target, exten, timeout=15.0)
    agent = await agent_channel(carrier_ami)
    _, verdict = await listen(carrier, pbx_ami)
    assert verdict.get("Step") == "spying", verdict
    spy = verdict.get("Uniqueid", "")
    assert service.stop() == 0, service.log_tail()
    gone = pbx_ami.subscribe(lambda e: e.name == "Hangup" and e.get("Uniqueid") == spy)
    pressed = pbx_ami.subscribe(EventMatch("DTMFEnd", {"Digit": "0", "Direction": "Received"}))
    try:
        await press_on(carrier_ami, agent, "*0")
        await pressed.wait_for(None, 5.0, what="the agent's key on the PBX")
        pressed_at = time.monotonic()
        await gone.wait_for(None, 5.0, what="the spy's hang-up after the private key")
        took = time.monotonic() - pressed_at
    finally:
        gone.unsubscribe()
        pressed.unsubscribe()
    assert took < END_DEADLINE, f"the spy outlived the private key by {took:.2f} s"
    assert not await mixmonitor_runs(pbx_ami, call.channel), "the PBX left the recording on"
    assert await channel_variable(pbx_ami, call.channel, "IVR_PRIVATE") == "1"
    await stays_still(call.file, 1.0)

    await service.start()  # back: the PBX's IVR_PRIVATE makes the call private
    await poll(lambda: not call.file.exists(), 10.0, "the recording kept after the restart")
    await call.leg.hangup()
    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "private", entry
    private = [e for e in _events(entry) if e["kind"] == "private"]
    assert [e["source"] for e in private] == ["reconcile"], private
    assert "recording-deleted" in event_kinds(entry)


async def test_with_the_service_up_only_the_agents_private_key_makes_the_call_private_once(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    carrier_ami: AmiClient,
    pbx_target: Target,
) -> None:
    """The caller's own *0 and the agent's 9 (the caller's objection key) reach both features
    too: each routine finds the wrong party and does nothing. The agent's *0, seen by the
    service and run by the PBX, is one private key in the ledger."""
    call = await recorded(carrier, pbx_ami, pbx_target, timeout=15.0)
    agent = await agent_channel(carrier_ami)
    reported = pbx_ami.subscribe(_consent_stop_of(call.call_id))
    try:
        for key in "*0":
            await call.leg.press(key)
        await press_on(carrier_ami, agent, "9")
        await grows(call, 1.5)
        assert await mixmonitor_runs(pbx_ami, call.channel)
        assert len(reported) == 0, "a wrong party's key was taken for a stop"
        for name in ("IVR_PRIVATE", "IVR_OBJECTED"):
            assert await channel_variable(pbx_ami, call.channel, name) == "", name

        await press_on(carrier_ami, agent, "*0")
        await poll(lambda: not call.file.exists(), 5.0, "the recording kept after the key")
        private = await reported.wait_for(None, 5.0, what="the PBX's private key")
        assert private.get("Step") == "private", private
    finally:
        reported.unsubscribe()
    assert not await mixmonitor_runs(pbx_ami, call.channel)
    await call.leg.hangup()
    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "private", entry
    kinds = event_kinds(entry)
    assert kinds.count("private") == 1, kinds
    assert "objected" not in kinds, kinds
    assert "error" not in kinds, kinds


def _consent_stop_of(call_id: str) -> EventMatch:
    return EventMatch("UserEvent", {"UserEvent": "IvrConsent", "Call": call_id})


def _events(entry: dict[str, object]) -> list[dict[str, object]]:
    events = entry["events"]
    assert isinstance(events, list)
    return [dict(e) for e in events]
