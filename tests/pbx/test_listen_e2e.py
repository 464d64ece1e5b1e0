"""Issue 16 §5, end to end: live listening under the same consent as recording.

A supervisor's phone on the carrier (From user `supervisor`, an endpoint of its own on the PBX)
dials *44<agent> while a caller talks to that agent. The test records, on the carrier, what the
supervisor's leg receives (it must hold both voices: the caller's 440 Hz and the agent's
1000 Hz) and what the agent's leg receives (the join and leave tones). Refusals are read from
the PBX's own `IvrListen` events (`Step: refused`, with the reason the supervisor hears).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch
from ivr.prompts.listening import JOIN_HZ
from ivr.qa.audio import Pcm, hears, read_wav
from ivr.qa.carrier import Carrier
from tests.support.agent_keys import (
    agent_channel,
    listen,
    mixmonitor_runs,
    press_on,
)
from tests.support.consent_calls import (
    AGENT_HZ,
    CALLER_HZ,
    ConsentCall,
    NeverExists,
    event_of,
    ledger_entry,
    logged,
    poll,
    talking,
)
from tests.support.service import ServiceProcess, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]

END_DEADLINE = 1.0  # the bound: every spy gone within a second of the objection


@pytest.fixture(scope="session")
def carrier_target(pbx_pair: tuple[Target, Target]) -> Target:
    return pbx_pair[1]


@pytest_asyncio.fixture
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    async with running(service_config, service_config.parent / "listen-service.log") as process:
        yield process


async def record_leg(carrier_ami: AmiClient, channel: str, folder: Path, name: str) -> Path:
    """What ``channel`` (on the carrier) receives from the PBX, recorded on the carrier."""
    stem = f"{name}-{uuid.uuid4().hex[:8]}"
    # Relative names: the carrier writes them into its monitor folder, ``folder`` here.
    fields = {"Channel": channel, "File": f"{stem}-mix.wav", "Options": f"r({stem}-heard.wav)"}
    await carrier_ami.action("MixMonitor", fields)
    return folder / f"{stem}-heard.wav"


async def grown(path: Path, seconds: float) -> None:
    """Until ``path`` holds ``seconds`` of 8 kHz 16-bit audio."""
    await poll(
        lambda: path.exists() and path.stat().st_size > 44 + seconds * 16000,
        seconds + 10,
        f"{path} never held {seconds} s of audio",
    )


async def settled(path: Path) -> Pcm:
    """The file once the carrier closed it (its leg hung up)."""
    await poll(lambda: path.exists(), 5.0, f"{path} never appeared")
    size, now = -1, await asyncio.to_thread(lambda: path.stat().st_size)
    while size != now:  # the writer flushes its last frames
        await asyncio.sleep(0.2)
        size, now = now, await asyncio.to_thread(lambda: path.stat().st_size)
    return read_wav(path)


async def test_a_supervisor_hears_both_voices_and_the_agent_hears_them_join_and_leave(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    carrier_ami: AmiClient,
    pbx_target: Target,
    carrier_target: Target,
) -> None:
    before = len(await listen_rows(service, "agent"))
    call = await talking(carrier, pbx_ami, pbx_target, "c-fr-agent")
    folder = carrier_target.recordings_dir
    agent_heard = await record_leg(carrier_ami, await agent_channel(carrier_ami), folder, "agent")
    started = time.monotonic()

    leg, verdict = await listen(carrier, pbx_ami)
    assert verdict.get("Step") == "spying", verdict
    joined_at = time.monotonic() - started
    supervisor_heard = await record_leg(carrier_ami, leg.channel, folder, "supervisor")
    await grown(supervisor_heard, 2.0)
    await leg.hangup()
    await leg.wait_hungup()
    left_at = time.monotonic() - started
    await grown(agent_heard, left_at + 2.0)

    pcm = await settled(supervisor_heard)
    assert hears(pcm, CALLER_HZ), "the supervisor did not hear the caller"
    assert hears(pcm, AGENT_HZ), "the supervisor did not hear the agent"
    await call.leg.hangup()
    agent = await settled(agent_heard)
    quiet = agent.slice(0, max(joined_at - 0.5, 0.1))
    join_window = agent.slice(max(joined_at - 0.5, 0), joined_at + 2.0)
    leave_window = agent.slice(max(left_at - 0.2, 0), left_at + 2.0)
    assert not hears(quiet, JOIN_HZ[0]), "a tone before anyone listened: the check is blind"
    assert hears(join_window, JOIN_HZ[0]), "the agent heard no tone as the supervisor joined"
    assert hears(leave_window, JOIN_HZ[0]), "the agent heard no tone as the supervisor left"
    allowed, ended = await traced(service, "agent", 2, before)
    assert (allowed["outcome"], allowed["supervisor"], allowed["role"]) == (
        "allowed",
        "QA supervisor",
        "quality-supervisor",
    )
    assert ended["outcome"] == "ended"
    assert ended["call"] == allowed["call"] == call.call_id
    assert 2.0 <= float(ended["seconds"]) <= left_at - joined_at + 1.0
    entry = await ledger_entry(service, call.call_id)
    detail = event_of(entry, "listened")["detail"]
    assert isinstance(detail, dict)
    assert (detail["by"], detail["ended"]) == ("QA supervisor", "left"), detail


async def test_the_objection_ends_the_spy_within_a_second_and_a_new_attempt_is_refused(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await talking(carrier, pbx_ami, pbx_target, "c-fr-agent")
    await call.file_appears(timeout=15.0)
    _, verdict = await listen(carrier, pbx_ami)
    assert verdict.get("Step") == "spying", verdict
    took = await objection_ends_spy(pbx_ami, call, verdict.get("Uniqueid", ""))
    assert took < END_DEADLINE, f"the spy outlived the objection by {took:.2f} s"

    again, verdict = await listen(carrier, pbx_ami)
    assert (verdict.get("Step"), verdict.get("Reason")) == ("refused", "objected")
    await again.wait_hungup()


async def listen_rows(service: ServiceProcess, agent: str) -> list[dict[str, str]]:
    rows = json.loads(await asyncio.to_thread(service.get_text, f"/api/listens?agent={agent}"))
    return [dict(row) for row in rows]


async def traced(
    service: ServiceProcess, agent: str, count: int, before: int
) -> list[dict[str, str]]:
    """The audit log's live-listen rows of ``agent`` after the first ``before``, once there
    are ``count`` of them (the log lives as long as the test session)."""
    deadline = time.monotonic() + 5.0
    while True:
        rows = (await listen_rows(service, agent))[before:]
        if len(rows) >= count or time.monotonic() > deadline:
            assert len(rows) == count, rows
            return [dict(row) for row in rows]
        await asyncio.sleep(0.05)


async def objection_ends_spy(pbx_ami: AmiClient, call: ConsentCall, spy: str) -> float:
    """The caller presses the objection key: seconds from the key to the spy's hang-up."""
    gone = pbx_ami.subscribe(lambda e: e.name == "Hangup" and e.get("Uniqueid") == spy)
    pressed = pbx_ami.subscribe(EventMatch("DTMFEnd", {"Digit": "9", "Uniqueid": call.call_id}))
    try:
        await call.leg.press("9")
        await pressed.wait_for(None, 5.0)
        objected_at = time.monotonic()
        await gone.wait_for(None, 5.0, what="the spy's hang-up")
        return time.monotonic() - objected_at
    finally:
        gone.unsubscribe()
        pressed.unsubscribe()


