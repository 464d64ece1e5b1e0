"""Issue 5 §2, end to end: non-systematic recording and the agents' rights, real SIP calls.

- Sampling inside declared periods: a fraction of eligible calls is recorded, nothing outside
  the periods, and the recordings on disk are exactly the calls the ledger says were sampled.
- Agents hear a beep when recording starts and when it stops (captured on the carrier, which
  plays the agent: what the agent's phone receives).
- Agents' keys on their own leg: pause/resume (silence in the file, ledger rows naming who),
  the private-call key (deleted), the private prefix (never recorded).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch
from ivr.qa.audio import hears, longest_zero_run, read_wav
from ivr.qa.carrier import Carrier, Voice
from tests.support.calls import new_caller_number
from tests.support.consent_calls import (
    AGENT_HZ,
    CALLER_HZ,
    ConsentCall,
    NeverExists,
    event_kinds,
    event_of,
    ledger_entry,
    place,
    poll,
)
from tests.support.service import ServiceProcess, policy_config, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(300)]

SAMPLED_CALLS = 16  # all alike with probability 2 * 0.5**16: 3 in 100,000 runs
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def sampling_policy(today: datetime) -> str:
    not_today = [d for i, d in enumerate(DAYS) if i != today.weekday()]
    return f"""
[recording]
mode = "sampled"
fraction = 0.5
timezone = "UTC"

[[recording.periods]]
label = "team A, every day"
groups = ["team-a"]
days = {list(DAYS)!r}
from = "00:00"
to = "24:00"

[[recording.periods]]
label = "team B, never today"
groups = ["team-b"]
days = {not_today!r}
from = "00:00"
to = "24:00"

[profiles.fr]
unrecorded_notice = "short"
""".replace("'", '"')


@pytest_asyncio.fixture(scope="module")
async def sampled_service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("sampled")
    config = policy_config(folder, pbx_target, sampling_policy(datetime.now(UTC)))
    async with running(config, folder / "service.log") as process:
        yield process


@pytest_asyncio.fixture(scope="module")
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    """The test configuration: legal obligation (every call), agents' keys by default."""
    async with running(service_config, service_config.parent / "agents-service.log") as process:
        yield process


def decided(entry: dict[str, object]) -> dict[str, object]:
    detail = event_of(entry, "recording-decided")["detail"]
    assert isinstance(detail, dict)
    return detail


async def one_sampled_call(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, target: Target, group: str
) -> tuple[dict[str, object], bool]:
    """A call of ``group`` that talks 2 s; its ledger entry, and whether a file was kept."""
    consent = await place(carrier, pbx_ami, target, f"r.sales.{group}.agent")
    await consent.step("notice-done", timeout=60.0)
    await consent.bridged()
    await asyncio.sleep(2.0)
    await consent.leg.hangup()
    entry = await ledger_entry(service, consent.call_id)
    return entry, consent.file.exists()


