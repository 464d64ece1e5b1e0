"""Pins the trap the shipped configuration avoids: with ``bridge_native_rtp`` loaded, two SIP
legs are bridged below the core and a key pressed mid-conversation raises no DTMF event on the
PBX, although the digit still reaches the agent. An objection pressed then would go unseen."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, AmiTimeout
from ivr.qa.carrier import Carrier
from tests.support.calls import PbxView, hang_up_everything, new_caller_number
from tests.support.fixtures import connect
from tests.support.service import ivr_command
from tests.support.targets import Target, external_pair, sandbox_pair, sandbox_prefix

pytestmark = pytest.mark.sip

SILENCE_WINDOW = 3.0


@pytest.fixture(scope="module")
def native_pair() -> Iterator[tuple[Target, Target]]:
    if external_pair() is not None:
        pytest.skip("needs sandbox instances: it loads bridge_native_rtp on purpose")
    with sandbox_pair(sandbox_prefix("trap"), native_rtp=True) as pair:
        yield pair


@pytest_asyncio.fixture(scope="module")
async def native_clients(
    native_pair: tuple[Target, Target],
) -> AsyncIterator[tuple[AmiClient, AmiClient]]:
    pbx, carrier = await connect(native_pair[0]), await connect(native_pair[1])
    yield pbx, carrier
    await hang_up_everything(carrier)
    await hang_up_everything(pbx)
    await pbx.close()
    await carrier.close()


async def bridge_technology_becomes(ami: AmiClient, technology: str, timeout: float = 5.0) -> None:
    """Smart bridging starts two legs on simple_bridge and upgrades once both are in."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while technology not in (listing := await ami.command("bridge show all")):
        assert loop.time() < deadline, f"bridge never became {technology}:\n{listing}"
        await asyncio.sleep(0.05)


async def test_native_rtp_bridge_hides_in_call_keys(
    native_clients: tuple[AmiClient, AmiClient],
) -> None:
    pbx_ami, carrier_ami = native_clients
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    agent_got = carrier_ami.subscribe(
        lambda e: e.name == "DTMFEnd" and e.get("Direction") == "Received"
    )
    call = await Carrier(carrier_ami).call("agent", caller_num=number)
    inbound = await pbx.inbound_channel()
    await pbx.bridged(2)
    await bridge_technology_becomes(pbx_ami, "native_rtp")

    await call.press("9")

    reached_agent = await agent_got.wait_for(lambda e: e.get("Digit") == "9", 5.0)
    assert reached_agent is not None
    with pytest.raises(AmiTimeout):
        await pbx.digit("DTMFEnd", "9", inbound.get("Uniqueid", ""), timeout=SILENCE_WINDOW)


def test_the_doctor_fails_a_pbx_with_the_native_bridge(
    native_pair: tuple[Target, Target], service_config: Path
) -> None:
    pbx = native_pair[0]
    env = os.environ | {
        "IVR_AMI_PORT": str(pbx.ami_port),
        "IVR_AMI_USERNAME": pbx.service_username,
        "IVR_AMI_SECRET": pbx.service_secret,
    }
    done = subprocess.run(
        ivr_command("doctor", "--config", str(service_config)),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert any(
        line.startswith("FAIL") and "bridge_native_rtp" in line and "noload" in line
        for line in done.stdout.splitlines()
    ), done.stdout
