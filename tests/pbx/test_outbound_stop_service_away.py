"""The called party's stop key pressed mid-call while the service is dead is honoured by the
PBX alone — confirmation spoken, the stop kept in AstDB — and the service, once back, opposes
the number with the moment the key was pressed, so the next call is refused (issue 19 §5)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ivr.ami import AmiClient, AmiError
from ivr.outbound import names
from ivr.qa.carrier import Carrier
from tests.pbx.test_outbound_answered import _bridged, _refusals
from tests.pbx.test_outbound_guard import POLICY, AgentCall, consumer, refused
from tests.support.service import ServiceProcess, policy_config
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]


async def kept_stop(pbx: AmiClient, call_id: str) -> str | None:
    try:
        _, entries = await pbx.event_list("DBGetTree", {"Family": names.DB_STOPS})
    except AmiError:  # an empty family answers with an error
        return None
    return next((e.get("Val") for e in entries if e.get("Key", "").endswith(call_id)), None)


async def test_a_stop_pressed_mid_call_while_the_service_is_dead_is_kept_and_applied(
    tmp_path: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    config = policy_config(tmp_path, pbx_target, POLICY)
    first = ServiceProcess(config, tmp_path / "first.log")
    await first.start()
    number = consumer()
    call = AgentCall(pbx_ami, carrier.ami, f"c.qa-open.{number}")
    played = pbx_ami.subscribe(
        lambda e: e.name == "Newexten" and e.get("AppData", "").endswith("/stop-confirmed")
    )
    try:
        leg_wait = call.carrier_legs.wait_for(None, 10.0)
        _, call_id = await _bridged(call, pbx_ami)
        leg = await leg_wait
        first.kill()
        pressed = time.time()
        fields = {"Channel": leg.get("Channel", ""), "Digit": "7", "Duration": "250"}
        await carrier.ami.action("PlayDTMF", fields)
        confirmation = await played.wait_for(None, 10.0)
        await call.ended(20.0)
    finally:
        played.unsubscribe()
        call.close()
    assert confirmation.get("Uniqueid") == call_id
    kept = await kept_stop(pbx_ami, call_id)
    assert kept is not None, "the PBX did not keep the stop"
    epoch, _, campaign, source = kept.split(" ")
    assert (campaign, source) == ("qa-open", "in-call")
    assert pressed - 1 <= float(epoch) <= pressed + 2

    second = ServiceProcess(config, tmp_path / "second.log")
    await second.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while await kept_stop(pbx_ami, call_id) is not None:
            assert loop.time() < deadline, "the service did not collect the stop"
            await asyncio.sleep(0.1)
        ((at, who),) = _refusals(second, number)
        assert who == names.STOP_WHO["in-call"]
        assert at == float(epoch)  # the moment the key was pressed, not the collection's
        assert await refused(carrier, pbx_ami, f"o.qa-open.{number}", pbx_target) == "opposition"
    finally:
        assert second.stop() == 0, second.log_tail()
