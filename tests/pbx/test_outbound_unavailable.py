"""Issue 19 §1: the guard unavailable. No service runs here: the dialplan alone decides.

Fail closed by default: the call is refused with the "unavailable" prompt and never reaches
the carrier. With fail-open published (``[outbound] fail_open = true``), the call goes on and
the PBX keeps it in AstDB; the service, once back, logs it and counts it as an attempt.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.outbound import names
from ivr.qa.carrier import Carrier
from tests.pbx.test_outbound_guard import AgentCall, consumer, refused
from tests.support.outbound_policy import campaign, fail_open, open_profile
from tests.support.service import ivr_command, policy_config, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]

POLICY = fail_open() + open_profile("qa-open") + campaign("qa-open")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, pbx_target: Target) -> Path:
    return policy_config(tmp_path_factory.mktemp("unguarded"), pbx_target, POLICY)


@pytest_asyncio.fixture
async def fail_open_off(pbx_ami: AmiClient) -> AsyncIterator[None]:
    fields = {"Family": names.DB_FAMILY, "Key": names.DB_FAIL_OPEN}
    await pbx_ami.action("DBDel", fields, check=False)
    yield
    await pbx_ami.action("DBDel", fields, check=False)


async def unguarded_keys(pbx: AmiClient) -> list[str]:
    try:
        _, entries = await pbx.event_list("DBGetTree", {"Family": names.DB_UNGUARDED})
    except Exception:  # an empty family answers with an error
        return []
    return [e.get("Key", "").rsplit("/", 1)[-1] for e in entries if e.get("Key")]


async def test_guard_unavailable_refuses_the_call(
    config: Path,
    fail_open_off: None,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
) -> None:
    rule = await refused(carrier, pbx_ami, f"o.qa-open.{consumer()}", pbx_target)
    assert rule == "unavailable"


async def test_fail_open_places_the_call_and_the_service_logs_it_later(
    config: Path, fail_open_off: None, carrier: Carrier, pbx_ami: AmiClient
) -> None:
    put = {"Family": names.DB_FAMILY, "Key": names.DB_FAIL_OPEN, "Val": "1"}
    await pbx_ami.action("DBPut", put)
    number = consumer()
    call = AgentCall(pbx_ami, carrier.ami, f"o.qa-open.{number}")
    try:
        await call.place()
        assert await call.verdict() == "unguarded"
        await call.carrier_legs.wait_for(None, 10.0)
    finally:
        call.close()
    assert call.dialling in await unguarded_keys(pbx_ami)
    async with running(config, config.parent / "service.log"):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        while call.dialling in await unguarded_keys(pbx_ami):
            assert loop.time() < deadline, "the service never collected the unguarded call"
            await asyncio.sleep(0.1)
    done = await asyncio.to_thread(
        subprocess.run,
        ivr_command("outbound", "attempts", number, "--json", "--config", str(config)),
        capture_output=True,
        check=True,
    )
    attempts = json.loads(done.stdout)["attempts"]
    assert [a["campaign"] for a in attempts] == ["qa-open"]
