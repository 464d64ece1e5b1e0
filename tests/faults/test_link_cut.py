"""The service's AMI link cut in the middle of calls, the service itself alive (a fault-injecting
proxy between it and the PBX refuses and resets every connection). The PBX alone honours the
objections pressed meanwhile: the recording stops within a second and AstDB remembers it. Once
linked again the service learns them from AstDB for the calls it tracked all along: the partial
files are deleted and the ledger says objected, at the PBX's time, for the call still up and the
one that ended during the cut. A caller who waited for an agent during the cut is never recorded:
the objection pressed while the agent's phone rang reached nobody. A caller whose notice ended
during the cut is not recorded either (the wait that followed went unheard), and the ledger
says the notice was heard, read back from the PBX, rather than that the caller abandoned."""

from __future__ import annotations

import asyncio
import time
import urllib.error
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch
from ivr.consent.machine import MISSED
from ivr.consent.reconcile import LINK_DOWN
from ivr.qa.carrier import Carrier
from tests.faults.test_service_restart import object_and_hang_up
from tests.pbx.test_objection_service_down import objection_in_astdb
from tests.support.consent_calls import (
    NeverExists,
    event_of,
    ledger_entry,
    logged,
    place,
    poll,
    recorded,
)
from tests.support.faultproxy import FaultProxy
from tests.support.service import ServiceProcess, write_config
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.slow, pytest.mark.timeout(180)]

RINGING = 20  # seconds the waiting caller's agent lets the phone ring: past the cut


@pytest_asyncio.fixture
async def service(
    service_config: Path, proxy: FaultProxy, pbx_target: Target, tmp_path: Path
) -> AsyncIterator[ServiceProcess]:
    """``ivr run`` whose AMI link goes through the proxy (the prompts are service_config's)."""
    through = replace(pbx_target, ami_host="127.0.0.1", ami_port=proxy.port)
    process = ServiceProcess(write_config(tmp_path, through), tmp_path / "service.log")
    await process.start()
    yield process
    assert process.stop() == 0, process.log_tail()


async def unhealthy(service: ServiceProcess, timeout: float = 5.0) -> None:
    """Until /healthz says the AMI link is down."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await asyncio.to_thread(service.get, "/healthz")
        except urllib.error.HTTPError as answer:
            answer.close()
            if answer.code == 503:
                return
        assert time.monotonic() < deadline, "the service never noticed the cut link"
        await asyncio.sleep(0.05)


async def test_objections_during_a_cut_link_are_honoured_and_collected(
    service: ServiceProcess,
    proxy: FaultProxy,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
) -> None:
    staying, leaving = [await recorded(carrier, pbx_ami, pbx_target) for _ in range(2)]
    waiting = await place(carrier, pbx_ami, pbx_target, f"c-fr-agent-after-{RINGING}")
    await waiting.step("notice-done")
    await logged(service, waiting.call_id, "notice-done")  # the service has it waiting
    in_notice = await place(carrier, pbx_ami, pbx_target)  # its notice ends during the cut

    proxy.refusing = True
    proxy.reset_all()
    await unhealthy(service)
    await staying.leg.press("9")
    key_ended = time.monotonic()
    stopped = await staying.pbx.events.wait_for(EventMatch("MixMonitorStop"), 1.0)
    pbx_stop = time.monotonic() - key_ended
    assert stopped.get("Uniqueid") == staying.call_id
    remembered = await objection_in_astdb(pbx_ami, staying.call_id)
    assert remembered is not None
    await object_and_hang_up(leaving)
    await waiting.leg.press("9")  # ringing: only the service could have heard it
    await in_notice.step("notice-done")
    await in_notice.bridged()
    proxy.refusing = False

    restored = time.monotonic()
    await service.wait_healthy()
    for call in (staying, leaving):
        await poll(lambda c=call: not c.file.exists(), 5.0, f"{call.file} kept after the cut")
    print(
        f"link cut: the PBX stopped the recording {pbx_stop * 1000:.0f} ms after the key; "
        f"objectors' files deleted {time.monotonic() - restored:.2f} s after the link was back"
    )
    await waiting.pbx.bridged(2, timeout=RINGING + 10)
    # The caller whose objection nobody heard, and the one who waited for the agent unheard.
    async with NeverExists(waiting.file), NeverExists(in_notice.file):
        await asyncio.sleep(2.0)
    for call in (staying, waiting, in_notice):
        await call.leg.hangup()
    calls = (staying, leaving, waiting, in_notice)
    entries = [await ledger_entry(service, c.call_id) for c in calls]

    decisions = ["objected", "objected", "not-recorded", "not-recorded"]
    assert [e["decision"] for e in entries] == decisions
    objected = event_of(entries[0], "objected")
    assert objected["source"] == "reconcile"
    assert abs(datetime.fromisoformat(str(objected["at"])).timestamp() - float(remembered)) < 0.01
    assert all(e.get("recording") is None for e in entries)
    events = entries[2]["events"]
    assert isinstance(events, list)
    decided = [e for e in events if e["kind"] == "recording-decided"]
    assert decided[-1]["detail"] == {"record": "no", "why": LINK_DOWN}
    notice_done = event_of(entries[3], "notice-done")  # read back from the PBX's IVR_STEP
    assert (notice_done["source"], notice_done["detail"]) == (
        "reconcile",
        {"seen": MISSED, "recorded": "no"},
    )
    for call in (staying, leaving):
        await forgotten(pbx_ami, call.call_id)


async def forgotten(pbx_ami: AmiClient, call_id: str, timeout: float = 5.0) -> None:
    """AstDB forgets the objection once the ledger closed the call with it."""
    deadline = time.monotonic() + timeout
    while await objection_in_astdb(pbx_ami, call_id) is not None:
        assert time.monotonic() < deadline, f"AstDB still holds the objection of {call_id}"
        await asyncio.sleep(0.1)
