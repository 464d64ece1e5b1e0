"""Issue 5 §1, end to end: jurisdiction profiles chosen per call, with real SIP callers.

The service runs with several profiles and rules (POLICY below). The sandbox PBX's test
extensions pass a profile to the Gosub (`j.<profile>.<language>.<agent>`) or let the service
choose from a route and the caller's number (`r.<route>.<group>.<agent>`). Each test asserts
the recording on disk (or its absence for the whole call) and the ledger: the profile, why it
was chosen, and the caller's answer.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import (
    ConsentCall,
    NeverExists,
    event_kinds,
    event_of,
    ledger_entry,
    place,
)
from tests.support.service import ServiceProcess, policy_config, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(240)]

POLICY = """
[consent]
default_profile = "fr"
profiles = ["fr", "de", "uk", "us-one-party", "us-all-party"]

[consent.keys]
full_notice = "1"
object = "9"
accept = "2"

[[consent.rules]]
profile = "uk"
route = "uk-sales"

[[consent.rules]]
profile = "de"
caller_country = ["49"]

[[consent.rules]]
profile = "us"
caller_country = ["1"]
agent_state = "NY"

[notice.de]
purposes = "die Qualität"
recipients = "das Qualitätsteam"
retention = "sechs Monate"

[recording]
mode = "legal-obligation"
legal_reference = "QA sandbox: every test call may be recorded"
"""


@pytest_asyncio.fixture(scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("profiles")
    async with running(policy_config(folder, pbx_target, POLICY), folder / "service.log") as s:
        yield s


def number(prefix: str, digits: int) -> str:
    return prefix + "".join(random.choices("0123456789", k=digits))


async def chosen(service: ServiceProcess, consent: ConsentCall) -> dict[str, object]:
    await consent.leg.hangup()
    entry = await ledger_entry(service, consent.call_id)
    detail = event_of(entry, "profile-chosen")["detail"]
    assert isinstance(detail, dict)
    return {"entry": entry, "profile": detail["profile"], "why": detail["why"]}


async def test_opt_in_records_after_the_accept_key(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    consent = await place(carrier, pbx_ami, pbx_target, "j.de.de.agent", caller=number("+3361", 7))
    await asyncio.sleep(1.0)  # into the notice
    await consent.leg.press("2")
    await consent.step("opted-in")
    await consent.bridged()
    await consent.file_appears()
    await asyncio.sleep(1.0)
    result = await chosen(service, consent)
    entry = result["entry"]
    assert isinstance(entry, dict)
    assert (result["profile"], entry["decision"]) == ("de", "kept")
    assert "dialplan" in str(result["why"])
    assert "opted-in" in event_kinds(entry)


async def test_opt_in_silence_is_never_recorded(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    consent = await place(carrier, pbx_ami, pbx_target, "j.de.de.agent", caller=number("+3362", 7))
    async with NeverExists(consent.file):
        await consent.step("notice-done", timeout=60.0)
        await consent.bridged()
        await asyncio.sleep(2.0)
        result = await chosen(service, consent)
    entry = result["entry"]
    assert isinstance(entry, dict)
    assert entry["decision"] == "not-recorded"
    assert "did not accept" in str(event_of(entry, "notice-done")["detail"])


async def test_opt_in_any_other_key_is_a_no(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    consent = await place(carrier, pbx_ami, pbx_target, "j.de.de.agent", caller=number("+3363", 7))
    async with NeverExists(consent.file):
        await asyncio.sleep(1.0)
        await consent.leg.press("5")
        await consent.step("declined")
        await consent.bridged()
        await consent.leg.press("2")  # too late: a no stays a no
        await asyncio.sleep(1.5)
        result = await chosen(service, consent)
    entry = result["entry"]
    assert isinstance(entry, dict)
    assert entry["decision"] == "not-recorded"
    assert "declined" in event_kinds(entry)


async def test_an_objection_after_opting_in_deletes_the_recording(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    consent = await place(carrier, pbx_ami, pbx_target, "j.de.de.agent", caller=number("+3364", 7))
    await asyncio.sleep(1.0)
    await consent.leg.press("2")
    await consent.bridged()
    await consent.file_appears()
    await asyncio.sleep(1.0)
    await consent.leg.press("9")
    await consent.step("objected")
    await asyncio.sleep(1.0)
    result = await chosen(service, consent)
    entry = result["entry"]
    assert isinstance(entry, dict)
    assert entry["decision"] == "objected"
    assert not consent.file.exists()


async def test_a_route_rule_chooses_uk_and_continuing_counts_as_consent(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    consent = await place(
        carrier, pbx_ami, pbx_target, "r.uk-sales.team.agent", caller=number("+4420", 8)
    )
    await consent.step("notice-done", timeout=60.0)
    await consent.bridged()
    await consent.file_appears()
    await asyncio.sleep(1.5)  # some conversation
    result = await chosen(service, consent)
    entry = result["entry"]
    assert isinstance(entry, dict)
    assert (result["profile"], entry["decision"]) == ("uk", "kept")
    assert "uk-sales" in str(result["why"])


@pytest.mark.parametrize(
    ("prefix", "profile", "recorded"),
    [
        ("+4930555", "de", False),  # German caller: opt-in, and this caller stays silent
        ("+1415555", "us-all-party", False),  # California: all-party consent, silent caller
        ("+1212555", "us-one-party", True),  # New York caller, New York agents: notice only
    ],
)
async def test_the_callers_country_and_state_choose_the_profile(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
    prefix: str,
    profile: str,
    recorded: bool,
) -> None:
    caller = number(prefix, 4)  # NANP: the exchange (555) never starts with 0 or 1
    consent = await place(carrier, pbx_ami, pbx_target, "r.none.team.agent", caller=caller)
    await consent.step("notice-done", timeout=60.0)
    await consent.bridged()
    await asyncio.sleep(1.5)
    assert consent.file.exists() is recorded
    result = await chosen(service, consent)
    entry = result["entry"]
    assert isinstance(entry, dict)
    assert result["profile"] == profile
    assert entry["decision"] == ("kept" if recorded else "not-recorded")
    if profile.startswith("us"):
        assert prefix[2:5] in str(result["why"]), result["why"]  # the area code is named


async def test_an_unknown_requested_profile_falls_back_to_the_default_and_says_so(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    consent = await place(carrier, pbx_ami, pbx_target, "j.ca.en.agent", caller=number("+3365", 7))
    await consent.step("notice-done", timeout=60.0)
    result = await chosen(service, consent)
    assert result["profile"] == "fr"
    assert "ca" in str(result["why"])