@pytest.mark.parametrize(
    ("exten", "agent", "reason"),
    [
        ("*7agent", "agent", "not-recordable"),  # dialled with the private prefix
        ("p.agent", "agent", "payment"),  # card data taken on the line
        ("c-fr-agent-silent", "agent", "no-call"),  # another agent's call
    ],
)
async def test_listening_is_refused_where_recording_would_be(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    exten: str,
    agent: str,
    reason: str,
) -> None:
    before = len(await listen_rows(service, agent))
    await talking(carrier, pbx_ami, pbx_target, exten)
    leg, verdict = await listen(carrier, pbx_ami, agent)
    assert (verdict.get("Step"), verdict.get("Reason")) == ("refused", reason)
    await leg.wait_hungup()
    (row,) = await traced(service, agent, 1, before)
    assert (row["outcome"], row["why"]) == ("denied", reason)


async def test_with_the_service_away_listening_is_refused_and_a_running_spy_ends_on_objection(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    """Fail closed: no answer within a second is a refusal; and the PBX's own objection
    feature hangs up a spy the service can no longer reach."""
    call = await talking(carrier, pbx_ami, pbx_target, "c-fr-agent")
    await call.file_appears(timeout=15.0)
    _, verdict = await listen(carrier, pbx_ami)
    assert verdict.get("Step") == "spying", verdict
    spy = verdict.get("Uniqueid", "")
    assert service.process is not None
    service.process.send_signal(signal.SIGSTOP)
    try:
        leg, refused = await listen(carrier, pbx_ami)
        assert (refused.get("Step"), refused.get("Reason")) == ("refused", "service-away")
        await leg.wait_hungup()
        took = await objection_ends_spy(pbx_ami, call, spy)
        assert took < END_DEADLINE, f"the PBX left the spy {took:.2f} s after the objection"
    finally:
        service.process.send_signal(signal.SIGCONT)


async def private_key_ends_spy(
    pbx_ami: AmiClient, carrier_ami: AmiClient, agent: str, spy: str
) -> None:
    """The agent presses the private key on its leg; until the PBX hangs up the spy."""
    gone = pbx_ami.subscribe(lambda e: e.name == "Hangup" and e.get("Uniqueid") == spy)
    try:
        await press_on(carrier_ami, agent, "*0")
        await gone.wait_for(None, 5.0, what="the spy's hang-up after the private key")
    finally:
        gone.unsubscribe()


async def test_a_spy_running_across_a_service_restart_is_ended_by_the_agents_private_key(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    carrier_ami: AmiClient,
    pbx_target: Target,
) -> None:
    """The restarted service adopts the spy from the PBX (AstDB's note, the live channels)
    and the agent from the caller's bridge: the private key still ends the spy, traced."""
    before = len(await listen_rows(service, "agent"))
    call = await talking(carrier, pbx_ami, pbx_target, "c-fr-agent")
    await call.file_appears(timeout=15.0)
    agent = await agent_channel(carrier_ami)
    _, verdict = await listen(carrier, pbx_ami)
    assert verdict.get("Step") == "spying", verdict
    assert service.stop() == 0, service.log_tail()
    await service.start()
    spy = verdict.get("Uniqueid", "")
    await private_key_ends_spy(pbx_ami, carrier_ami, agent, spy)
    _, ended = await traced(service, "agent", 2, before)
    assert (ended["outcome"], ended["why"], ended["call"]) == ("ended", "private", call.call_id)
    await call.leg.hangup()


async def test_a_private_call_is_not_recorded_again_after_a_service_restart(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    carrier_ami: AmiClient,
    pbx_target: Target,
) -> None:
    """The agent's private key, then the service restarted: the restarted service finds the
    call private (the PBX's IVR_PRIVATE, the ledger's event), so no recording comes back on
    disk or on the channel, a supervisor is refused, and the call ends `private`."""
    call = await talking(carrier, pbx_ami, pbx_target, "c-fr-agent")
    await call.file_appears(timeout=15.0)
    assert await mixmonitor_runs(pbx_ami, call.channel)  # the probe tells a running one
    agent = await agent_channel(carrier_ami)
    await press_on(carrier_ami, agent, "*0")
    await poll(lambda: not call.file.exists(), 5.0, "the recording kept after the private key")
    await logged(service, call.call_id, "private")
    assert service.stop() == 0, service.log_tail()
    async with NeverExists(call.file):
        await service.start()
        _, verdict = await listen(carrier, pbx_ami)
        assert verdict.get("Step") == "refused", verdict
        assert not await mixmonitor_runs(pbx_ami, call.channel)
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "private", entry


async def spy_runs(pbx_ami: AmiClient, unique_id: str, timeout: float = 5.0) -> None:
    """Until the PBX lists the supervisor's channel in ChanSpy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, channels = await pbx_ami.event_list("CoreShowChannels")
        if any(
            c.get("Uniqueid") == unique_id and c.get("Application") == "ChanSpy" for c in channels
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no ChanSpy on the supervisor's channel {unique_id}")


async def test_after_a_service_restart_a_new_listen_on_the_adopted_call_runs_until_the_private_key(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    carrier_ami: AmiClient,
    pbx_target: Target,
) -> None:
    """The restarted service never saw the agent dialled: it learns the agent from the PBX
    (the DIALEDPEERNUMBER Dial left on the agent's leg), so a supervisor who dials in after
    the restart listens to the adopted call, traced, until the agent's private key."""
    before = len(await listen_rows(service, "agent"))
    call = await talking(carrier, pbx_ami, pbx_target, "c-fr-agent")
    await call.file_appears(timeout=15.0)
    agent = await agent_channel(carrier_ami)
    assert service.stop() == 0, service.log_tail()
    await service.start()
    _, verdict = await listen(carrier, pbx_ami)
    assert verdict.get("Step") == "spying", verdict
    spy = verdict.get("Uniqueid", "")
    await spy_runs(pbx_ami, spy)
    allowed = (await traced(service, "agent", 1, before))[0]
    assert (allowed["outcome"], allowed["call"]) == ("allowed", call.call_id)
    await private_key_ends_spy(pbx_ami, carrier_ami, agent, spy)
    _, ended = await traced(service, "agent", 2, before)
    assert (ended["outcome"], ended["why"], ended["call"]) == ("ended", "private", call.call_id)
    await call.leg.hangup()