async def test_a_fraction_of_calls_is_recorded_exactly_those_the_ledger_says(
    sampled_service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    calls = [
        one_sampled_call(sampled_service, carrier, pbx_ami, pbx_target, "team-a")
        for _ in range(SAMPLED_CALLS)
    ]
    results = []
    for batch in range(0, SAMPLED_CALLS, 4):  # 4 at a time: the 2-core machine's comfort
        results += await asyncio.gather(*calls[batch : batch + 4])
    sampled = 0
    for entry, kept in results:
        detail = decided(entry)
        record = detail["record"] == "yes"
        sampled += record
        assert kept is record, (entry["call_id"], detail)
        assert entry["decision"] == ("kept" if record else "not-recorded")
        assert "draw" in str(detail["why"])
        assert detail["notice"] == ("notice-short" if record else "notice-unrecorded")
    assert 0 < sampled < SAMPLED_CALLS, f"{sampled} of {SAMPLED_CALLS} sampled: not a fraction"


async def test_outside_the_declared_periods_nothing_is_recorded(
    sampled_service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    for _ in range(3):
        entry, kept = await one_sampled_call(
            sampled_service, carrier, pbx_ami, pbx_target, "team-b"
        )
        assert not kept
        assert decided(entry)["record"] == "no"
        assert "period" in str(decided(entry)["why"])


class AgentLeg:
    """The agent's leg as the carrier plays it: keys it presses, and what its phone hears."""

    def __init__(self, ami: AmiClient, channel: str, heard: Path) -> None:
        self.ami, self.channel, self.heard = ami, channel, heard

    @classmethod
    async def answer(
        cls, carrier: Carrier, caller: str, recordings: Path, timeout: float = 60.0
    ) -> AgentLeg:
        created = await carrier.ami.subscribe(
            lambda e: e.name == "Newchannel" and e.get("CallerIDNum") == caller
        ).wait_for(EventMatch("Newchannel"), timeout)
        channel = created.get("Channel", "")
        heard = recordings / f"agent-heard-{created.get('Uniqueid', '')}.wav"
        fields = {"Channel": channel, "File": heard.name}  # the agent is silent: all is heard
        await carrier.ami.action("MixMonitor", fields)
        return cls(carrier.ami, channel, heard)

    async def press(self, keys: str) -> None:
        for key in keys:
            fields = {"Channel": self.channel, "Digit": key, "Duration": "150"}
            await self.ami.action("PlayDTMF", fields, timeout=5.0)
            await asyncio.sleep(0.1)

    def loud_seconds(self) -> float:
        """Seconds of loud audio the agent's phone received so far (the beeps: both parties
        are silent in the tone test)."""
        try:
            data = self.heard.read_bytes()[44:]
        except FileNotFoundError:
            return 0.0
        samples = memoryview(data[: len(data) // 2 * 2]).cast("h")
        return sum(1 for s in samples if abs(s) > 2000) / 8000


async def caller_and_agent(
    carrier: Carrier,
    pbx_ami: AmiClient,
    target: Target,
    exten: str,
    voice: Voice | None,
    heard_in: Path,
) -> tuple[ConsentCall, AgentLeg]:
    caller = new_caller_number()
    answered = asyncio.create_task(AgentLeg.answer(carrier, caller, heard_in))
    consent = await place(carrier, pbx_ami, target, exten, caller=caller, voice=voice)
    return consent, await answered


async def talking(
    carrier: Carrier, pbx_ami: AmiClient, target: Target, heard_in: Path
) -> tuple[ConsentCall, AgentLeg]:
    """A caller (the caller's tone) and an agent (the agent's tone) recorded in conversation."""
    consent, agent = await caller_and_agent(
        carrier, pbx_ami, target, "c-fr-agent", Voice(tone=str(CALLER_HZ)), heard_in
    )
    await consent.step("notice-done", timeout=60.0)
    await consent.bridged()
    await consent.file_appears()
    return consent, agent


async def heard_beeps(agent: AgentLeg) -> float:
    """Seconds of beep the agent heard, once the carrier has closed what it recorded (it
    writes through a buffer: read mid-call, the file may still be empty)."""
    size = -1
    for _ in range(50):
        await asyncio.sleep(0.1)
        now = agent.heard.stat().st_size if agent.heard.exists() else -1
        if now == size:
            break
        size = now
    return agent.loud_seconds()


async def test_agents_hear_a_beep_when_recording_starts_and_when_it_stops(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    pbx_pair: tuple[Target, Target],
) -> None:
    """Both parties silent, so everything loud the agent hears is a beep. A call recorded to
    its end: one beep (the start). A call whose caller objects: two (start, stop)."""
    heard: dict[str, float] = {}
    for case in ("kept", "objected"):
        consent, agent = await caller_and_agent(
            carrier, pbx_ami, pbx_target, "c-fr-agent-silent", Voice(), pbx_pair[1].recordings_dir
        )
        await consent.step("notice-done", timeout=60.0)
        await consent.bridged()
        await consent.file_appears()
        await asyncio.sleep(1.5)
        if case == "objected":
            await consent.leg.press("9")
            await consent.step("objected")
            await asyncio.sleep(1.5)
        await consent.leg.hangup()
        entry = await ledger_entry(service, consent.call_id)
        assert "recording-started" in event_kinds(entry)
        # Two silent parties leave an empty file, which is not kept: the objection is the stop.
        assert entry["decision"] == ("objected" if case == "objected" else "not-recorded")
        heard[case] = await heard_beeps(agent)
    one, two = heard["kept"], heard["objected"]
    assert 0.2 < one < 0.8, f"{one:.2f} s of beep when the recording started"
    assert 0.2 < two - one < 0.8, f"{two - one:.2f} s more of beep when it stopped"


async def test_no_beep_for_an_agent_of_a_call_never_recorded(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    pbx_pair: tuple[Target, Target],
) -> None:
    consent, agent = await caller_and_agent(
        carrier, pbx_ami, pbx_target, "*7agent-silent", Voice(), pbx_pair[1].recordings_dir
    )
    async with NeverExists(consent.file):
        await consent.step("notice-done", timeout=60.0)
        await consent.bridged()
        await asyncio.sleep(2.0)
        await consent.leg.hangup()
        entry = await ledger_entry(service, consent.call_id)
        assert await heard_beeps(agent) == 0.0
    assert entry["decision"] == "not-recorded"
    assert "private" in str(decided(entry)["why"])


async def test_agent_pause_is_silence_in_the_file_and_in_the_ledger_with_who(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    pbx_pair: tuple[Target, Target],
) -> None:
    consent, agent = await talking(carrier, pbx_ami, pbx_target, pbx_pair[1].recordings_dir)
    await asyncio.sleep(1.5)
    await agent.press("*1")
    await asyncio.sleep(2.5)
    await agent.press("*1")
    await asyncio.sleep(1.5)
    await consent.leg.hangup()
    entry = await ledger_entry(service, consent.call_id)
    assert entry["decision"] == "kept"
    paused, resumed = event_of(entry, "paused"), event_of(entry, "resumed")
    for row in (paused, resumed):
        assert row["source"] == "agent"
        assert row["detail"] == {"reason": "agent", "by": "PJSIP/carrier"}, row
    span = datetime.fromisoformat(str(resumed["at"])) - datetime.fromisoformat(str(paused["at"]))
    assert timedelta(seconds=2) < span < timedelta(seconds=4)
    pcm = read_wav(consent.file)
    start, length = longest_zero_run(pcm.samples)
    silent = length / pcm.rate
    assert abs(silent - span.total_seconds()) < 0.6, (silent, span)
    assert hears(pcm.slice(0, start / pcm.rate), CALLER_HZ)
    assert hears(pcm.slice((start + length) / pcm.rate, pcm.seconds), AGENT_HZ)


async def test_the_agents_private_key_deletes_the_recording(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    pbx_pair: tuple[Target, Target],
) -> None:
    consent, agent = await talking(carrier, pbx_ami, pbx_target, pbx_pair[1].recordings_dir)
    await asyncio.sleep(1.0)
    await agent.press("*0")
    await poll(lambda: not consent.file.exists(), 5.0, "the private call was kept")
    await asyncio.sleep(1.0)
    await consent.leg.hangup()
    entry = await ledger_entry(service, consent.call_id)
    assert entry["decision"] == "private"
    assert "private" in event_kinds(entry)
    assert not consent.file.exists()
