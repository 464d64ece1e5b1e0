"""The AMI behaviours every later feature relies on, against the real Asterisk."""

from __future__ import annotations

import asyncio

import pytest

from ivr.ami import AmiActionError, AmiClient
from ivr.qa.carrier import Carrier
from tests.support.calls import new_caller_number
from tests.support.fixtures import connect
from tests.support.targets import Target

pytestmark = pytest.mark.pbx


async def test_login_with_the_printed_credentials(pbx_target: Target) -> None:
    client = await connect(pbx_target)
    try:
        reply = await client.action("Ping")
        assert reply.get("Ping") == "Pong"
    finally:
        await client.close()


async def test_wrong_secret_is_refused_with_a_clear_error(pbx_target: Target) -> None:
    client = AmiClient()
    with pytest.raises(AmiActionError, match=r"(?i)authentication"):
        await client.connect(
            pbx_target.ami_host, pbx_target.ami_port, pbx_target.ami_username, "wrong"
        )


async def test_concurrent_actions_each_get_their_own_response(pbx_ami: AmiClient) -> None:
    names = [f"IVR_SMOKE_{i}" for i in range(20)]
    await asyncio.gather(
        *(pbx_ami.action("Setvar", {"Variable": n, "Value": f"v{i}"}) for i, n in enumerate(names))
    )
    replies = await asyncio.gather(*(pbx_ami.action("Getvar", {"Variable": n}) for n in names))
    assert [r.get("Value") for r in replies] == [f"v{i}" for i in range(20)]


@pytest.mark.sip
async def test_event_list_completes_with_every_channel(
    pbx_ami: AmiClient, carrier: Carrier
) -> None:
    numbers = [new_caller_number() for _ in range(3)]
    calls = [await carrier.call("wait", caller_num=number) for number in numbers]
    for call in calls:
        await call.wait_answered()
    response, events = await pbx_ami.event_list("CoreShowChannels")
    assert response.get("EventList") == "start"
    assert sorted(e.get("CallerIDNum") or "" for e in events) == sorted(numbers)
    assert {e.name for e in events} == {"CoreShowChannel"}


async def test_command_output_comes_back_as_text(pbx_ami: AmiClient) -> None:
    output = await pbx_ami.command("core show version")
    assert output.startswith("Asterisk 22.")
